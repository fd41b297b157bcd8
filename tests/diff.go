package tests

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/londonaicentre/flip-hub/internal/plan"
)

// GraphDiff is what would change between two plans of the same stack: resources added,
// resources removed, and for each resource in both the inputs ("inputs.<key>") and
// options ("protect", "parent", …) that differ.
type GraphDiff struct {
	Added   []string
	Removed []string
	Changed map[string][]string
}

// Empty reports whether nothing would change.
func (d GraphDiff) Empty() bool {
	return len(d.Added) == 0 && len(d.Removed) == 0 && len(d.Changed) == 0
}

// String lists the differences, one a line.
func (d GraphDiff) String() string {
	var b strings.Builder
	for _, u := range d.Added {
		fmt.Fprintf(&b, "+ %s\n", u)
	}
	for _, u := range d.Removed {
		fmt.Fprintf(&b, "- %s\n", u)
	}
	for _, u := range d.ChangedURNs() {
		fmt.Fprintf(&b, "~ %s %v\n", u, d.Changed[u])
	}
	return b.String()
}

// ChangedURNs returns the changed resources in order.
func (d GraphDiff) ChangedURNs() []string {
	out := make([]string, 0, len(d.Changed))
	for u := range d.Changed {
		out = append(out, u)
	}
	sort.Strings(out)
	return out
}

// DiffGraphs compares two graphs resource by resource (matched by URN). normalize, when
// set, rewrites every string input of both graphs first (e.g. to ignore a physical-name
// prefix). Dependencies are not compared: the engine does not update a resource because
// its dependencies changed.
func DiffGraphs(a, b *plan.Graph, normalize func(string) string) GraphDiff {
	d := GraphDiff{Changed: map[string][]string{}}
	before := map[string]plan.Resource{}
	for _, r := range a.Resources {
		before[r.URN] = r
	}
	after := map[string]bool{}
	for _, r := range b.Resources {
		after[r.URN] = true
		old, ok := before[r.URN]
		if !ok {
			d.Added = append(d.Added, r.URN)
			continue
		}
		if keys := changedKeys(old, r, normalize); len(keys) > 0 {
			d.Changed[r.URN] = keys
		}
	}
	for _, r := range a.Resources {
		if !after[r.URN] {
			d.Removed = append(d.Removed, r.URN)
		}
	}
	sort.Strings(d.Added)
	sort.Strings(d.Removed)
	return d
}

func changedKeys(a, b plan.Resource, normalize func(string) string) []string {
	var keys []string
	names := map[string]bool{}
	for k := range a.Inputs {
		names[k] = true
	}
	for k := range b.Inputs {
		names[k] = true
	}
	for k := range names {
		x, xok := a.Inputs[k]
		y, yok := b.Inputs[k]
		if xok != yok || !reflect.DeepEqual(normalized(x, normalize), normalized(y, normalize)) {
			keys = append(keys, "inputs."+k)
		}
	}
	options := map[string][2]any{
		"parent":           {a.Parent, b.Parent},
		"provider":         {normalizeString(a.Provider, normalize), normalizeString(b.Provider, normalize)},
		"protect":          {a.Protect, b.Protect},
		"retainOnDelete":   {a.RetainOnDelete, b.RetainOnDelete},
		"deletedWith":      {a.DeletedWith, b.DeletedWith},
		"importId":         {a.ImportID, b.ImportID},
		"ignoreChanges":    {a.IgnoreChanges, b.IgnoreChanges},
		"replaceOnChanges": {a.ReplaceOnChanges, b.ReplaceOnChanges},
	}
	for k, v := range options {
		if !reflect.DeepEqual(v[0], v[1]) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

func normalizeString(s string, normalize func(string) string) string {
	if normalize == nil {
		return s
	}
	return normalize(s)
}

// normalized rewrites the strings of a JSON-like value, including strings inside JSON
// text (policy documents), which are rewritten as text.
func normalized(v any, normalize func(string) string) any {
	if normalize == nil {
		return v
	}
	switch x := v.(type) {
	case string:
		return normalize(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalized(e, normalize)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalized(e, normalize)
		}
		return out
	default:
		return v
	}
}
