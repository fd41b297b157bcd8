package tests

import (
	"errors"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/londonaicentre/flip-hub/config"
	"github.com/londonaicentre/flip-hub/internal/plan"
)

// Stacks are the real environments, each planned from its own stack file.
var Stacks = []string{"stag", "prod"}

// ProjectDir is the repository root, where Pulumi.yaml lives.
func ProjectDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(file))
}

var (
	cacheMu sync.Mutex
	cache   = map[string]*plan.Graph{}
)

// Config loads a stack's config as the program would see it.
func Config(tb testing.TB, stack string) plan.StackConfig {
	tb.Helper()
	cfg, err := plan.LoadStackConfig(ProjectDir(), stack)
	if err != nil {
		tb.Fatalf("load %s config: %v", stack, err)
	}
	return cfg
}

// Plan returns the graph of a real stack, planned once per test binary.
func Plan(tb testing.TB, stack string) *plan.Graph {
	tb.Helper()
	cacheMu.Lock()
	defer cacheMu.Unlock()
	if g, ok := cache[stack]; ok {
		return g
	}
	g, err := plan.Run(plan.Options{Stack: stack, Dir: ProjectDir()})
	if err != nil {
		tb.Fatalf("plan %s: %v", stack, err)
	}
	cache[stack] = g
	return g
}

// PlanWith plans a stack after mutate has edited a copy of its config.
func PlanWith(tb testing.TB, stack string, mutate func(tb testing.TB, c plan.StackConfig)) (*plan.Graph, error) {
	tb.Helper()
	cfg := Config(tb, stack).Clone()
	if mutate != nil {
		mutate(tb, cfg)
	}
	return plan.Run(plan.Options{Stack: stack, Dir: ProjectDir(), Config: &cfg})
}

// MustPlanWith is PlanWith for configs that must be valid.
func MustPlanWith(tb testing.TB, stack string, mutate func(tb testing.TB, c plan.StackConfig)) *plan.Graph {
	tb.Helper()
	g, err := PlanWith(tb, stack, mutate)
	if err != nil {
		tb.Fatalf("plan %s: %v", stack, err)
	}
	return g
}

// SetField sets one field of an object-valued key, e.g. SetField(tb, c, config.KeyNetwork, "cidr", "10.0.0.1/16").
func SetField(tb testing.TB, c plan.StackConfig, key, field string, value any) {
	tb.Helper()
	obj, err := c.Object(key)
	if err != nil {
		obj = map[string]any{}
	}
	m, ok := obj.(map[string]any)
	if !ok {
		tb.Fatalf("%s is not an object", key)
	}
	if value == nil {
		delete(m, field)
	} else {
		m[field] = value
	}
	if err := c.SetObject(key, m); err != nil {
		tb.Fatal(err)
	}
}

// EditTrusts edits the trusts list.
func EditTrusts(tb testing.TB, c plan.StackConfig, edit func([]map[string]any) []map[string]any) {
	tb.Helper()
	obj, err := c.Object(config.KeyTrusts)
	if err != nil {
		obj = []any{}
	}
	raw, ok := obj.([]any)
	if !ok {
		tb.Fatalf("%s is not a list", config.KeyTrusts)
	}
	trusts := make([]map[string]any, 0, len(raw))
	for _, t := range raw {
		trusts = append(trusts, t.(map[string]any))
	}
	if err := c.SetObject(config.KeyTrusts, edit(trusts)); err != nil {
		tb.Fatal(err)
	}
}

// ConfigErrors returns the config errors of a failed plan, failing the test when the
// plan failed for another reason or did not fail.
func ConfigErrors(tb testing.TB, err error) config.Errors {
	tb.Helper()
	if err == nil {
		tb.Fatal("plan succeeded; want a config error")
	}
	var errs config.Errors
	if !errors.As(err, &errs) {
		tb.Fatalf("plan failed with %v; want a config.Errors", err)
	}
	return errs
}

// ByTypeIn returns the resources of a type that live under a component of componentType
// (e.g. the KMS key of the data layer, not the edge's WAF-log key).
func ByTypeIn(g *plan.Graph, typ, componentType string) []plan.Resource {
	var out []plan.Resource
	for _, r := range g.ByType(typ) {
		if layer, ok := g.ByURN(g.Layer(r)); ok && layer.Type == componentType {
			out = append(out, r)
		}
	}
	return out
}

// layerView is one top-level component of a graph and its cloud resources by type.
type layerView struct {
	g      *plan.Graph
	urn    string
	typ    string
	byType map[string][]plan.Resource
}

// layerOf returns the single component of componentType in g and its resources.
func layerOf(t *testing.T, g *plan.Graph, componentType string) layerView {
	t.Helper()
	comps := g.ByType(componentType)
	if len(comps) != 1 {
		t.Fatalf("%d %s components; want 1", len(comps), componentType)
	}
	l := layerView{g: g, urn: comps[0].URN, typ: componentType, byType: map[string][]plan.Resource{}}
	for _, r := range g.Resources {
		if r.Custom && g.Layer(r) == l.urn {
			l.byType[r.Type] = append(l.byType[r.Type], r)
		}
	}
	return l
}

// one returns the layer's only resource of a type.
func (l layerView) one(t *testing.T, typ string) plan.Resource {
	t.Helper()
	rs := l.byType[typ]
	if len(rs) != 1 {
		t.Fatalf("%s has %d %s; want 1", l.typ, len(rs), typ)
	}
	return rs[0]
}

// get returns the layer's resource of a type and name.
func (l layerView) get(t *testing.T, typ, name string) plan.Resource {
	t.Helper()
	for _, r := range l.byType[typ] {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("%s has no %s named %q", l.typ, typ, name)
	return plan.Resource{}
}
