package tests

import (
	"slices"
	"strings"
	"testing"

	"github.com/londonaicentre/flip-hub/internal/plan"
)

func TestDiffGraphs(t *testing.T) {
	t.Parallel()
	a := &plan.Graph{Resources: []plan.Resource{
		{URN: "keep", Inputs: map[string]any{"name": "flip-stag-x", "n": 1.0}},
		{URN: "change", Inputs: map[string]any{"a": []any{"x"}, "b": true}, Protect: false},
		{URN: "gone", Inputs: map[string]any{}},
	}}
	b := &plan.Graph{Resources: []plan.Resource{
		{URN: "keep", Inputs: map[string]any{"name": "flip-prod-x", "n": 1.0}},
		{URN: "change", Inputs: map[string]any{"a": []any{"y"}, "c": "new"}, Protect: true},
		{URN: "new", Inputs: map[string]any{}},
	}}
	d := DiffGraphs(a, b, nil)
	if !slices.Equal(d.Added, []string{"new"}) || !slices.Equal(d.Removed, []string{"gone"}) {
		t.Errorf("added %v, removed %v", d.Added, d.Removed)
	}
	if want := []string{"inputs.a", "inputs.b", "inputs.c", "protect"}; !slices.Equal(d.Changed["change"], want) {
		t.Errorf("changed keys %v; want %v", d.Changed["change"], want)
	}
	if !slices.Equal(d.Changed["keep"], []string{"inputs.name"}) {
		t.Errorf("without normalisation the renamed input must show: %v", d.Changed["keep"])
	}
	norm := strings.NewReplacer("flip-stag", "flip-ENV", "flip-prod", "flip-ENV").Replace
	if d := DiffGraphs(a, b, norm); len(d.Changed["keep"]) != 0 || d.Empty() {
		t.Errorf("with normalisation: %v", d)
	}
	if d := DiffGraphs(a, a, nil); !d.Empty() || d.String() != "" {
		t.Errorf("a graph differs from itself: %v", d)
	}
}
