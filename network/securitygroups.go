package network

import (
	"fmt"
	"slices"
	"sort"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/vpc"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/internal/namer"
)

type securityGroups struct {
	alb, host, rds, nlb, endpoints *ec2.SecurityGroup
}

// rule is one described security-group rule. Exactly one source or destination is set.
type rule struct {
	name        string
	group       *ec2.SecurityGroup
	egress      bool
	port        int
	description string
	cidr        pulumi.StringInput
	peer        *ec2.SecurityGroup
	prefixList  pulumi.StringInput
}

func newSecurityGroups(ctx *pulumi.Context, nm namer.Namer, v *ec2.Vpc, args Args, n *Network) (*securityGroups, error) {
	parent := pulumi.Parent(n)
	group := func(role, description string) (*ec2.SecurityGroup, error) {
		sg, err := ec2.NewSecurityGroup(ctx, role, &ec2.SecurityGroupArgs{
			Name:                pulumi.String(nm.Name(role)),
			Description:         pulumi.String(description),
			VpcId:               v.ID(),
			RevokeRulesOnDelete: pulumi.Bool(true),
			Tags:                pulumi.StringMap{"Name": pulumi.String(nm.Name(role))},
		}, parent)
		if err != nil {
			return nil, fmt.Errorf("security group %s: %w", role, err)
		}
		return sg, nil
	}
	var (
		s   securityGroups
		err error
	)
	if s.alb, err = group("alb", "Internal ALB for /api: HTTPS from the CloudFront VPC origin only"); err != nil {
		return nil, err
	}
	if s.host, err = group("hub-host", "Hub host: flip-api from the ALB, FL from the NLB; no SSH, operators use SSM"); err != nil {
		return nil, err
	}
	if s.rds, err = group("rds", "RDS PostgreSQL: 5432 from the hub host only"); err != nil {
		return nil, err
	}
	if s.nlb, err = group("fl-nlb", "FL NLB: the FL port from the egress networks of partner trusts only"); err != nil {
		return nil, err
	}
	if s.endpoints, err = group("vpc-endpoints", "VPC interface endpoints: HTTPS from inside the VPC only"); err != nil {
		return nil, err
	}

	cloudFront := ec2.LookupManagedPrefixListOutput(ctx, ec2.LookupManagedPrefixListOutputArgs{
		Name: pulumi.String(cloudFrontOriginFacing),
	}, pulumi.Parent(n))
	rules := []rule{
		{name: "alb-in-https-cloudfront", group: s.alb, port: 443, prefixList: cloudFront.Id(),
			description: "HTTPS from the CloudFront origin-facing network (the /api VPC origin)"},
		{name: "alb-out-api", group: s.alb, egress: true, port: APIPort, peer: s.host,
			description: "flip-api on the hub host"},
		{name: "host-in-api", group: s.host, port: APIPort, peer: s.alb,
			description: "flip-api from the internal ALB"},
		{name: "host-in-fl", group: s.host, port: args.FLPort, peer: s.nlb,
			description: "FL server traffic and health checks from the FL NLB"},
		{name: "host-out-https", group: s.host, egress: true, port: 443, cidr: pulumi.String("0.0.0.0/0"),
			description: "HTTPS to AWS APIs, VPC endpoints and the image registry"},
		{name: "host-out-http", group: s.host, egress: true, port: 80, cidr: pulumi.String("0.0.0.0/0"),
			description: "HTTP to Ubuntu archive mirrors for security updates; the host firewall admits apt only"},
		{name: "host-out-postgres", group: s.host, egress: true, port: 5432, peer: s.rds,
			description: "PostgreSQL on RDS"},
		{name: "rds-in-postgres", group: s.rds, port: 5432, peer: s.host,
			description: "PostgreSQL from the hub host"},
		{name: "nlb-out-fl", group: s.nlb, egress: true, port: args.FLPort, peer: s.host,
			description: "FL server on the hub host"},
		{name: "endpoints-in-https", group: s.endpoints, port: 443, cidr: pulumi.String(args.CIDR),
			description: "HTTPS to AWS service endpoints from inside the VPC"},
	}
	// The trusts' egress networks are the entries of one customer-managed prefix list, admitted by
	// one rule: a trust network is an entry, not a resource, so a hub of hundreds of trusts keeps
	// one rule and one list (each resource costs every later checkpoint of an update). Trusts
	// behind one NAT share an entry naming them all: a list holds each CIDR once.
	if list, err := newTrustNetworks(ctx, nm, args, n.NATPublicIPs, parent); err != nil {
		return nil, err
	} else if list != nil {
		rules = append(rules, rule{
			name:        TrustNetworksRuleName,
			group:       s.nlb,
			port:        args.FLPort,
			prefixList:  list.ID().ToStringOutput(),
			description: "FL from the partner trusts egress networks in prefix list " + nm.Name(TrustNetworksName),
		})
	}
	for _, r := range rules {
		if err := newRule(ctx, r, parent); err != nil {
			return nil, err
		}
	}
	return &s, nil
}

