package tests

import (
	"net/netip"
	"sort"
	"strings"
	"testing"

	"github.com/londonaicentre/flip-hub/config"
	"github.com/londonaicentre/flip-hub/internal/plan"
	"github.com/londonaicentre/flip-hub/network"
)

const (
	typeVPC        = "aws:ec2/vpc:Vpc"
	typeSubnet     = "aws:ec2/subnet:Subnet"
	typeNAT        = "aws:ec2/natGateway:NatGateway"
	typeEIP        = "aws:ec2/eip:Eip"
	typeIGW        = "aws:ec2/internetGateway:InternetGateway"
	typeRoute      = "aws:ec2/route:Route"
	typeRouteTable = "aws:ec2/routeTable:RouteTable"
	typeRTAssoc    = "aws:ec2/routeTableAssociation:RouteTableAssociation"
	typeSG         = "aws:ec2/securityGroup:SecurityGroup"
	typeDefaultSG  = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
	typeIngress    = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
	typeEgress     = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
	typeFlowLog    = "aws:ec2/flowLog:FlowLog"
	typeLogGroup   = "aws:cloudwatch/logGroup:LogGroup"
	typeEndpoint   = "aws:ec2/vpcEndpoint:VpcEndpoint"
	typePrefixList = "aws:ec2/managedPrefixList:ManagedPrefixList"
)

func loadCfg(t *testing.T, stack string) *config.Config {
	t.Helper()
	cfg, err := config.Parse(stack, config.MapSource(Config(t, stack).Values))
	if err != nil {
		t.Fatalf("%s config: %v", stack, err)
	}
	return cfg
}

func TestNetworkShape(t *testing.T) {
	t.Parallel()
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			g := Plan(t, stack)
			cfg := loadCfg(t, stack)
			zones := len(cfg.Network.AvailabilityZones)

			vpcs := g.ByType(typeVPC)
			if len(vpcs) != 1 {
				t.Fatalf("%d VPCs; want 1", len(vpcs))
			}
			v := vpcs[0]
			if !v.Bool("enableDnsSupport") || !v.Bool("enableDnsHostnames") {
				t.Errorf("VPC DNS support/hostnames off: %v", v.Inputs)
			}
			vpcCIDR := netip.MustParsePrefix(v.String("cidrBlock"))
			if vpcCIDR.String() != cfg.Network.CIDR {
				t.Errorf("VPC CIDR %s; want %s", vpcCIDR, cfg.Network.CIDR)
			}

			subnets := g.ByType(typeSubnet)
			if len(subnets) != 2*zones {
				t.Fatalf("%d subnets; want %d (one public and one private per zone)", len(subnets), 2*zones)
			}
			perZone := map[string]map[string]int{}
			var prefixes []netip.Prefix
			for _, s := range subnets {
				kind := strings.SplitN(s.Name, "-", 2)[0]
				az := s.String("availabilityZone")
				if perZone[az] == nil {
					perZone[az] = map[string]int{}
				}
				perZone[az][kind]++
				if s.Bool("mapPublicIpOnLaunch") {
					t.Errorf("subnet %s auto-assigns public IPs", s.Name)
				}
				p := netip.MustParsePrefix(s.String("cidrBlock"))
				if !vpcCIDR.Contains(p.Addr()) || p.Bits() < vpcCIDR.Bits() {
					t.Errorf("subnet %s %s is outside the VPC %s", s.Name, p, vpcCIDR)
				}
				for _, q := range prefixes {
					if p.Overlaps(q) {
						t.Errorf("subnet %s %s overlaps %s", s.Name, p, q)
					}
				}
				prefixes = append(prefixes, p)
			}
			for _, az := range cfg.Network.AvailabilityZones {
				if perZone[az]["public"] != 1 || perZone[az]["private"] != 1 {
					t.Errorf("zone %s has %v; want one public and one private subnet", az, perZone[az])
				}
			}

			wantNAT := map[string]int{"stag": 1, "prod": zones}[stack]
			if n := len(g.ByType(typeNAT)); n != wantNAT {
				t.Errorf("%d NAT gateways; want %d", n, wantNAT)
			}
			if n := len(g.ByType(typeEIP)); n != wantNAT {
				t.Errorf("%d EIPs; want %d", n, wantNAT)
			}
			if n := len(g.ByType(typeIGW)); n != 1 {
				t.Errorf("%d internet gateways; want 1", n)
			}
		})
	}
}

