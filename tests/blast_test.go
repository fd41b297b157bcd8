package tests

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/londonaicentre/flip-hub/config"
	"github.com/londonaicentre/flip-hub/internal/compliance"
	"github.com/londonaicentre/flip-hub/internal/plan"
	"github.com/londonaicentre/flip-hub/network"
)

// Blast radius: plan a stack, change one thing in its config, plan again, and require
// that only what that change is about would change.

func blName(urn string) string { return urn[strings.LastIndex(urn, "::")+2:] }

func blType(g *plan.Graph, urn string) string {
	r, _ := g.ByURN(urn)
	return r.Type
}

// ownedBy reports whether a resource is trust code's: named after it.
func ownedBy(r plan.Resource, code string) bool { return strings.Contains(r.Name, code) }

// trustNetworks returns the entries of the trusts' prefix list: CIDR → description.
func trustNetworks(t *testing.T, g *plan.Graph) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, l := range g.ByType(compliance.TypePrefixList) {
		if l.Name != network.TrustNetworksName {
			continue
		}
		for _, e := range l.List("entries") {
			m, _ := e.(map[string]any)
			cidr, _ := m["cidr"].(string)
			out[cidr], _ = m["description"].(string)
		}
	}
	return out
}

// onlyPrefixListChanged fails unless the trusts' prefix list is the one changed resource.
func onlyPrefixListChanged(t *testing.T, d GraphDiff, g *plan.Graph) {
	t.Helper()
	changed := d.ChangedURNs()
	if len(changed) != 1 || blName(changed[0]) != network.TrustNetworksName || blType(g, changed[0]) != compliance.TypePrefixList {
		t.Errorf("changed %v; want only the trusts' prefix list:\n%s", changed, d)
	}
}

// blHubDeploy is the hub deploy command: the local command that runs `hubctl host run`.
func blHubDeploy(t *testing.T, g *plan.Graph) plan.Resource {
	t.Helper()
	for _, r := range g.ByType(compliance.TypeLocalCommand) {
		if strings.Contains(r.String("create"), "host run") {
			return r
		}
	}
	t.Fatal("no hub deploy command (a command:local:Command running `hubctl host run`)")
	return plan.Resource{}
}

func blNewTrust(code string, cidrs ...string) map[string]any {
	l := make([]any, len(cidrs))
	for i, c := range cidrs {
		l[i] = c
	}
	return map[string]any{"code": code, "name": "Trust " + code, "region": "London", "egressCidrs": l}
}

func TestBlastImageTags(t *testing.T) {
	t.Parallel()
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			before := Plan(t, stack)
			after := MustPlanWith(t, stack, func(tb testing.TB, c plan.StackConfig) {
				SetField(tb, c, config.KeyImages, "tag", "sha-1a2b3c4")
				SetField(tb, c, config.KeyImages, "flTag", "sha-5d6e7f8")
			})
			d := DiffGraphs(before, after, nil)
			deploy := blHubDeploy(t, after)
			if len(d.Added) > 0 || len(d.Removed) > 0 {
				t.Errorf("image tags add or remove resources:\n%s", d)
			}
			for _, u := range d.ChangedURNs() {
				if u != deploy.URN {
					t.Errorf("image tags change %s %v; only the hub deploy may change", u, d.Changed[u])
				}
			}
			if _, ok := d.Changed[deploy.URN]; !ok {
				t.Errorf("image tags leave the hub deploy unchanged: nothing would roll the new images out")
			}
		})
	}
}

