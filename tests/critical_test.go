package tests

import (
	"slices"
	"testing"

	"github.com/londonaicentre/flip-hub/internal/compliance"
	"github.com/londonaicentre/flip-hub/internal/plan"
)

// TestCriticalPathOfRealStacks computes each stack's deploy critical path from the
// recorded dependencies: every step waits for the one before it, the path is as long
// as the slowest resource's finish, and it is logged for the README.
func TestCriticalPathOfRealStacks(t *testing.T) {
	t.Parallel()
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			g := Plan(t, stack)
			cp, err := plan.Critical(g, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(cp.Steps) < 2 || cp.TotalMinutes <= 0 {
				t.Fatalf("critical path %+v", cp)
			}
			for i := 1; i < len(cp.Steps); i++ {
				r, _ := g.ByURN(cp.Steps[i].URN)
				if !slices.Contains(plan.Waits(g, r), cp.Steps[i-1].URN) {
					t.Errorf("step %s does not wait for %s", cp.Steps[i].URN, cp.Steps[i-1].URN)
				}
			}
			for _, r := range g.Custom() {
				if m := plan.TypicalMinutes(r); m > cp.TotalMinutes {
					t.Errorf("%s alone takes %.1f min, longer than the path's %.1f", r.URN, m, cp.TotalMinutes)
				}
			}
			for _, s := range cp.Steps {
				t.Logf("%s: %6.1f +%5.1f %s %s", stack, s.Finish, s.Minutes, s.Type, s.Name)
			}
		})
	}
}

// TestNothingNeedlesslyWaitsOnCloudFront: CloudFront takes many minutes to deploy, so
// only what cannot exist without it may wait for it, directly or through others: the
// site's DNS records (aliases to the distribution) and the UI bucket policy (origin access
// control names the distribution's ARN). Waits count a dependency on a whole component
// as a dependency on everything under it, as the engine does.
func TestNothingNeedlesslyWaitsOnCloudFront(t *testing.T) {
	t.Parallel()
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			g := Plan(t, stack)
			dists := g.ByType(compliance.TypeDistribution)
			if len(dists) != 1 {
				t.Fatalf("%d distributions; want 1", len(dists))
			}
			waiters := map[string][]string{} // urn → what it waits for
			for _, r := range g.Custom() {
				waiters[r.URN] = plan.Waits(g, r)
			}
			// Everything that waits for the distribution, transitively.
			late := map[string]bool{dists[0].URN: true}
			for changed := true; changed; {
				changed = false
				for u, ws := range waiters {
					if late[u] {
						continue
					}
					for _, w := range ws {
						if late[w] {
							late[u], changed = true, true
							break
						}
					}
				}
			}
			delete(late, dists[0].URN)
			for u := range late {
				r, _ := g.ByURN(u)
				switch {
				case r.Type == compliance.TypeRoute53Record && cmAliasesTo(r, dists[0]):
				case r.Type == compliance.TypeBucketPolicy && r.Name == "ui":
				default:
					t.Errorf("%s waits for CloudFront without needing it", u)
				}
			}
		})
	}
}

// cmAliasesTo reports whether a DNS record is an alias of the distribution (the mock
// gives distributions a *.cloudfront.net domain).
func cmAliasesTo(r, _ plan.Resource) bool {
	for _, a := range r.Inputs["aliases"].([]any) {
		if m, ok := a.(map[string]any); ok && m["zoneId"] == "Z2FDTNDATAQYW2" {
			return true
		}
	}
	return false
}
