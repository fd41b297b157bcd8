package hub

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/network"
)

func (s *stack) buildNetwork(ctx *pulumi.Context) error {
	var (
		trustCIDRs []network.TrustCIDR
		hosted     []string
	)
	for _, t := range s.cfg.Trusts {
		if t.AWSHosted() {
			hosted = append(hosted, t.Code)
		}
		for _, c := range t.EgressCIDRs {
			trustCIDRs = append(trustCIDRs, network.TrustCIDR{Code: t.Code, CIDR: c})
		}
	}
	net, err := network.New(ctx, "network", network.Args{
		Prefix:            s.prefix,
		Region:            s.cfg.Region,
		CIDR:              s.cfg.Network.CIDR,
		AvailabilityZones: s.cfg.Network.AvailabilityZones,
		NATGateways:       s.cfg.Network.NATGateways,
		FLPort:            s.cfg.FL.Port,
		TrustIngress:      trustCIDRs,
		AWSHostedTrusts:   hosted,
		LogRetentionDays:  s.cfg.LogRetentionDays,
		LogKMSKeyARN:      s.key.ARN,
		AccountID:         s.account,
		Partition:         s.partition,
	}, s.inherit)
	if err != nil {
		return err
	}
	s.network = net
	export(ctx, &Out.VPCID, net.VPCID)
	export(ctx, &Out.PrivateSubnetIDs, net.PrivateSubnetIDs)
	export(ctx, &Out.PublicSubnetIDs, net.PublicSubnetIDs)
	export(ctx, &Out.FlowLogGroupName, net.FlowLogGroupName)
	export(ctx, &Out.NATPublicIPs, net.NATPublicIPs)
	return nil
}
