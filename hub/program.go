package hub

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/config"
	"github.com/londonaicentre/flip-hub/data"
	"github.com/londonaicentre/flip-hub/network"
)

// Program is the flip-hub Pulumi program.
func Program(ctx *pulumi.Context) error {
	cfg, err := config.Load(ctx)
	if err != nil {
		return err
	}
	return build(ctx, cfg)
}

// Prefix is the start of every physical name of a stack, e.g. "flip-stag".
func Prefix(cfg *config.Config) string { return "flip-" + string(cfg.Environment) }

func build(ctx *pulumi.Context, cfg *config.Config) error {
	prov, err := newProviders(ctx, cfg)
	if err != nil {
		return err
	}
	inherit := prov.All()
	prefix := Prefix(cfg)

	caller := aws.GetCallerIdentityOutput(ctx, aws.GetCallerIdentityOutputArgs{}, pulumi.Provider(prov.AWS))
	partition := aws.GetPartitionOutput(ctx, aws.GetPartitionOutputArgs{}, pulumi.Provider(prov.AWS))
	account := caller.AccountId()
	part := partition.Partition()

	key, err := data.NewKey(ctx, "key", data.KeyArgs{
		Prefix:             prefix,
		Region:             cfg.Region,
		AccountID:          account,
		Partition:          part,
		DeletionWindowDays: cfg.KMSDeletionWindowDays,
		Protect:            cfg.ProtectPersistent,
		ImportID:           cfg.Imports["kmsKey"],
	}, inherit)
	if err != nil {
		return err
	}

	var trustCIDRs []network.TrustCIDR
	for _, t := range cfg.Trusts {
		for _, c := range t.EgressCIDRs {
			trustCIDRs = append(trustCIDRs, network.TrustCIDR{Code: t.Code, CIDR: c})
		}
	}
	net, err := network.New(ctx, "network", network.Args{
		Prefix:            prefix,
		Region:            cfg.Region,
		CIDR:              cfg.Network.CIDR,
		AvailabilityZones: cfg.Network.AvailabilityZones,
		NATGateways:       cfg.Network.NATGateways,
		FLPort:            cfg.FL.Port,
		TrustIngress:      trustCIDRs,
		LogRetentionDays:  cfg.LogRetentionDays,
		LogKMSKeyARN:      key.ARN,
		AccountID:         account,
		Partition:         part,
	}, inherit)
	if err != nil {
		return err
	}

	ctx.Export("environment", pulumi.String(string(cfg.Environment)))
	ctx.Export("region", pulumi.String(cfg.Region))
	ctx.Export("domain", pulumi.String(cfg.Edge.Domain))
	ctx.Export("kmsKeyArn", key.ARN)
	ctx.Export("vpcId", net.VPCID)
	ctx.Export("privateSubnetIds", net.PrivateSubnetIDs)
	ctx.Export("publicSubnetIds", net.PublicSubnetIDs)
	ctx.Export("flowLogGroupName", net.FlowLogGroupName)
	return nil
}