// TestPrivateSubnetsNeverRouteToIGW follows each private subnet's association to its
// route table and checks every route of that table.
func TestPrivateSubnetsNeverRouteToIGW(t *testing.T) {
	t.Parallel()
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			g := Plan(t, stack)
			idOf := func(typ, name string) string { return plan.FakeIDFor(typ, name) }
			igwID := idOf(typeIGW, "igw")
			privateTables := map[string]bool{}
			for _, a := range g.ByType(typeRTAssoc) {
				if strings.HasPrefix(a.Name, "private-") {
					if a.String("subnetId") != idOf(typeSubnet, a.Name) {
						t.Errorf("association %s binds subnet %s; want its own private subnet", a.Name, a.String("subnetId"))
					}
					privateTables[a.String("routeTableId")] = true
				}
			}
			if len(privateTables) == 0 {
				t.Fatal("no private route table associations")
			}
			natDefault := 0
			for _, r := range g.ByType(typeRoute) {
				if !privateTables[r.String("routeTableId")] {
					continue
				}
				if r.String("gatewayId") == igwID {
					t.Errorf("route %s sends a private subnet to the internet gateway", r.Name)
				}
				if r.String("destinationCidrBlock") == "0.0.0.0/0" && strings.HasPrefix(r.String("natGatewayId"), "natgateway-") {
					natDefault++
				}
			}
			if natDefault != len(privateTables) {
				t.Errorf("%d private default routes through a NAT gateway; want %d", natDefault, len(privateTables))
			}
			for _, r := range g.ByType(typeRoute) {
				if r.Name == "public-default" && r.String("gatewayId") != igwID {
					t.Errorf("public default route goes to %q; want the internet gateway", r.String("gatewayId"))
				}
			}
		})
	}
}

func TestSecurityGroupRules(t *testing.T) {
	t.Parallel()
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			g := Plan(t, stack)
			cfg := loadCfg(t, stack)
			for _, sg := range g.ByType(typeSG) {
				if strings.TrimSpace(sg.String("description")) == "" || strings.Contains(sg.String("description"), "Managed by") {
					t.Errorf("security group %s has no real description", sg.Name)
				}
				if _, inline := sg.Lookup("ingress"); inline {
					t.Errorf("security group %s has inline ingress rules; want separate described rules", sg.Name)
				}
			}
			rules := append(g.ByType(typeIngress), g.ByType(typeEgress)...)
			if len(rules) == 0 {
				t.Fatal("no security group rules")
			}
			for _, r := range rules {
				from, to := int(r.Number("fromPort")), int(r.Number("toPort"))
				if strings.TrimSpace(r.String("description")) == "" {
					t.Errorf("rule %s has no description", r.Name)
				}
				if r.String("ipProtocol") == "-1" {
					t.Errorf("rule %s allows all protocols and ports", r.Name)
				}
				for _, p := range []int{22, 3389} {
					if from <= p && p <= to {
						t.Errorf("rule %s opens port %d", r.Name, p)
					}
				}
				sources := 0
				for _, k := range []string{"cidrIpv4", "cidrIpv6", "referencedSecurityGroupId", "prefixListId"} {
					if r.String(k) != "" {
						sources++
					}
				}
				if sources != 1 {
					t.Errorf("rule %s has %d peers; want exactly one", r.Name, sources)
				}
				if r.Type == typeIngress && r.String("cidrIpv4") == "0.0.0.0/0" {
					t.Errorf("ingress rule %s is open to the world", r.Name)
				}
				if to-from > 0 {
					t.Errorf("rule %s spans ports %d-%d; want single ports", r.Name, from, to)
				}
			}

			// The FL port is open on the NLB to the trusts' egress networks and nothing else: one
			// rule, from the prefix list whose entries are exactly those networks, each entry
			// naming the trusts behind it.
			want := map[string][]string{}
			for _, tr := range cfg.Trusts {
				for _, c := range tr.EgressCIDRs {
					want[c] = append(want[c], tr.Code)
				}
			}
			lists := g.ByType(typePrefixList)
			if len(lists) != 1 || lists[0].Name != network.TrustNetworksName {
				t.Fatalf("prefix lists %v; want only %s", lists, network.TrustNetworksName)
			}
			list := lists[0]
			entries := list.List("entries")
			if int(list.Number("maxEntries")) != len(want) || len(entries) != len(want) {
				t.Errorf("prefix list holds %d entries, sized %v; want %d and sized to fit", len(entries), list.Inputs["maxEntries"], len(want))
			}
			for _, e := range entries {
				m, _ := e.(map[string]any)
				cidr, _ := m["cidr"].(string)
				codes, ok := want[cidr]
				if !ok {
					t.Errorf("prefix list admits %s, which is no trust's egress", cidr)
					continue
				}
				sort.Strings(codes)
				if d := network.TrustNetworkDescription(codes); m["description"] != d {
					t.Errorf("entry %s described %q; want %q", cidr, m["description"], d)
				}
				delete(want, cidr)
			}
			if len(want) != 0 {
				t.Errorf("trust CIDRs missing from the prefix list: %v", want)
			}
			nlbSG := plan.FakeIDFor(typeSG, "fl-nlb")
			var nlbRules []string
			for _, r := range g.ByType(typeIngress) {
				if r.String("securityGroupId") != nlbSG {
					continue
				}
				nlbRules = append(nlbRules, r.Name)
				if int(r.Number("fromPort")) != cfg.FL.Port || r.String("prefixListId") != plan.FakeIDFor(typePrefixList, network.TrustNetworksName) {
					t.Errorf("NLB rule %s is %v; want the FL port %d from the trusts' prefix list", r.Name, r.Inputs, cfg.FL.Port)
				}
			}
			if len(nlbRules) != 1 {
				t.Errorf("NLB ingress rules %v; want the one of the trusts' prefix list", nlbRules)
			}

			// RDS admits only the hub host, on 5432.
			rdsSG, hostSG := plan.FakeIDFor(typeSG, "rds"), plan.FakeIDFor(typeSG, "hub-host")
			for _, r := range rules {
				if r.String("securityGroupId") != rdsSG {
					continue
				}
				if r.Type != typeIngress || r.String("referencedSecurityGroupId") != hostSG || int(r.Number("fromPort")) != 5432 {
					t.Errorf("RDS rule %s is not 5432 from the hub host: %v", r.Name, r.Inputs)
				}
			}
			// Interface endpoints admit HTTPS from the VPC only.
			epSG := plan.FakeIDFor(typeSG, "vpc-endpoints")
			for _, r := range rules {
				if r.String("securityGroupId") == epSG && (r.String("cidrIpv4") != cfg.Network.CIDR || int(r.Number("fromPort")) != 443) {
					t.Errorf("endpoint rule %s is not 443 from %s: %v", r.Name, cfg.Network.CIDR, r.Inputs)
				}
			}
		})
	}
}

