package trusthost

import (
	"fmt"
	"time"

	"github.com/pulumi/pulumi-command/sdk/go/command/local"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/internal/deploy"
	"github.com/londonaicentre/flip-hub/internal/flip"
	"github.com/londonaicentre/flip-hub/internal/trustdeploy"
)

func flarePrefix(kitDate, slot string) string { return flip.FlareKitPrefix(kitDate, slot) }
func flowerPrefix(kitDate string) string      { return flip.FlowerKitPrefix(kitDate) }
func flowerCredential(n int) string           { return flip.FlowerCredentialFile(n) }

// DeployCommand is the shell command the trust deploy runs locally (deploy.HostRunCommand).
func DeployCommand(hubctl, code, instanceID, region, logGroup, hash string, timeout, pingTimeout time.Duration) string {
	return deploy.HostRunCommand(hubctl, instanceID, region, logGroup, "flip-hub trust "+code+" deploy", hash, timeout, pingTimeout)
}

// deploy renders the trust deploy and runs it on the host through `hubctl host run`. It re-runs
// when the image tags, the kit (its digest), the rendered content or the host change.
func (b *builder) deploy() error {
	a := b.args
	bundle := pulumi.All(b.secret.Arn, a.KitsBucket, a.Keys.SlotName, a.Keys.SlotNumber).ApplyT(func(in []any) ([]string, error) {
		out, err := trustdeploy.Render(trustdeploy.Spec{
			Code:         a.Code,
			Env:          a.Env,
			Region:       a.Region,
			Backend:      a.Backend,
			KitDate:      a.KitDate,
			Slot:         in[2].(string),
			SlotNumber:   in[3].(int),
			KitSecretARN: in[0].(string),
			KitsBucket:   in[1].(string),
			Tag:          a.Hub.DockerTag,
			FLTag:        a.Hub.DockerFLTag,
		})
		if err != nil {
			return nil, err
		}
		return []string{out.Script, out.Hash}, nil
	}).(pulumi.StringArrayOutput)
	script, hash := bundle.Index(pulumi.Int(0)), bundle.Index(pulumi.Int(1))
	instanceID := b.instance.ID().ToStringOutput()
	create := pulumi.All(instanceID, b.logs[2].Name, hash).ApplyT(func(in []any) string {
		return DeployCommand(a.HubctlPath, a.Code, in[0].(string), a.Region, in[1].(string), in[2].(string),
			a.DeployTimeout, DefaultPingTimeout)
	}).(pulumi.StringOutput)
	cmd, err := local.NewCommand(b.ctx, ResourceName(a.Code, "deploy"), &local.CommandArgs{
		Create: create,
		// The script reaches hubctl on stdin, never as an argument.
		Stdin: script,
		// The kit's digest changes whenever the kit does (keys, registration, hub values,
		// credentials) without putting any of it here.
		Triggers: pulumi.Array{
			pulumi.String(a.Hub.DockerTag),
			pulumi.String(a.Hub.DockerFLTag),
			hash,
			b.kitDigest,
			instanceID,
		},
		AddPreviousOutputInEnv: pulumi.Bool(false),
	},
		b.parent,
		pulumi.DeletedWith(b.instance),
		pulumi.DependsOn(a.DeployDependsOn),
		pulumi.DependsOn(append([]pulumi.Resource{b.version}, b.ready...)),
	)
	if err != nil {
		return fmt.Errorf("deploy command: %w", err)
	}
	b.c.DeployHash = hash
	b.c.DeployCommandID = cmd.Stdout.ApplyT(deploy.CommandIDFromOutput).(pulumi.StringOutput)
	return nil
}
