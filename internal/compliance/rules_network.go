package compliance

import (
	"fmt"
	"net/netip"
	"strings"
)

// adminPorts must never be open to the internet (and the hub opens them nowhere).
var adminPorts = map[int]string{22: "SSH", 3389: "RDP"}

// sgRule is one security-group rule in a common shape, whether a standalone
// vpc.SecurityGroupIngressRule/EgressRule, an ec2.SecurityGroupRule or an inline block.
type sgRule struct {
	ingress  bool
	from, to int
	protocol string
	cidrs    []string
}

func (r sgRule) allPorts() bool { return r.protocol == "-1" || r.protocol == "all" }

func (r sgRule) covers(port int) bool {
	return r.allPorts() || (r.from <= port && port <= r.to)
}

// world returns the rule's sources or destinations that are the whole internet.
func (r sgRule) world() []string {
	var out []string
	for _, c := range r.cidrs {
		if p, err := netip.ParsePrefix(c); err == nil && p.Bits() == 0 {
			out = append(out, c)
		}
	}
	return out
}

// sgRulesOf returns the rules a resource defines: itself for a standalone rule, its
// inline ingress/egress blocks for a security group.
func sgRulesOf(v View) []sgRule {
	num := func(m map[string]any, k string) int { f, _ := m[k].(float64); return int(f) }
	str := func(m map[string]any, k string) string { s, _ := m[k].(string); return strings.ToLower(s) }
	switch v.Type {
	case TypeSGIngress, TypeSGEgress:
		r := sgRule{ingress: v.Type == TypeSGIngress, from: int(v.Number("fromPort")), to: int(v.Number("toPort")), protocol: strings.ToLower(v.String("ipProtocol"))}
		for _, k := range []string{"cidrIpv4", "cidrIpv6"} {
			if s := v.String(k); s != "" {
				r.cidrs = append(r.cidrs, s)
			}
		}
		return []sgRule{r}
	case TypeSGRule:
		r := sgRule{ingress: v.String("type") == "ingress", from: int(v.Number("fromPort")), to: int(v.Number("toPort")), protocol: strings.ToLower(v.String("protocol"))}
		r.cidrs = append(stringsOf(v.List("cidrBlocks")), stringsOf(v.List("ipv6CidrBlocks"))...)
		return []sgRule{r}
	case TypeSecurityGroup, TypeDefaultSG:
		var out []sgRule
		for _, dir := range []string{"ingress", "egress"} {
			for _, e := range v.List(dir) {
				m, ok := e.(map[string]any)
				if !ok {
					continue
				}
				r := sgRule{ingress: dir == "ingress", from: num(m, "fromPort"), to: num(m, "toPort"), protocol: str(m, "protocol")}
				if l, ok := m["cidrBlocks"].([]any); ok {
					r.cidrs = append(r.cidrs, stringsOf(l)...)
				}
				if l, ok := m["ipv6CidrBlocks"].([]any); ok {
					r.cidrs = append(r.cidrs, stringsOf(l)...)
				}
				out = append(out, r)
			}
		}
		return out
	}
	return nil
}

var sgTypes = []string{TypeSecurityGroup, TypeSGRule, TypeSGIngress, TypeSGEgress}