func TestDefaultSecurityGroupHasNoRules(t *testing.T) {
	t.Parallel()
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			g := Plan(t, stack)
			d := g.ByType(typeDefaultSG)
			if len(d) != 1 {
				t.Fatalf("%d default security groups managed; want 1", len(d))
			}
			for _, k := range []string{"ingress", "egress"} {
				if v, ok := d[0].Lookup(k); ok && v != nil {
					if arr, isArr := v.([]any); !isArr || len(arr) > 0 {
						t.Errorf("default security group has %s rules: %v", k, v)
					}
				}
			}
		})
	}
}

func TestFlowLogsAndEndpoints(t *testing.T) {
	t.Parallel()
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			g := Plan(t, stack)
			cfg := loadCfg(t, stack)
			logs := g.ByType(typeFlowLog)
			if len(logs) != 1 {
				t.Fatalf("%d flow logs; want 1", len(logs))
			}
			fl := logs[0]
			if fl.String("trafficType") != "ALL" || fl.String("vpcId") != plan.FakeIDFor(typeVPC, "vpc") {
				t.Errorf("flow log does not capture ALL traffic of the VPC: %v", fl.Inputs)
			}
			group, ok := g.Get(typeLogGroup, "flow-logs")
			if !ok {
				t.Fatal("no flow-log group")
			}
			if int(group.Number("retentionInDays")) != cfg.LogRetentionDays {
				t.Errorf("flow-log retention %v; want %d", group.Inputs["retentionInDays"], cfg.LogRetentionDays)
			}
			if !strings.HasPrefix(group.String("kmsKeyId"), "arn:aws:kms:") {
				t.Errorf("flow-log group is not encrypted with the stack key: %q", group.String("kmsKeyId"))
			}

			want := map[string]string{"s3": "Gateway", "ssm": "Interface", "ssmmessages": "Interface", "ec2messages": "Interface", "logs": "Interface", "secretsmanager": "Interface", "kms": "Interface"}
			for _, ep := range g.ByType(typeEndpoint) {
				svc := ep.String("serviceName")
				short := svc[strings.LastIndex(svc, ".")+1:]
				kind, ok := want[short]
				if !ok {
					t.Errorf("unexpected endpoint %s", svc)
					continue
				}
				if svc != "com.amazonaws."+cfg.Region+"."+short || ep.String("vpcEndpointType") != kind {
					t.Errorf("endpoint %s is %s %s; want %s in %s", ep.Name, svc, ep.String("vpcEndpointType"), kind, cfg.Region)
				}
				if kind == "Interface" && !ep.Bool("privateDnsEnabled") {
					t.Errorf("interface endpoint %s has no private DNS", svc)
				}
				delete(want, short)
			}
			if len(want) != 0 {
				t.Errorf("missing endpoints: %v", want)
			}
		})
	}
}