func newRule(ctx *pulumi.Context, r rule, parent pulumi.ResourceOption) error {
	var peer pulumi.StringPtrInput
	if r.peer != nil {
		peer = r.peer.ID().ToStringOutput().ToStringPtrOutput()
	}
	var cidr, prefixList pulumi.StringPtrInput
	if r.cidr != nil {
		cidr = r.cidr.ToStringOutput().ToStringPtrOutput()
	}
	if r.prefixList != nil {
		prefixList = r.prefixList.ToStringOutput().ToStringPtrOutput()
	}
	tags := pulumi.StringMap{"Name": pulumi.String(r.name)}
	var err error
	if r.egress {
		_, err = vpc.NewSecurityGroupEgressRule(ctx, r.name, &vpc.SecurityGroupEgressRuleArgs{
			SecurityGroupId:           r.group.ID(),
			Description:               pulumi.String(r.description),
			IpProtocol:                pulumi.String("tcp"),
			FromPort:                  pulumi.Int(r.port),
			ToPort:                    pulumi.Int(r.port),
			CidrIpv4:                  cidr,
			ReferencedSecurityGroupId: peer,
			PrefixListId:              prefixList,
			Tags:                      tags,
		}, parent)
	} else {
		_, err = vpc.NewSecurityGroupIngressRule(ctx, r.name, &vpc.SecurityGroupIngressRuleArgs{
			SecurityGroupId:           r.group.ID(),
			Description:               pulumi.String(r.description),
			IpProtocol:                pulumi.String("tcp"),
			FromPort:                  pulumi.Int(r.port),
			ToPort:                    pulumi.Int(r.port),
			CidrIpv4:                  cidr,
			ReferencedSecurityGroupId: peer,
			PrefixListId:              prefixList,
			Tags:                      tags,
		}, parent)
	}
	if err != nil {
		return fmt.Errorf("security group rule %s: %w", r.name, err)
	}
	return nil
}

// TrustNetworksName is the name of the prefix list of the trusts' egress networks, and
// TrustNetworksRuleName that of the NLB rule admitting it to the FL port.
const (
	TrustNetworksName     = "fl-trust-networks"
	TrustNetworksRuleName = "nlb-in-fl-trusts"
)

