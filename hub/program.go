package hub

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/compute"
	"github.com/londonaicentre/flip-hub/config"
	"github.com/londonaicentre/flip-hub/data"
	"github.com/londonaicentre/flip-hub/edge"
	"github.com/londonaicentre/flip-hub/identity"
	"github.com/londonaicentre/flip-hub/network"
	"github.com/londonaicentre/flip-hub/trusts"
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

// stack carries the config, providers and every layer built so far, so each layer's
// wiring (one file per layer in this package) reads what it needs from earlier layers.
type stack struct {
	cfg       *config.Config
	prov      *Providers
	inherit   pulumi.ResourceOption
	prefix    string
	account   pulumi.StringOutput
	partition pulumi.StringOutput

	key      *data.Key
	network  *network.Network
	data     *data.Data
	identity *identity.Identity
	edge     *edge.Edge
	compute  *compute.Compute
	trusts   *trusts.Trusts

	// zone memoises the Route53 zone lookup (see zoneID).
	zone *pulumi.StringOutput
}

// layers run in dependency order; each builds one component and exports its outputs.
var layers = []func(s *stack, ctx *pulumi.Context) error{
	(*stack).buildKey,
	(*stack).buildNetwork,
	(*stack).buildData,
	(*stack).buildIdentity,
	(*stack).buildEdge,
	(*stack).buildCompute,
	(*stack).buildTrusts,
	(*stack).buildTrustHosts,
}

func build(ctx *pulumi.Context, cfg *config.Config) error {
	prov, err := newProviders(ctx, cfg)
	if err != nil {
		return err
	}
	s := &stack{cfg: cfg, prov: prov, inherit: prov.All(), prefix: Prefix(cfg)}
	s.account = aws.GetCallerIdentityOutput(ctx, aws.GetCallerIdentityOutputArgs{}, pulumi.Provider(prov.AWS)).AccountId()
	s.partition = aws.GetPartitionOutput(ctx, aws.GetPartitionOutputArgs{}, pulumi.Provider(prov.AWS)).Partition()

	export(ctx, &Out.Environment, pulumi.String(string(cfg.Environment)))
	export(ctx, &Out.Region, pulumi.String(cfg.Region))
	export(ctx, &Out.Domain, pulumi.String(cfg.Edge.Domain))
	for _, layer := range layers {
		if err := layer(s, ctx); err != nil {
			return err
		}
	}
	return nil
}