func networkRules() []Rule {
	vpc := []string{TypeVPC}
	return []Rule{
		{
			ID: "vpc-flow-logs", Types: vpc, Stack: true,
			Sources: []string{"CKV2_AWS_11", "EC2.6", "AVD-AWS-0178"},
			Title:   "every VPC has a flow log of all traffic",
			Check: func(v View, c *Context) []string {
				for _, fl := range dependents(c, v, TypeFlowLog, "", "") {
					if t := fl.String("trafficType"); t == "ALL" || t == "REJECT" || t == Unknown {
						return nil
					}
				}
				return []string{"no flow log capturing ALL or REJECT traffic depends on this VPC"}
			},
		},
		{
			ID: "vpc-default-sg-closed", Types: vpc, Stack: true,
			Sources: []string{"CKV2_AWS_12", "EC2.2", "AVD-AWS-0173"},
			Title:   "every VPC's default security group is adopted and allows nothing",
			Check: func(v View, c *Context) []string {
				ds := dependents(c, v, TypeDefaultSG, "", "")
				if len(ds) == 0 {
					return []string{"the default security group is not adopted (aws:ec2/defaultSecurityGroup): AWS leaves it open within itself"}
				}
				var p []string
				for _, d := range ds {
					if n := len(d.List("ingress")) + len(d.List("egress")); n > 0 {
						p = append(p, fmt.Sprintf("default security group %s keeps %d rules", d.Name, n))
					}
				}
				return p
			},
		},
		{
			ID: "vpc-ssm-endpoint", Types: vpc, Stack: true,
			Sources: []string{"EC2.57"},
			Title:   "every VPC has an interface endpoint for Systems Manager",
			Check: func(v View, c *Context) []string {
				for _, e := range dependents(c, v, TypeVPCEndpoint, "", "") {
					if strings.HasSuffix(e.String("serviceName"), ".ssm") && e.String("vpcEndpointType") == "Interface" {
						return nil
					}
				}
				return []string{"no interface endpoint for com.amazonaws.<region>.ssm"}
			},
		},
		{
			ID: "subnet-no-public-ip", Types: []string{TypeSubnet},
			Sources: []string{"CKV_AWS_130", "EC2.15", "AVD-AWS-0164"},
			Title:   "subnets do not give instances public IPs",
			Check: func(v View, _ *Context) []string {
				return when(v.IsTrue("mapPublicIpOnLaunch") && !v.Unknown("mapPublicIpOnLaunch"), "mapPublicIpOnLaunch is true")
			},
		},
		{
			ID: "sg-described", Types: sgTypes,
			Sources: []string{"CKV_AWS_23", "AVD-AWS-0099", "AVD-AWS-0124"},
			Title:   "security groups and their rules say what they are for",
			Check: func(v View, _ *Context) []string {
				d := strings.TrimSpace(v.String("description"))
				return unless(d != "" && d != "Managed by Pulumi" && d != "Managed by Terraform", "no description")
			},
		},
		{
			ID: "sg-no-admin-ports-from-internet", Types: sgTypes,
			Sources: []string{"CKV_AWS_24", "CKV_AWS_25", "EC2.13", "EC2.14", "AVD-AWS-0107"},
			Title:   "no security group opens SSH or RDP to the internet",
			Check: func(v View, _ *Context) []string {
				var p []string
				for _, r := range sgRulesOf(v) {
					if !r.ingress || len(r.world()) == 0 {
						continue
					}
					for port, what := range adminPorts {
						if r.covers(port) {
							p = append(p, fmt.Sprintf("ingress from %v covers port %d (%s)", r.world(), port, what))
						}
					}
				}
				return p
			},
		},
		{
			ID: "sg-no-ingress-from-internet", Types: sgTypes,
			Sources: []string{"EC2.18", "CKV_AWS_260", "CKV_AWS_277"},
			Title:   "no security group accepts traffic from the whole internet (trusts and CloudFront are named)",
			Check: func(v View, _ *Context) []string {
				var p []string
				for _, r := range sgRulesOf(v) {
					if r.ingress && len(r.world()) > 0 {
						p = append(p, fmt.Sprintf("ingress from %v on %s %d-%d", r.world(), r.protocol, r.from, r.to))
					}
				}
				return p
			},
		},
		{
			// A rule that references a prefix list admits its entries, which sgRulesOf cannot see
			// from the rule: the list itself must not hold the whole internet.
			ID: "prefix-list-no-internet", Types: []string{TypePrefixList},
			Sources: []string{"EC2.18", "CKV_AWS_260", "CKV_AWS_277"},
			Title:   "no customer-managed prefix list (used as a security group source) holds the whole internet",
			Check: func(v View, _ *Context) []string {
				var p []string
				for _, e := range v.List("entries") {
					m, _ := e.(map[string]any)
					c, _ := m["cidr"].(string)
					if len((sgRule{cidrs: []string{c}}).world()) > 0 {
						p = append(p, "entry "+c)
					}
				}
				return p
			},
		},
		{
			ID: "sg-no-egress-to-internet", Types: sgTypes,
			Sources: []string{"AVD-AWS-0104", "CKV_AWS_382"},
			Title:   "no security group sends traffic to the whole internet",
			Check: func(v View, _ *Context) []string {
				var p []string
				for _, r := range sgRulesOf(v) {
					if !r.ingress && len(r.world()) > 0 {
						p = append(p, fmt.Sprintf("egress to %v on %s %d-%d", r.world(), r.protocol, r.from, r.to))
					}
				}
				return p
			},
		},
		{
			ID: "sg-no-rule-management-conflicts", Types: []string{TypeSecurityGroup}, Stack: true,
			Sources: []string{"awsguard:security-group-no-rule-management-conflicts"},
			Title:   "no security group mixes inline rules with standalone rule resources",
			Check: func(v View, c *Context) []string {
				var p []string
				for _, d := range [][2]string{{"ingress", TypeSGIngress}, {"egress", TypeSGEgress}} {
					dir, typ := d[0], d[1]
					if len(v.List(dir)) == 0 {
						continue
					}
					standalone := append(dependents(c, v, typ, "", ""), dependents(c, v, TypeSGRule, "", "")...)
					if len(standalone) > 0 {
						p = append(p, fmt.Sprintf("inline %s rules and %d standalone rules manage the same group", dir, len(standalone)))
					}
				}
				return p
			},
		},
	}
}
