package hub

import (
	"fmt"
	"math"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/compute"
	"github.com/londonaicentre/flip-hub/internal/deploy"
	"github.com/londonaicentre/flip-hub/internal/kit"
	"github.com/londonaicentre/flip-hub/trusthost"
	"github.com/londonaicentre/flip-hub/trusts"
)

// The fields of each trustHosts output entry.
const (
	TrustHostInstanceID = "instanceId"
	TrustHostLogGroups  = "logGroupNames"
	TrustHostKitSecret  = "kitSecretArn"
)

// buildTrustHosts builds one trust host per AWS-hosted trust, after the trusts layer has
// registered it (its slot decides which FL material the host may read).
func (s *stack) buildTrustHosts(ctx *pulumi.Context) error {
	cfg := s.cfg
	hosts := pulumi.Map{}
	for i, t := range cfg.Trusts {
		if !t.AWSHosted() {
			continue
		}
		names := trusthost.LogGroupNames(s.prefix, t.Code)
		userData, err := compute.UserData(compute.UserDataArgs{
			Region:    cfg.Region,
			Arch:      "amd64",
			LogGroups: compute.LogGroups{Containers: names.Containers, System: names.System, Deploy: names.Deploy},
		})
		if err != nil {
			return fmt.Errorf("trust host %s: %w", t.Code, err)
		}
		h, err := trusthost.New(ctx, "trust-"+t.Code, trusthost.Args{
			Prefix:                   s.prefix,
			Region:                   cfg.Region,
			Code:                     t.Code,
			Name:                     t.Name,
			TrustRegion:              t.Region,
			Env:                      cfg.Environment.KitName(),
			Backend:                  cfg.FL.Backend,
			KitDate:                  cfg.FL.KitDate,
			DetailedMonitoring:       cfg.Host.DetailedMonitoring,
			Protect:                  cfg.ProtectPersistent,
			SecretRecoveryWindowDays: cfg.KMSDeletionWindowDays,
			Partition:                s.partition,
			AccountID:                s.account,
			KMSKeyARN:                s.key.ARN,
			VPCID:                    s.network.VPCID.ToStringOutput(),
			// Spread over the private subnets; each leaves through a NAT gateway whose address
			// the network admits to the FL port for every AWS-hosted trust.
			SubnetID:         s.network.PrivateSubnetIDs.Index(pulumi.Int(i % len(cfg.Network.AvailabilityZones))),
			FLPort:           cfg.FL.Port,
			UserData:         userData,
			LogRetentionDays: cfg.LogRetentionDays,
			KitsBucket:       s.data.BucketNames.MapIndex(pulumi.String(deploy.BucketFLKits)),
			Keys: trusthost.KitKeys{
				APIKey:             trustField(s.trusts.Keys, t.Code, trusts.KeyAPIKey),
				InternalServiceKey: trustField(s.trusts.Keys, t.Code, trusts.KeyInternalServiceKey),
				TrustID:            trustField(s.trusts.Registrations, t.Code, trusts.KeyTrustID),
				SlotName:           trustField(s.trusts.Registrations, t.Code, trusts.KeySlotName),
				SlotNumber:         trustSlotNumber(s.trusts.Registrations, t.Code),
			},
			AESKeyBase64: s.data.AESKeyBase64,
			Hub: kit.Hub{
				Domain:           cfg.Edge.Domain,
				KitDate:          cfg.FL.KitDate,
				FLBackend:        string(cfg.FL.Backend),
				DockerTag:        cfg.Images.Tag,
				DockerRegistry:   cfg.Images.Registry,
				DockerFLTag:      cfg.Images.FLTag,
				DockerFLRegistry: cfg.Images.FLRegistry,
				FLServerPort:     cfg.FL.Port,
			},
			HostDependsOn:   s.network.Ready,
			DeployDependsOn: []pulumi.Resource{s.compute.Deploy},
			HubctlPath:      compute.DefaultHubctl,
		}, s.inherit)
		if err != nil {
			return err
		}
		hosts[t.Code] = pulumi.Map{
			TrustHostInstanceID: h.InstanceID,
			TrustHostLogGroups:  h.LogGroupNames,
			TrustHostKitSecret:  h.KitSecretARN,
		}
	}
	export(ctx, &Out.TrustHosts, hosts)
	return nil
}

// trustField reads one string field of a trust's entry in a trusts-layer map output.
func trustField(m pulumi.MapOutput, code, key string) pulumi.StringOutput {
	return m.ApplyT(func(all map[string]any) (string, error) {
		entry, _ := all[code].(map[string]any)
		v, ok := entry[key].(string)
		if !ok {
			return "", fmt.Errorf("trust %s: no %s in the trusts layer's outputs", code, key)
		}
		return v, nil
	}).(pulumi.StringOutput)
}

// trustSlotNumber reads a trust's slot number from the registrations output.
func trustSlotNumber(m pulumi.MapOutput, code string) pulumi.IntOutput {
	return m.ApplyT(func(all map[string]any) (int, error) {
		entry, _ := all[code].(map[string]any)
		switch n := entry[trusts.KeySlotNumber].(type) {
		case int:
			return n, nil
		case float64:
			if n == math.Trunc(n) {
				return int(n), nil
			}
		}
		return 0, fmt.Errorf("trust %s: no slot number in the trusts layer's outputs", code)
	}).(pulumi.IntOutput)
}
