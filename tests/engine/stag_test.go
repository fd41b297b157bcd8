package engine

import (
	"sort"
	"strings"
	"testing"

	"github.com/londonaicentre/flip-hub/plan"
)

// TestStagLifecycle drives a stag hub through the real engine the way an operator does: preview,
// up, a second up that must change nothing, and then the changes operators make.
func TestStagLifecycle(t *testing.T) {
	h := newHub(t, "stag", nil)

	t.Run("preview", func(t *testing.T) {
		r := h.run(upTimeout, "preview", "--stack", "stag")
		if r.code != 0 {
			t.Fatalf("preview failed\n%s", r)
		}
	})

	t.Run("up creates every resource of the plan", func(t *testing.T) {
		r := h.run(upTimeout, "up", "--stack", "stag", "--json")
		if r.code != 0 {
			t.Fatalf("up failed\n%s", r)
		}
		_, dep := h.export()
		got := stateURNs(dep)
		want := planURNs(t, h)
		if d := diffSets(want, got); d != "" {
			t.Fatalf("state after up differs from the plan of the same files:\n%s", d)
		}
		if len(dep.Pending) != 0 {
			t.Errorf("pending operations after a successful up: %v", dep.Pending)
		}
	})

	t.Run("second up changes nothing", func(t *testing.T) {
		r := h.run(upTimeout, "up", "--stack", "stag", "--expect-no-changes")
		if r.code != 0 {
			t.Fatalf("a second up of unchanged files has changes (exit %d): the program's inputs are not deterministic\n%s", r.code, r)
		}
	})
}

// stateURNs are the URNs of the program's resources in a state: custom and component
// resources, without the stack itself and the provider instances.
func stateURNs(dep deployment) []string {
	var out []string
	for _, r := range dep.Resources {
		if r.Type == "pulumi:pulumi:Stack" || strings.HasPrefix(r.Type, "pulumi:providers:") {
			continue
		}
		out = append(out, r.URN)
	}
	sort.Strings(out)
	return out
}

// planURNs are the URNs the level-1 mocks record for the hub's current files.
func planURNs(t *testing.T, h *hub) []string {
	t.Helper()
	g, err := plan.Run(plan.Options{Stack: h.stack, Dir: h.dir})
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	var out []string
	for _, r := range g.Resources {
		if strings.HasPrefix(r.Type, "pulumi:providers:") {
			continue
		}
		out = append(out, r.URN)
	}
	sort.Strings(out)
	return out
}

// diffSets describes what is only in want and only in got; "" when they are equal.
func diffSets(want, got []string) string {
	in := func(list []string) map[string]bool {
		m := map[string]bool{}
		for _, s := range list {
			m[s] = true
		}
		return m
	}
	w, g := in(want), in(got)
	var b strings.Builder
	for _, s := range want {
		if !g[s] {
			b.WriteString("  missing: " + s + "\n")
		}
	}
	for _, s := range got {
		if !w[s] {
			b.WriteString("  unexpected: " + s + "\n")
		}
	}
	return b.String()
}
