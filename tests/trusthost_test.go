package tests

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/londonaicentre/flip-hub/config"
	"github.com/londonaicentre/flip-hub/internal/compliance"
	"github.com/londonaicentre/flip-hub/internal/compliance/planview"
	"github.com/londonaicentre/flip-hub/internal/iamdoc"
	"github.com/londonaicentre/flip-hub/internal/plan"
	"github.com/londonaicentre/flip-hub/internal/ssmrun"
	"github.com/londonaicentre/flip-hub/network"
	"github.com/londonaicentre/flip-hub/trusthost"
)

const (
	thTypeIngress    = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
	thTypeEgress     = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
	thTypePrefixList = "aws:ec2/managedPrefixList:ManagedPrefixList"
	thTypeEIP        = "aws:ec2/eip:Eip"
	thTypeSecret     = "aws:secretsmanager/secret:Secret"
)

// awsHosted makes the stack's first trust AWS-hosted (no egress networks of its own) and selects
// the FL backend.
func awsHosted(backend string) mutation {
	return func(tb testing.TB, c plan.StackConfig) {
		EditTrusts(tb, c, func(ts []map[string]any) []map[string]any {
			if len(ts) == 0 {
				ts = append(ts, map[string]any{"code": "gstt", "name": "Guy's and St Thomas' NHS Foundation Trust", "region": "London"})
			}
			ts[0]["hosting"] = "aws"
			delete(ts[0], "egressCidrs")
			return ts
		})
		SetField(tb, c, config.KeyFL, "backend", backend)
		SetField(tb, c, config.KeyFL, "port", nil)
	}
}

// trustHostCase is one plan with an AWS-hosted trust: a stack and a backend.
type trustHostCase struct {
	stack, backend string
	g              *plan.Graph
	cfg            *config.Config
}

func trustHostCases(t *testing.T) []trustHostCase {
	t.Helper()
	var out []trustHostCase
	for _, stack := range Stacks {
		for _, backend := range []string{"nvflare", "flower"} {
			m := awsHosted(backend)
			out = append(out, trustHostCase{stack, backend, MustPlanWith(t, stack, m), compConfig(t, stack, m)})
		}
	}
	return out
}

// TestTrustHost: the trust host of an AWS-hosted trust, for both stacks and both backends, is
// upstream's trust_ec2 with the hub host's hardening: a private instance with no public address,
// no key pair, IMDSv2 with hop limit 2, an encrypted 100 GB gp3 root volume under the stack key,
// the Ubuntu AMI from SSM with later AMIs ignored, and prod's protections.
func TestTrustHost(t *testing.T) {
	t.Parallel()
	for _, tc := range trustHostCases(t) {
		t.Run(tc.stack+"/"+tc.backend, func(t *testing.T) {
			code := tc.cfg.Trusts[0].Code
			l := layerOf(t, tc.g, trusthost.TypeToken)
			inst := l.one(t, compTypeInstance)
			prod := tc.stack == "prod"
			for _, c := range []struct {
				what      string
				got, want any
			}{
				{"name", inst.Name, trusthost.ResourceName(code, "host")},
				{"instanceType", inst.String("instanceType"), trusthost.DefaultInstanceType},
				{"associatePublicIpAddress", inst.Bool("associatePublicIpAddress"), false},
				{"keyName", inst.String("keyName"), ""},
				{"httpTokens", inst.String("metadataOptions.httpTokens"), "required"},
				{"hop limit", inst.Number("metadataOptions.httpPutResponseHopLimit"), float64(2)},
				{"root encrypted", inst.Bool("rootBlockDevice.encrypted"), true},
				{"root type", inst.String("rootBlockDevice.volumeType"), "gp3"},
				{"root size", inst.Number("rootBlockDevice.volumeSize"), float64(100)},
				{"root key", inst.String("rootBlockDevice.kmsKeyId") != "", true},
				{"profile", inst.String("iamInstanceProfile") != "", true},
				{"protect", inst.Protect, prod},
				{"termination protection", inst.Bool("disableApiTermination"), prod},
				{"ignores ami", slices.Contains(inst.IgnoreChanges, "ami"), true},
			} {
				if fmt.Sprint(c.got) != fmt.Sprint(c.want) {
					t.Errorf("trust host %s = %v; want %v", c.what, c.got, c.want)
				}
			}
			// In a private subnet of the hub's VPC.
			private := map[string]bool{}
			for _, s := range tc.g.ByType(compTypeSubnet) {
				if strings.Contains(s.Name, "private") {
					private[plan.FakeIDFor(compTypeSubnet, s.Name)] = true
				}
			}
			if !private[inst.String("subnetId")] {
				t.Errorf("trust host subnet %q is not a private subnet of the hub (%v)", inst.String("subnetId"), private)
			}
			if n := len(tc.g.ByType(trusthost.TypeToken)); n != 1 {
				t.Errorf("%d trust hosts for one AWS-hosted trust", n)
			}
		})
	}
}

