package tests

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/londonaicentre/flip-hub/compute"
	"github.com/londonaicentre/flip-hub/config"
	"github.com/londonaicentre/flip-hub/internal/plan"
	"github.com/londonaicentre/flip-hub/network"
	"github.com/londonaicentre/flip-hub/trusts"
)

const (
	trTypeBytes   = "random:index/randomBytes:RandomBytes"
	trTypeCommand = "command:local:Command"
)

// trSlots is the kit-slot pool every plan of this file uses, so that plans with different
// numbers of trusts differ only by their trusts.
const trSlots = 50

// trConfig gives a stack n trusts t01…tNN, each with its own egress network, and a pool of
// trSlots kit slots.
func trConfig(n int) func(tb testing.TB, c plan.StackConfig) {
	return func(tb testing.TB, c plan.StackConfig) {
		slots := make([]any, trSlots)
		for i := range slots {
			slots[i] = fmt.Sprintf("Trust_%d", i+1)
		}
		SetField(tb, c, config.KeyFL, "kitSlotNames", slots)
		EditTrusts(tb, c, func([]map[string]any) []map[string]any {
			out := make([]map[string]any, n)
			for i := range out {
				out[i] = map[string]any{
					"code":        trCode(i),
					"name":        fmt.Sprintf("Trust %d NHS Foundation Trust", i+1),
					"region":      "London",
					"egressCidrs": []any{fmt.Sprintf("198.51.100.%d/32", i+1)},
				}
			}
			return out
		})
	}
}

func trCode(i int) string { return fmt.Sprintf("t%02d", i+1) }

// trLayer is the trusts component of a graph.
func trLayer(t *testing.T, g *plan.Graph) plan.Resource {
	t.Helper()
	cs := g.ByType(trusts.TypeToken)
	if len(cs) != 1 {
		t.Fatalf("%d trusts components; want 1", len(cs))
	}
	return cs[0]
}

// trHubDeploy is the compute layer's hub deploy: its local command.
func trHubDeploy(t *testing.T, g *plan.Graph) plan.Resource {
	t.Helper()
	var found []plan.Resource
	for _, r := range g.ByType(trTypeCommand) {
		if l, ok := g.ByURN(g.Layer(r)); ok && l.Type == compute.TypeToken {
			found = append(found, r)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d local commands in the compute layer; want the hub deploy alone", len(found))
	}
	return found[0]
}

// trPlaintexts are the values a trust gets from the seed the plan's mocks mint: its two keys and
// the hash.
func trPlaintexts(t *testing.T, code string) []string {
	t.Helper()
	seed := base64.StdEncoding.EncodeToString(plan.FakeRandomBytes(trusts.KeySeedResourceName, trusts.SeedBytes))
	key, svc, err := trusts.DeriveKeys(seed, code, 0)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(key))
	return []string{key, svc, hex.EncodeToString(sum[:])}
}