func TestBlastAddTrust(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		cidrs []string
		edit  func([]map[string]any) []map[string]any
	}{
		{"appended", []string{"192.0.2.16/28", "192.0.2.64/28"}, func(ts []map[string]any) []map[string]any {
			return append(ts, blNewTrust("kch", "192.0.2.16/28", "192.0.2.64/28"))
		}},
		{"inserted first", []string{"192.0.2.16/28"}, func(ts []map[string]any) []map[string]any {
			return append([]map[string]any{blNewTrust("kch", "192.0.2.16/28")}, ts...)
		}},
	}
	for _, stack := range Stacks {
		for _, tc := range tests {
			t.Run(stack+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				before := Plan(t, stack)
				after := MustPlanWith(t, stack, func(tb testing.TB, c plan.StackConfig) { EditTrusts(tb, c, tc.edit) })
				d := DiffGraphs(before, after, nil)
				if len(d.Removed) > 0 {
					t.Errorf("adding a trust removes resources:\n%s", d)
				}
				for _, u := range d.Added {
					if r, _ := after.ByURN(u); !ownedBy(r, "kch") {
						t.Errorf("adding trust kch adds %s, which is not the trust's", u)
					}
				}
				// Its networks join the prefix list; no other entry changes.
				onlyPrefixListChanged(t, d, after)
				was, is := trustNetworks(t, before), trustNetworks(t, after)
				for _, c := range []string{"192.0.2.16/28", "192.0.2.64/28"}[:len(tc.cidrs)] {
					if is[c] != network.TrustNetworkDescription([]string{"kch"}) {
						t.Errorf("kch's network %s is %q in the prefix list", c, is[c])
					}
					delete(is, c)
				}
				if !maps.Equal(was, is) {
					t.Errorf("adding kch changes other entries: %v -> %v", was, is)
				}
			})
		}
	}
}

func TestBlastRemoveTrust(t *testing.T) {
	t.Parallel()
	before := Plan(t, "prod")
	after := MustPlanWith(t, "prod", func(tb testing.TB, c plan.StackConfig) {
		EditTrusts(tb, c, func(ts []map[string]any) []map[string]any { return ts[1:] })
	})
	d := DiffGraphs(before, after, nil)
	if len(d.Added) > 0 || len(d.Removed) == 0 {
		t.Errorf("removing trust gstt should only remove its resources:\n%s", d)
	}
	for _, u := range d.Removed {
		if r, _ := before.ByURN(u); !ownedBy(r, "gstt") {
			t.Errorf("removing trust gstt removes %s", u)
		}
	}
	// Its networks leave the prefix list; no other entry changes.
	onlyPrefixListChanged(t, d, after)
	was, is := trustNetworks(t, before), trustNetworks(t, after)
	for c, desc := range was {
		if desc == network.TrustNetworkDescription([]string{"gstt"}) {
			delete(was, c)
		}
	}
	if !maps.Equal(was, is) {
		t.Errorf("removing gstt leaves the prefix list %v; want %v", is, was)
	}
}

// TestBlastRotateTrustKeys: a trust's keys are derived from the one key seed and its rotation, so
// raising the rotation adds, removes and replaces nothing; what changes is secret (its keys, and
// the hash in its register command's environment), masked in the recorded graph. The engine suite
// ("rotating a trust's keys keeps its id and slot") sees the register command update and the
// stored hash change.
func TestBlastRotateTrustKeys(t *testing.T) {
	t.Parallel()
	before := Plan(t, "prod")
	after := MustPlanWith(t, "prod", func(tb testing.TB, c plan.StackConfig) {
		EditTrusts(tb, c, func(ts []map[string]any) []map[string]any { ts[1]["rotation"] = 1; return ts })
	})
	if d := DiffGraphs(before, after, nil); len(d.Added)+len(d.Removed)+len(d.Changed) > 0 {
		t.Fatalf("rotating uclh's keys changes more than secrets:\n%s", d)
	}
}