// TestTrustHostNetwork: no port 22 anywhere and no ingress to the trust host at all; it reaches
// out on HTTPS, HTTP (apt) and the FL port only; and its egress (the NAT gateways' addresses)
// joins the FL prefix list for it, which stays sized to its entries.
func TestTrustHostNetwork(t *testing.T) {
	t.Parallel()
	for _, tc := range trustHostCases(t) {
		t.Run(tc.stack+"/"+tc.backend, func(t *testing.T) {
			code := tc.cfg.Trusts[0].Code
			l := layerOf(t, tc.g, trusthost.TypeToken)
			sg := l.one(t, compTypeSG)
			sgID := plan.FakeIDFor(compTypeSG, sg.Name)
			for _, r := range tc.g.ByType(thTypeIngress) {
				if r.String("securityGroupId") == sgID {
					t.Errorf("ingress rule %s admits traffic to the trust host", r.Name)
				}
			}
			for _, typ := range []string{thTypeIngress, thTypeEgress} {
				for _, r := range tc.g.ByType(typ) {
					if from, to := r.Number("fromPort"), r.Number("toPort"); from <= 22 && 22 <= to || r.String("ipProtocol") == "-1" {
						t.Errorf("%s %s covers port 22 (%v-%v %s)", typ, r.Name, from, to, r.String("ipProtocol"))
					}
				}
			}
			var ports []float64
			for _, r := range l.byType[thTypeEgress] {
				if r.String("securityGroupId") != sgID {
					t.Errorf("egress rule %s is not on the trust host's group", r.Name)
				}
				ports = append(ports, r.Number("fromPort"))
			}
			slices.Sort(ports)
			want := []float64{80, 443, float64(tc.cfg.FL.Port)}
			slices.Sort(want)
			if !slices.Equal(ports, want) {
				t.Errorf("trust host egress ports %v; want %v", ports, want)
			}

			lists := tc.g.ByType(thTypePrefixList)
			if len(lists) != 1 {
				t.Fatalf("%d prefix lists; want the one of the trusts' networks", len(lists))
			}
			entries := map[string]string{}
			for _, e := range lists[0].List("entries") {
				m, _ := e.(map[string]any)
				entries[fmt.Sprint(m["cidr"])] = fmt.Sprint(m["description"])
			}
			eips := tc.g.ByType(thTypeEIP)
			if len(eips) != tc.cfg.Network.NATGateways {
				t.Fatalf("%d NAT EIPs; want %d", len(eips), tc.cfg.Network.NATGateways)
			}
			for _, e := range eips {
				ip := plan.FakeEIP(e.Name) + "/32"
				if d, ok := entries[ip]; !ok || d != network.TrustNetworkDescription([]string{code}) {
					t.Errorf("prefix list entry for NAT address %s = %q (present %v); want %q", ip, d, ok, network.TrustNetworkDescription([]string{code}))
				}
			}
			if got := lists[0].Number("maxEntries"); int(got) != len(entries) {
				t.Errorf("prefix list maxEntries %v; want its %d entries", got, len(entries))
			}
			for _, other := range tc.cfg.Trusts[1:] {
				for _, c := range other.EgressCIDRs {
					if _, ok := entries[c]; !ok {
						t.Errorf("on-prem trust %s network %s left the prefix list", other.Code, c)
					}
				}
			}
		})
	}
}

