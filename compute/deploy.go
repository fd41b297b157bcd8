package compute

import (
	"fmt"
	"time"

	"github.com/pulumi/pulumi-command/sdk/go/command/local"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/internal/deploy"
)

type deployCmd struct {
	cmd       *local.Command
	hash      pulumi.StringOutput
	commandID pulumi.StringOutput
}

// DeployCommand is the shell command the hub deploy runs locally (deploy.HostRunCommand).
func DeployCommand(hubctl, instanceID, region, logGroup, hash string, timeout, pingTimeout time.Duration) string {
	return deploy.HostRunCommand(hubctl, instanceID, region, logGroup, "flip-hub deploy", hash, timeout, pingTimeout)
}

// newDeploy renders the deploy from the upstream outputs and runs it on the host through
// `hubctl host run`. Rendering happens inside an Apply; no resource is created there.
func newDeploy(ctx *pulumi.Context, args Args, h *host, logs *logGroups, c *Compute) (*deployCmd, error) {
	d := args.Deploy
	registry := d.RegistryTokenSecretARN
	if registry == nil {
		registry = pulumi.String("")
	}
	bundle := pulumi.All(
		d.UserPoolID, d.AppClientID, d.DBAddress, d.DBPort, d.DBName, d.DBMasterSecretARN,
		d.FlipAPISecretName, d.FlipAPISecretARN, registry, d.BucketNames, d.FLServerRoleARN,
	).ApplyT(func(in []any) ([]string, error) {
		buckets, err := deploy.BucketsFromMap(in[9].(map[string]string))
		if err != nil {
			return nil, err
		}
		b, err := deploy.Render(deploy.Spec{
			Backend:                d.Backend,
			Region:                 args.Region,
			Images:                 d.Images,
			FLPort:                 args.FLPort,
			LogLevel:               d.LogLevel,
			EnforceMFA:             d.EnforceMFA,
			TrustAPIKeyHeader:      d.TrustAPIKeyHeader,
			UserPoolID:             in[0].(string),
			AppClientID:            in[1].(string),
			DBHost:                 in[2].(string),
			DBPort:                 in[3].(int),
			DBName:                 in[4].(string),
			DBUser:                 d.DBUser,
			DBSecretARN:            in[5].(string),
			FlipAPISecretName:      in[6].(string),
			FlipAPISecretARN:       in[7].(string),
			RegistryTokenSecretARN: in[8].(string),
			RegistryUser:           d.RegistryUser,
			FLServerRoleARN:        in[10].(string),
			SESAdminEmail:          d.SESAdminEmail,
			SESSenderEmail:         d.SESSenderEmail,
			Buckets:                buckets,
			KitDate:                d.KitDate,
			KitSlotNames:           d.KitSlotNames,
			MinClients:             d.MinClients,
			HealthTimeout:          d.HealthTimeout,
		})
		if err != nil {
			return nil, fmt.Errorf("hub deploy: %w", err)
		}
		return []string{b.Script, b.Hash}, nil
	}).(pulumi.StringArrayOutput)
	script, hash := bundle.Index(pulumi.Int(0)), bundle.Index(pulumi.Int(1))

	instanceID := h.instance.ID().ToStringOutput()
	create := pulumi.All(instanceID, logs.deploy.Name, hash).ApplyT(func(in []any) string {
		return DeployCommand(args.HubctlPath, in[0].(string), args.Region, in[1].(string), in[2].(string),
			args.DeployTimeout, DefaultPingTimeout)
	}).(pulumi.StringOutput)

	// The deploy re-runs exactly when one of these changes: both image tags (they ship
	// together), the rendered content (compose, env files, every script parameter) and the host.
	// A change to the script text alone (stdin) also re-runs it, as an update.
	triggers := pulumi.Array{
		pulumi.String(d.Images.Tag),
		pulumi.String(d.Images.FLTag),
		hash,
		instanceID,
	}
	triggers = append(triggers, args.Triggers...)

	cmd, err := local.NewCommand(ctx, "hub-deploy", &local.CommandArgs{
		Create: create,
		// The script reaches hubctl on stdin, never as an argument: argv is visible to every
		// local user and in the command's own text.
		Stdin:                  script,
		Triggers:               triggers,
		AddPreviousOutputInEnv: pulumi.Bool(false),
	},
		pulumi.Parent(c),
		// The deploy lives on the host: when the host goes, so does it, with nothing to undo.
		pulumi.DeletedWith(h.instance),
		pulumi.DependsOn(args.DeployDependsOn),
	)
	if err != nil {
		return nil, fmt.Errorf("hub deploy command: %w", err)
	}
	return &deployCmd{
		cmd:       cmd,
		hash:      hash,
		commandID: cmd.Stdout.ApplyT(deploy.CommandIDFromOutput).(pulumi.StringOutput),
	}, nil
}