func TestTrustsLayer(t *testing.T) {
	t.Parallel()
	for _, stack := range Stacks {
		for _, n := range []int{0, 2, 50} {
			t.Run(fmt.Sprintf("%s/%d trusts", stack, n), func(t *testing.T) {
				t.Parallel()
				g := MustPlanWith(t, stack, trConfig(n))
				layer := trLayer(t, g)
				if layer.Parent == "" || !strings.HasSuffix(layer.Parent, "pulumi:pulumi:Stack::flip-hub-"+stack) {
					t.Errorf("the trusts component's parent is %q; want the stack", layer.Parent)
				}
				if kids := g.Children(layer.URN); len(kids) != n+1 {
					t.Fatalf("%d resources in the trusts layer; want the key seed and one per trust (%d)", len(kids), n+1)
				}
				seed, ok := g.Get(trTypeBytes, trusts.KeySeedResourceName)
				switch {
				case !ok || seed.Parent != layer.URN:
					t.Fatal("the key seed is missing or outside the trusts layer")
				case !strings.Contains(seed.Provider, "pulumi:providers:random::random"):
					t.Errorf("key seed provider %q; want the stack's explicit random provider", seed.Provider)
				case seed.Number("length") != trusts.SeedBytes || seed.Inputs["keepers"] != nil:
					t.Errorf("key seed: length %v, keepers %v; want %d bytes and no keepers", seed.Inputs["length"], seed.Inputs["keepers"], trusts.SeedBytes)
				}
				if n == 0 {
					return
				}
				deploy := trHubDeploy(t, g)
				rds := g.ByType("aws:rds/instance:Instance")
				hosts := g.ByType("aws:ec2/instance:Instance")
				if len(rds) != 1 || len(hosts) != 1 {
					t.Fatalf("%d RDS instances and %d EC2 instances; want one of each", len(rds), len(hosts))
				}
				hostID := plan.FakeIDFor(hosts[0].Type, hosts[0].Name)
				var graphJSON bytes.Buffer
				if err := plan.WriteJSON(&graphJSON, g); err != nil {
					t.Fatal(err)
				}
				for i := range n {
					code := trCode(i)
					cmd, ok := g.Get(trTypeCommand, code+"-register")
					if !ok || cmd.Parent != layer.URN {
						t.Fatalf("%s-register missing or outside the trusts layer", code)
					}
					if !strings.Contains(cmd.Provider, "pulumi:providers:command::command") {
						t.Errorf("%s-register provider %q; want the stack's explicit command provider", code, cmd.Provider)
					}
					wantDelete := "hubctl trust deregister --code " + code
					if stack == "stag" {
						wantDelete += " --force" // a disposable hub's trust links are disposable too
					}
					wantDelete += " --protocol 1"
					for k, v := range map[string]string{
						"create":                               "hubctl trust register --code " + code + " --protocol 1",
						"update":                               "", // none: pulumi-command reruns create
						"delete":                               wantDelete,
						"environment." + trusts.EnvDBName:      "flip",
						"environment." + trusts.EnvDBPort:      "5432",
						"environment." + trusts.EnvAWSRegion:   "eu-west-2",
						"environment." + trusts.EnvAPIKeyHash:  plan.Secret,
						"environment." + trusts.EnvTrustRegion: "London",
						"environment." + trusts.EnvInstanceID:  hostID,
					} {
						if got := cmd.String(k); got != v {
							t.Errorf("%s-register %s = %q; want %q", code, k, got, v)
						}
					}
					if h := cmd.String("environment." + trusts.EnvDBHost); !strings.HasPrefix(h, rds[0].String("identifier")+".") || !strings.HasSuffix(h, ".rds.amazonaws.com") {
						t.Errorf("%s-register connects to %q; want the RDS endpoint of %s", code, h, rds[0].String("identifier"))
					}
					if !strings.Contains(cmd.String("environment."+trusts.EnvDBSecretARN), ":secret:rds!") {
						t.Errorf("%s-register reads %q; want the RDS-managed master secret", code, cmd.String("environment."+trusts.EnvDBSecretARN))
					}
					if !slices.Contains(cmd.Dependencies, deploy.URN) {
						t.Errorf("%s-register does not wait for the hub deploy %s", code, deploy.URN)
					}
					if !slices.Contains(cmd.SecretInputs, "environment") {
						t.Errorf("%s-register's environment is not secret-marked", code)
					}
					for _, s := range trPlaintexts(t, code) {
						if strings.Contains(graphJSON.String(), s) {
							t.Errorf("trust %s: a key or its hash appears in the recorded graph", code)
						}
					}
				}
			})
		}
	}
}

// trOwned reports whether a resource name belongs to one of the codes: the trusts layer names
// resources <code>-….
func trOwned(g *plan.Graph, urn string, codes []string) bool {
	r, _ := g.ByURN(urn)
	for _, c := range codes {
		if strings.HasPrefix(r.Name, c+"-") || ownedBy(r, c) {
			return true
		}
	}
	return false
}

// trNetworkShared is what the network layer adds for the first trust and removes with the last:
// the prefix list of the trusts' egress networks and the NLB rule that admits it.
var trNetworkShared = []string{network.TrustNetworksName, network.TrustNetworksRuleName}

func TestTrustsGraphDiff(t *testing.T) {
	t.Parallel()
	codes := func(from, to int) []string {
		var out []string
		for i := from; i < to; i++ {
			out = append(out, trCode(i))
		}
		return out
	}
	cases := []struct {
		name          string
		before, after int
	}{
		{"none to two", 0, 2},
		{"two to fifty", 2, 50},
		{"fifty to two", 50, 2},
		{"two to none", 2, 0},
	}
	for _, stack := range Stacks {
		for _, tc := range cases {
			t.Run(stack+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				before := MustPlanWith(t, stack, trConfig(tc.before))
				after := MustPlanWith(t, stack, trConfig(tc.after))
				d := DiffGraphs(before, after, nil)
				// Between two non-empty lists, the prefix list is the one resource that stays and
				// changes (its entries); from or to none, it comes or goes with its rule.
				shared := min(tc.before, tc.after) == 0
				if changed := d.ChangedURNs(); (shared && len(changed) > 0) ||
					(!shared && (len(changed) != 1 || blName(changed[0]) != network.TrustNetworksName)) {
					t.Errorf("resources that stay change:\n%s", d)
				}
				grown, shrunk := d.Added, d.Removed
				moved := codes(min(tc.before, tc.after), max(tc.before, tc.after))
				bigger := after
				if tc.after < tc.before {
					grown, shrunk = shrunk, grown
					bigger = before
				}
				if len(shrunk) > 0 {
					t.Errorf("going from %d to %d trusts also moves resources the other way:\n%s", tc.before, tc.after, d)
				}
				// Per trust: its registration (its keys come from the seed, which stays).
				want := len(moved)
				if shared {
					want += len(trNetworkShared)
				}
				if len(grown) != want {
					t.Errorf("%d resources come or go for %d trusts; want %d:\n%s", len(grown), len(moved), want, d)
				}
				for _, u := range grown {
					if ofNetwork := shared && slices.Contains(trNetworkShared, blName(u)); !trOwned(bigger, u, moved) && !ofNetwork {
						t.Errorf("%s comes or goes, but belongs to none of the trusts %v", u, moved)
					}
				}
			})
		}
	}
}