func TestBlastPriceClass(t *testing.T) {
	t.Parallel()
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			before := Plan(t, stack)
			after := MustPlanWith(t, stack, func(tb testing.TB, c plan.StackConfig) {
				SetField(tb, c, config.KeyEdge, "priceClass", "PriceClass_200")
			})
			d := DiffGraphs(before, after, nil)
			dists := after.ByType(compliance.TypeDistribution)
			if len(dists) != 1 {
				t.Fatalf("%d distributions; want 1", len(dists))
			}
			if len(d.Added) > 0 || len(d.Removed) > 0 || len(d.Changed) != 1 || !slices.Equal(d.Changed[dists[0].URN], []string{"inputs.priceClass"}) {
				t.Errorf("the price class should change only the distribution's priceClass:\n%s", d)
			}
		})
	}
}

// blEnvironmentKeys are the config fields whose defaults the environment decides
// (config/defaults.go, the environment table); the flip test leaves them to defaults.
var blEnvironmentKeys = map[string][]string{
	config.KeyNetwork:  {"natGateways"},
	config.KeyDatabase: {"multiAz", "backupRetentionDays", "deletionProtection", "finalSnapshot", "monitoringIntervalSeconds"},
	config.KeyHost:     {"detailedMonitoring"},
	config.KeyEdge:     {"deletionProtection", "waf"},
	config.KeyIdentity: {"threatProtection", "deletionProtection", "domainPrefix"},
}

// blEnvironmentTable says what a stag→prod flip may change, by resource type: input
// keys and options. It is the environment table of ARCHITECTURE.md in graph terms.
var blEnvironmentTable = map[string][]string{
	"pulumi:providers:aws": {"inputs.defaultTags"},
	// deletion protection, final snapshot, multi-AZ, backups, enhanced monitoring, protect
	compliance.TypeRDSInstance: {"inputs.multiAz", "inputs.backupRetentionPeriod", "inputs.deletionProtection",
		"inputs.skipFinalSnapshot", "inputs.finalSnapshotIdentifier", "inputs.deleteAutomatedBackups",
		"inputs.monitoringInterval", "inputs.monitoringRoleArn", "inputs.applyImmediately", "protect"},
	// persistent resources: protected in prod; deletion windows 7 → 30 days
	compliance.TypeKMSKey:                            {"inputs.deletionWindowInDays", "protect"},
	"aws:kms/alias:Alias":                            {"protect"},
	compliance.TypeSecret:                            {"inputs.recoveryWindowInDays", "protect"},
	"aws:secretsmanager/secretVersion:SecretVersion": {"protect"},
	"random:index/randomBytes:RandomBytes":           {"protect"},
	compliance.TypeBucket:                            {"inputs.forceDestroy", "protect", "retainOnDelete"},
	// log retention 30 → 365 days (log groups, and the log bucket's expiry); prod keeps the
	// log bucket and its configuration on destroy
	compliance.TypeLogGroup:         {"inputs.retentionInDays"},
	compliance.TypeBucketLifecycle:  {"inputs.rules", "retainOnDelete", "deletedWith"},
	compliance.TypeBucketOwnership:  {"retainOnDelete", "deletedWith"},
	compliance.TypeBucketPolicy:     {"retainOnDelete", "deletedWith"},
	compliance.TypeBucketPAB:        {"retainOnDelete", "deletedWith"},
	compliance.TypeBucketSSE:        {"retainOnDelete", "deletedWith"},
	compliance.TypeBucketVersioning: {"retainOnDelete", "deletedWith"},
	compliance.TypeBucketLogging:    {"retainOnDelete", "deletedWith"},
	// NAT gateways: one per zone
	"aws:ec2/route:Route": {"inputs.natGatewayId"},
	// load balancer and user pool deletion protection, threat protection enforced
	compliance.TypeLB:          {"inputs.enableDeletionProtection"},
	compliance.TypeCognitoPool: {"inputs.deletionProtection", "inputs.userPoolAddOns", "protect"},
	// the admin user is persistent like the pool: protected in prod
	"aws:cognito/user:User": {"protect"},
	// detailed monitoring of the hub host
	compliance.TypeEC2Instance: {"inputs.monitoring"},
	// a disposable stag deregisters a removed trust by force (config ForceDeregister)
	compliance.TypeLocalCommand: {"inputs.delete"},
}

