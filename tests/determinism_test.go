package tests

import (
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/londonaicentre/flip-hub/internal/plan"
)

// dtTimestamp matches a date-time (RFC 3339 or similar): no input may hold the time of
// the run. Dates alone (the kit folder 2025-06-01) are config, not clocks.
var dtTimestamp = regexp.MustCompile(`\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}`)

// dtRuns is how many times TestDeterministicManyRuns plans the same config.
const dtRuns = 4

// TestDeterministicManyRuns plans prod with 60 trusts several times: more trusts and
// more runs make map-order or timing dependence show. Every run must record the same
// graph: inputs, options and dependencies. A difference is reported per resource.
func TestDeterministicManyRuns(t *testing.T) {
	t.Parallel()
	cfg := bnConfig(t, 60)
	var first *plan.Graph
	for i := range dtRuns {
		g, err := plan.Run(plan.Options{Stack: "prod", Dir: ProjectDir(), Config: &cfg})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = g
			continue
		}
		if toJSON(t, g) != toJSON(t, first) {
			t.Fatalf("run %d differs from run 0:\n%s", i, dtExplain(first, g))
		}
	}
}

// dtExplain says how two graphs of the same config differ: inputs and options, then
// dependency sets (which depend on timing when a resource depends on a whole component
// whose children are still registering), then data-source calls.
func dtExplain(a, b *plan.Graph) string {
	var out strings.Builder
	out.WriteString(DiffGraphs(a, b, nil).String())
	deps := func(r plan.Resource) map[string]bool {
		m := map[string]bool{}
		for _, d := range r.Dependencies {
			m[d] = true
		}
		for _, ds := range r.PropertyDependencies {
			for _, d := range ds {
				m["property:"+d] = true
			}
		}
		return m
	}
	for _, r := range a.Resources {
		o, ok := b.ByURN(r.URN)
		if !ok {
			continue
		}
		x, y := deps(r), deps(o)
		var only []string
		for d := range x {
			if !y[d] {
				only = append(only, "-"+d)
			}
		}
		for d := range y {
			if !x[d] {
				only = append(only, "+"+d)
			}
		}
		sort.Strings(only)
		if len(only) > 0 {
			fmt.Fprintf(&out, "~ %s dependencies %v\n", r.URN, only)
		}
	}
	if !reflect.DeepEqual(a.Invokes, b.Invokes) {
		fmt.Fprintf(&out, "data-source calls differ: %v vs %v\n", a.Invokes, b.Invokes)
	}
	return out.String()
}

// TestNoClockInInputs scans both stacks' inputs for timestamps.
func TestNoClockInInputs(t *testing.T) {
	t.Parallel()
	for _, stack := range Stacks {
		for _, r := range Plan(t, stack).Resources {
			for k, v := range r.Inputs {
				if s := toJSON(t, v); dtTimestamp.MatchString(s) {
					t.Errorf("%s input %s holds a timestamp: %s", r.URN, k, dtTimestamp.FindString(s))
				}
			}
		}
	}
}
