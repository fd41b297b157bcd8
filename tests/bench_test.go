package tests

import (
	"fmt"
	"net/netip"
	"testing"

	"github.com/londonaicentre/flip-hub/config"
	"github.com/londonaicentre/flip-hub/internal/plan"
)

// bnTrusts returns n valid trusts: codes t0001…, one public /32 egress each, taken
// from 198.18.0.0/15 (the benchmarking range).
func bnTrusts(n int) []any {
	base := netip.MustParseAddr("198.18.0.0")
	out := make([]any, n)
	addr := base
	for i := range n {
		addr = addr.Next()
		out[i] = map[string]any{
			"code":        fmt.Sprintf("t%04d", i+1),
			"name":        fmt.Sprintf("NHS Trust %d", i+1),
			"region":      "London",
			"egressCidrs": []any{netip.PrefixFrom(addr, 32).String()},
		}
	}
	return out
}

// bnConfig is the prod stack's config with n generated trusts and a kit slot for each.
func bnConfig(tb testing.TB, n int) plan.StackConfig {
	tb.Helper()
	c := Config(tb, "prod").Clone()
	if err := c.SetObject(config.KeyTrusts, bnTrusts(n)); err != nil {
		tb.Fatal(err)
	}
	slots := make([]any, n)
	for i := range n {
		slots[i] = fmt.Sprintf("Trust_%d", i+1)
	}
	SetField(tb, c, config.KeyFL, "kitSlotNames", slots)
	return c
}

// BenchmarkProgram runs hub.Program under the recording mocks for the prod config with
// 1, 10, 100 and 500 trusts. Targets on a 2-core machine: at most 1 s a run with 1
// trust and 5 s with 500, growing linearly in trusts.
func BenchmarkProgram(b *testing.B) {
	for _, n := range []int{1, 10, 100, 500} {
		b.Run(fmt.Sprintf("trusts=%d", n), func(b *testing.B) {
			cfg := bnConfig(b, n)
			b.ReportAllocs()
			resources := 0
			for b.Loop() {
				g, err := plan.Run(plan.Options{Stack: "prod", Dir: ProjectDir(), Config: &cfg})
				if err != nil {
					b.Fatal(err)
				}
				resources = len(g.Resources)
			}
			b.ReportMetric(float64(resources), "resources")
		})
	}
}

// TestProgramScalesWithTrusts plans prod with many trusts once: every trust gets its
// keys, registration and FL ingress, and the run stays valid (a cheap guard that the
// benchmark's configs are real).
func TestProgramScalesWithTrusts(t *testing.T) {
	t.Parallel()
	cfg := bnConfig(t, 60)
	g, err := plan.Run(plan.Options{Stack: "prod", Dir: ProjectDir(), Config: &cfg})
	if err != nil {
		t.Fatal(err)
	}
	small := Plan(t, "prod")
	perTrust := 0
	for _, r := range small.Resources {
		if r.Custom && ownedBy(r, "gstt") {
			perTrust++
		}
	}
	if got, want := len(g.Custom()), len(small.Custom())+(60-2)*perTrust; got != want {
		t.Errorf("60 trusts give %d resources; want %d (%d per trust)", got, want, perTrust)
	}
}