// newTrustNetworks is the prefix list of the trusts' egress networks, one entry per distinct
// network; nil when no trust is configured.
//
// Its size (MaxEntries) is its entry count: a security group rule that references a prefix list
// counts as MaxEntries rules against the group's rules quota, so the list claims no more than it
// holds. The AWS provider changes the size and the entries in separate calls, as
// ModifyManagedPrefixList requires (it grows the list before adding, shrinks it after removing).
//
// An AWS-hosted trust's egress is the hub's NAT gateways: each gateway's Elastic IP (a /32) is an
// entry for those trusts, known once the addresses are allocated. The entries are then grouped
// when the addresses are known, so an address that is also a configured network stays one entry
// naming every trust behind it.
func newTrustNetworks(ctx *pulumi.Context, nm namer.Namer, args Args, natIPs pulumi.StringArrayOutput, parent pulumi.ResourceOption) (*ec2.ManagedPrefixList, error) {
	if len(args.TrustIngress) == 0 && len(args.AWSHostedTrusts) == 0 {
		return nil, nil
	}
	var (
		entries    ec2.ManagedPrefixListEntryTypeArrayInput
		maxEntries pulumi.IntInput
	)
	if len(args.AWSHostedTrusts) == 0 {
		networks := ingressByCIDR(args.TrustIngress)
		entries, maxEntries = prefixListEntries(networks), pulumi.Int(len(networks))
	} else {
		hosted := append([]string(nil), args.AWSHostedTrusts...)
		static := append([]TrustCIDR(nil), args.TrustIngress...)
		networks := func(ips []string) []trustIngress {
			return ingressByCIDR(append(append([]TrustCIDR(nil), static...), NATIngress(hosted, ips)...))
		}
		entries = natIPs.ApplyT(func(ips []string) []ec2.ManagedPrefixListEntryType {
			var out []ec2.ManagedPrefixListEntryType
			for _, in := range networks(ips) {
				out = append(out, ec2.ManagedPrefixListEntryType{Cidr: in.cidr, Description: pulumi.StringRef(TrustNetworkDescription(in.codes))})
			}
			return out
		}).(ec2.ManagedPrefixListEntryTypeArrayOutput)
		maxEntries = natIPs.ApplyT(func(ips []string) int { return len(networks(ips)) }).(pulumi.IntOutput)
	}
	list, err := ec2.NewManagedPrefixList(ctx, TrustNetworksName, &ec2.ManagedPrefixListArgs{
		Name:          pulumi.String(nm.Name(TrustNetworksName)),
		AddressFamily: pulumi.String("IPv4"),
		MaxEntries:    maxEntries,
		Entries:       entries,
		Tags:          pulumi.StringMap{"Name": pulumi.String(nm.Name(TrustNetworksName))},
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("prefix list %s: %w", TrustNetworksName, err)
	}
	return list, nil
}

// NATIngress is the egress of AWS-hosted trusts: every NAT gateway address (a /32) for every one
// of them, since a trust host in any private subnet may leave through any gateway.
func NATIngress(codes, natIPs []string) []TrustCIDR {
	var out []TrustCIDR
	for _, ip := range natIPs {
		for _, c := range codes {
			out = append(out, TrustCIDR{Code: c, CIDR: ip + "/32"})
		}
	}
	return out
}

func prefixListEntries(networks []trustIngress) ec2.ManagedPrefixListEntryTypeArray {
	entries := ec2.ManagedPrefixListEntryTypeArray{}
	for _, in := range networks {
		entries = append(entries, ec2.ManagedPrefixListEntryTypeArgs{
			Cidr:        pulumi.String(in.cidr),
			Description: pulumi.String(TrustNetworkDescription(in.codes)),
		})
	}
	return entries
}

// maxEntryDescription is the longest description EC2 keeps on a prefix-list entry (EC2 API
// Reference, AddPrefixListEntry: "Up to 255 characters in length").
const maxEntryDescription = 255

// TrustNetworkDescription describes the prefix-list entry of an egress network by the trusts
// (sorted codes) behind it, e.g. "FL from trust gstt kch". When more trusts share the network
// than the description can name, it names the first ones and counts the rest.
func TrustNetworkDescription(codes []string) string {
	const head = "FL from trust"
	d := head
	for i, c := range codes {
		rest := len(codes) - i - 1
		more := ""
		if rest > 0 {
			more = fmt.Sprintf(" and %d more", rest)
		}
		if len(d)+1+len(c)+len(more) > maxEntryDescription {
			return d + fmt.Sprintf(" and %d more", len(codes)-i)
		}
		d += " " + c
	}
	return d
}

// trustIngress is one distinct egress network and the trusts (codes, sorted) that use it.
type trustIngress struct {
	cidr  string
	codes []string
}

// ingressByCIDR groups the trusts' egress networks by network, sorted by network, so that the
// list's entries do not depend on the order of the trusts in the config.
func ingressByCIDR(in []TrustCIDR) []trustIngress {
	var out []trustIngress
	index := map[string]int{}
	for _, t := range in {
		i, ok := index[t.CIDR]
		if !ok {
			i = len(out)
			index[t.CIDR] = i
			out = append(out, trustIngress{cidr: t.CIDR})
		}
		if !slices.Contains(out[i].codes, t.Code) {
			out[i].codes = append(out[i].codes, t.Code)
		}
	}
	for i := range out {
		sort.Strings(out[i].codes)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].cidr < out[j].cidr })
	return out
}