// blEnvironmentAdds are the resources prod has and stag lacks: a NAT gateway (and its
// address) per zone, and the enhanced-monitoring role of RDS.
var blEnvironmentAdds = map[string]bool{
	"aws:ec2/natGateway:NatGateway":                     true,
	"aws:ec2/eip:Eip":                                   true,
	compliance.TypeIAMRole:                              true,
	"aws:iam/rolePolicyAttachment:RolePolicyAttachment": true,
}

// blHex matches the hashes the mocks put in IDs and ARNs.
var blHex = regexp.MustCompile(`[0-9a-f]{6,}`)

func TestBlastEnvironmentFlip(t *testing.T) {
	t.Parallel()
	defaults := func(tb testing.TB, c plan.StackConfig) {
		delete(c.Values, config.KeyLogRetentionDays)
		for key, fields := range blEnvironmentKeys {
			for _, f := range fields {
				SetField(tb, c, key, f, nil)
			}
		}
	}
	stag := MustPlanWith(t, "stag", defaults)
	prod := MustPlanWith(t, "stag", func(tb testing.TB, c plan.StackConfig) {
		defaults(tb, c)
		c.Values[config.KeyEnvironment] = "prod"
	})
	// Physical names start with flip-<environment>, and the mocks derive IDs and ARNs
	// from names with short hashes: neither is a change of substance.
	prefix := strings.NewReplacer("flip-stag", "flip-ENV", "flip-prod", "flip-ENV")
	norm := func(s string) string { return blHex.ReplaceAllString(prefix.Replace(s), "#") }
	d := DiffGraphs(stag, prod, norm)
	if len(d.Removed) > 0 {
		t.Errorf("the flip removes resources:\n%s", d)
	}
	for _, u := range d.Added {
		if !blEnvironmentAdds[blType(prod, u)] {
			t.Errorf("the flip adds %s, which the environment table does not call for", u)
		}
	}
	for _, u := range d.ChangedURNs() {
		allowed := blEnvironmentTable[blType(prod, u)]
		for _, k := range d.Changed[u] {
			if !slices.Contains(allowed, k) {
				t.Errorf("the flip changes %s of %s, which the environment table does not call for", k, u)
			}
		}
	}
	// And it does change what the table says: the guard rails turn on.
	for _, typ := range []string{compliance.TypeRDSInstance, compliance.TypeLB, compliance.TypeCognitoPool, compliance.TypeLogGroup, "aws:ec2/natGateway:NatGateway"} {
		touched := false
		for _, u := range append(d.Added, d.ChangedURNs()...) {
			touched = touched || blType(prod, u) == typ
		}
		if !touched {
			t.Errorf("the flip leaves every %s as in stag", typ)
		}
	}
	if t.Failed() {
		t.Logf("diff:\n%s", d)
	}
}

// Trusts behind one NAT share one prefix-list entry that names them all: a prefix list holds a
// CIDR once, and adding the trust only renames the entry.
func TestBlastSharedEgressNetwork(t *testing.T) {
	t.Parallel()
	before := Plan(t, "stag")
	var shared string
	after := MustPlanWith(t, "stag", func(tb testing.TB, c plan.StackConfig) {
		EditTrusts(tb, c, func(ts []map[string]any) []map[string]any {
			shared = ts[0]["egressCidrs"].([]any)[0].(string)
			return append(ts, blNewTrust("kch", shared))
		})
	})
	d := DiffGraphs(before, after, nil)
	onlyPrefixListChanged(t, d, after)
	was, is := trustNetworks(t, before), trustNetworks(t, after)
	if len(was) != len(is) {
		t.Errorf("prefix list entries %v -> %v; want the same networks", was, is)
	}
	if want := network.TrustNetworkDescription([]string{"gstt", "kch"}); is[shared] != want {
		t.Errorf("shared entry %s is %q; want %q", shared, is[shared], want)
	}
}