// TestTrustHostRoleScope: the trust host's role has SSM and the CloudWatch agent, reads its own
// kit secret and its own slot's FL material in the kits bucket, and nothing else of the hub: no
// other secret, bucket or prefix, no wildcard resource, no write.
func TestTrustHostRoleScope(t *testing.T) {
	t.Parallel()
	for _, tc := range trustHostCases(t) {
		t.Run(tc.stack+"/"+tc.backend, func(t *testing.T) {
			code := tc.cfg.Trusts[0].Code
			l := layerOf(t, tc.g, trusthost.TypeToken)
			var managed []string
			for _, a := range l.byType[compTypeAttachPol] {
				managed = append(managed, a.String("policyArn"))
			}
			slices.Sort(managed)
			if fmt.Sprint(managed) != "[arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy]" {
				t.Errorf("managed policies %v; want SSM and the CloudWatch agent only", managed)
			}
			var doc iamdoc.Document
			if err := json.Unmarshal([]byte(l.one(t, compTypeRolePolicy).String("policy")), &doc); err != nil {
				t.Fatal(err)
			}
			secret := l.one(t, thTypeSecret)
			if secret.String("name") != trusthost.KitSecretName("flip-"+tc.stack, code) {
				t.Errorf("kit secret name %q", secret.String("name"))
			}
			slotPrefix := "fl-flare-participant-kits/" + tc.cfg.FL.KitDate + "/net-1/services/" + plan.PlannedSlot + "/"
			if tc.backend == "flower" {
				slotPrefix = "fl-flower-participant-kits/" + tc.cfg.FL.KitDate + "/net-1/"
			}
			var resources []string
			for _, s := range doc.Statement {
				if s.Effect != iamdoc.Allow {
					continue
				}
				for _, a := range s.Action {
					if !slices.Contains([]string{"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret", "kms:Decrypt", "s3:ListBucket", "s3:GetObject"}, a) {
						t.Errorf("statement %s allows %s; the trust host only reads", s.Sid, a)
					}
				}
				for _, r := range s.Resource {
					resources = append(resources, r)
					switch {
					case strings.Contains(r, "*") && !strings.HasSuffix(r, "/"+slotPrefix+"*"):
						t.Errorf("statement %s names %s: a wildcard outside the slot's kit", s.Sid, r)
					case strings.HasPrefix(r, "arn:aws:secretsmanager:") && !strings.Contains(r, ":secret:"+trusthost.KitSecretName("flip-"+tc.stack, code)+"-"):
						t.Errorf("statement %s reads secret %s, not the trust's kit", s.Sid, r)
					case strings.HasPrefix(r, "arn:aws:s3:::") && strings.Contains(r, "/") && !strings.Contains(r, "/"+slotPrefix):
						t.Errorf("statement %s reads %s, outside the slot's kit %s", s.Sid, r, slotPrefix)
					}
				}
			}
			if tc.backend == "flower" {
				for _, want := range []string{slotPrefix + "certificates/ca.crt", slotPrefix + "keys/supernode_credentials_0"} {
					if !slices.ContainsFunc(resources, func(r string) bool { return strings.HasSuffix(r, "/"+want) }) {
						t.Errorf("flower host cannot read %s (resources %v)", want, resources)
					}
				}
				if slices.ContainsFunc(resources, func(r string) bool { return strings.Contains(r, "server.key") || strings.HasSuffix(r, "keys/*") }) {
					t.Errorf("flower host may read the server key or every SuperNode key: %v", resources)
				}
			}
			// Nothing of the hub: no other bucket and no hub secret.
			for _, b := range tc.g.ByType("aws:s3/bucketV2:BucketV2") {
				name := b.String("bucket")
				if name == "" || strings.Contains(name, "kits") {
					continue
				}
				for _, r := range resources {
					if strings.Contains(r, ":::"+name) {
						t.Errorf("trust host role reaches hub bucket %s", name)
					}
				}
			}
		})
	}
}

// TestTrustHostDeploy: the trust deploy is a hubctl host run on the trust host, re-run when the
// image tags, the kit (its secret's version) or the rendered content change, waiting for the hub
// deploy; no input of it, nor of any other trust host resource but the kit's value, is a secret.
func TestTrustHostDeploy(t *testing.T) {
	t.Parallel()
	for _, tc := range trustHostCases(t) {
		t.Run(tc.stack+"/"+tc.backend, func(t *testing.T) {
			l := layerOf(t, tc.g, trusthost.TypeToken)
			inst := l.one(t, compTypeInstance)
			cmd := l.one(t, compTypeCommand)
			create := cmd.String("create")
			if !strings.Contains(create, "host run --instance '"+plan.FakeIDFor(compTypeInstance, inst.Name)+"'") ||
				!strings.HasSuffix(create, "--script - --protocol 1") {
				t.Errorf("create %q: want hubctl host run on the trust host, script on stdin", create)
			}
			triggers, _ := cmd.Inputs["triggers"].([]any)
			version := l.one(t, compTypeSecretVer)
			for _, want := range []string{tc.cfg.Images.Tag, tc.cfg.Images.FLTag} {
				if !slices.Contains(triggers, any(want)) {
					t.Errorf("triggers %v lack %q", triggers, want)
				}
			}
			if cmd.DeletedWith != inst.URN {
				t.Errorf("deploy deletedWith %q; want the host", cmd.DeletedWith)
			}
			hubDeploy := ByTypeIn(tc.g, compTypeCommand, "flip:compute:Compute")
			if len(hubDeploy) != 1 || !slices.Contains(cmd.Dependencies, hubDeploy[0].URN) || !slices.Contains(cmd.Dependencies, version.URN) {
				t.Errorf("trust deploy does not wait for the hub deploy and the kit (deps %v)", cmd.Dependencies)
			}
			stdin := cmd.String("stdin")
			for _, want := range []string{"readonly FL_BACKEND='" + tc.backend + "'", "compose.xnat.yml", "fl-client-net-1", "trust-api", "omop-db"} {
				if !strings.Contains(stdin, want) {
					t.Errorf("trust deploy script lacks %q", want)
				}
			}
			if !slices.Contains(version.SecretInputs, "secretString") {
				t.Errorf("the kit's value is not a secret input (%v)", version.SecretInputs)
			}
			for typ, rs := range l.byType {
				for _, r := range rs {
					if r.URN == version.URN {
						continue
					}
					if len(r.SecretInputs) > 0 && typ != "random:index/randomBytes:RandomBytes" {
						t.Errorf("%s %s has secret inputs %v", typ, r.Name, r.SecretInputs)
					}
					raw, _ := json.Marshal(r.Inputs)
					if err := ssmrun.CheckNoSecrets(string(raw), compSecrets(tc.g)...); err != nil {
						t.Errorf("%s %s: %v", typ, r.Name, err)
					}
				}
			}
		})
	}
}

