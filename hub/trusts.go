package hub

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/compute"
	"github.com/londonaicentre/flip-hub/trusts"
)

func (s *stack) buildTrusts(ctx *pulumi.Context) error {
	ts := make([]trusts.Trust, 0, len(s.cfg.Trusts))
	for _, t := range s.cfg.Trusts {
		ts = append(ts, trusts.Trust{Code: t.Code, Name: t.Name, Region: t.Region, Rotation: t.Rotation})
	}
	t, err := trusts.New(ctx, "trusts", trusts.Args{
		Trusts:            ts,
		Region:            s.cfg.Region,
		HubInstanceID:     s.compute.InstanceID,
		DBAddress:         s.data.DBAddress,
		DBPort:            s.data.DBPort,
		DBName:            s.data.DBName,
		DBMasterSecretARN: s.data.DBMasterSecretARN,
		// The binary on PATH, as for the hub deploy: the release pipeline installs hubctl there,
		// and a stable name keeps the command text, and so the plan, machine-independent.
		HubctlCommand: compute.DefaultHubctl,
		// The hub deploy must have run: flip-api has then created its tables and seeded the
		// kit-slot pool. The component covers the host; the deploy's command id names the deploy
		// command itself, which the SDK's expansion of the component could miss (see trusts.Args).
		DependsOn:   []pulumi.Resource{s.compute.Deploy},
		HubDeployed: s.compute.DeployCommandID,
		// A disposable hub's project links and tasks are as disposable as the trusts: removing a
		// trust (or destroying the stack) deletes them. On a protected hub a referenced trust is
		// refused, and an operator decides with `hubctl trust deregister --force`.
		ForceDeregister: !s.cfg.ProtectPersistent,
		Env:             s.cfg.Environment.KitName(),
	}, s.inherit)
	if err != nil {
		return err
	}
	s.trusts = t
	// What `hubctl kits` writes the kit files from: the per-trust secrets, and the hub-shared
	// values of the managed section (CENTRAL_HUB_API_URL and NLB_SUBDOMAIN derive from domain).
	export(ctx, &Out.Trusts, t.Keys)
	export(ctx, &Out.TrustRegistrations, t.Registrations)
	export(ctx, &Out.TrustKitFiles, t.KitFiles)
	export(ctx, &Out.AESKeyBase64, s.data.AESKeyBase64)
	export(ctx, &Out.Images, pulumi.StringMap{
		"tag":        pulumi.String(s.cfg.Images.Tag),
		"registry":   pulumi.String(s.cfg.Images.Registry),
		"flTag":      pulumi.String(s.cfg.Images.FLTag),
		"flRegistry": pulumi.String(s.cfg.Images.FLRegistry),
	})
	export(ctx, &Out.FLBackend, pulumi.String(string(s.cfg.FL.Backend)))
	export(ctx, &Out.FLPort, pulumi.Int(s.cfg.FL.Port))
	export(ctx, &Out.FLKitDate, pulumi.String(s.cfg.FL.KitDate))
	return nil
}