// TestTrustHostKitChangeRedeploys: a change of the kit alone (here the trust's name, its TRUST_NAME)
// changes the trust deploy's triggers, so it re-runs with the new kit; the script stays the same.
// (The plan's random bytes do not follow a rotation; the engine suite rotates the keys.)
func TestTrustHostKitChangeRedeploys(t *testing.T) {
	t.Parallel()
	deploy := func(name string) plan.Resource {
		g := MustPlanWith(t, "stag", func(tb testing.TB, c plan.StackConfig) {
			awsHosted("nvflare")(tb, c)
			EditTrusts(tb, c, func(ts []map[string]any) []map[string]any { ts[0]["name"] = name; return ts })
		})
		return layerOf(t, g, trusthost.TypeToken).one(t, compTypeCommand)
	}
	before, after := deploy("Guy's and St Thomas' NHS Foundation Trust"), deploy("Guy's and St Thomas' NHS FT")
	if before.String("stdin") != after.String("stdin") {
		t.Error("a kit change changed the deploy script; the kit must reach the host through its secret only")
	}
	if fmt.Sprint(before.Inputs["triggers"]) == fmt.Sprint(after.Inputs["triggers"]) {
		t.Errorf("a kit change left the trust deploy's triggers %v unchanged", before.Inputs["triggers"])
	}
}

// TestTrustHostCompliance: every compliance rule passes on the trust host's resources (the
// exceptions for its egress carry their reasons).
func TestTrustHostCompliance(t *testing.T) {
	t.Parallel()
	for _, tc := range trustHostCases(t) {
		rep := planview.Evaluate(tc.g)
		for _, rr := range rep.Failed() {
			for _, f := range rr.Findings {
				if f.Verdict == compliance.Fail {
					t.Errorf("%s/%s: %s fails on %s %s: %v", tc.stack, tc.backend, rr.ID, f.Type, f.Name, f.Problems)
				}
			}
		}
	}
}

// TestTrustHostingConfig: hosting is onprem by default, aws on request, and anything else is
// refused naming the key; an AWS-hosted trust takes its egress from the hub and may not list its own.
func TestTrustHostingConfig(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		edit    func(map[string]any)
		wantKey string
	}{
		{"default onprem", func(map[string]any) {}, ""},
		{"aws", func(m map[string]any) { m["hosting"] = "aws"; delete(m, "egressCidrs") }, ""},
		{"unknown hosting", func(m map[string]any) { m["hosting"] = "azure" }, config.KeyTrusts + "[0].hosting"},
		{"aws with egress", func(m map[string]any) { m["hosting"] = "aws" }, config.KeyTrusts + "[0].egressCidrs"},
		{"onprem without egress", func(m map[string]any) { m["hosting"] = "onprem"; delete(m, "egressCidrs") }, config.KeyTrusts + "[0].egressCidrs"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := PlanWith(t, "stag", func(tb testing.TB, c plan.StackConfig) {
				EditTrusts(tb, c, func(ts []map[string]any) []map[string]any { tc.edit(ts[0]); return ts })
			})
			if tc.wantKey == "" {
				if err != nil {
					t.Fatalf("plan: %v", err)
				}
				return
			}
			errs := ConfigErrors(t, err)
			if !slices.Contains(errs.Keys(), tc.wantKey) {
				t.Errorf("errors %v; want one for %s", err, tc.wantKey)
			}
			if tc.name == "unknown hosting" && !strings.Contains(err.Error(), "want onprem") {
				t.Errorf("error %q does not say what a valid hosting is", err)
			}
		})
	}
}
