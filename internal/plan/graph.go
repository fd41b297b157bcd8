package plan

import (
	"sort"
	"strings"
)

// Secret is how a secret input appears in a recorded graph: marked, never shown.
const Secret = "[secret]"

// Resource is one registered resource, component or custom.
type Resource struct {
	URN      string `json:"urn"`
	Type     string `json:"type"`
	Name     string `json:"name"`
	Custom   bool   `json:"custom"`
	Parent   string `json:"parent,omitempty"`
	Provider string `json:"provider,omitempty"`
	// Inputs are plain JSON-like values; every secret value is replaced by Secret.
	Inputs map[string]any `json:"inputs"`
	// SecretInputs are the top-level input names that hold a secret anywhere inside.
	SecretInputs         []string            `json:"secretInputs,omitempty"`
	Dependencies         []string            `json:"dependencies,omitempty"`
	PropertyDependencies map[string][]string `json:"propertyDependencies,omitempty"`
	Protect              bool                `json:"protect,omitempty"`
	RetainOnDelete       bool                `json:"retainOnDelete,omitempty"`
	DeletedWith          string              `json:"deletedWith,omitempty"`
	ImportID             string              `json:"importId,omitempty"`
	IgnoreChanges        []string            `json:"ignoreChanges,omitempty"`
	ReplaceOnChanges     []string            `json:"replaceOnChanges,omitempty"`
}

// Invoke is one data-source call the program made.
type Invoke struct {
	Token    string `json:"token"`
	Provider string `json:"provider,omitempty"`
}

// Graph is everything a program run registered, sorted by URN.
//
// For every resource it holds the type, name, parent, provider, inputs (secrets masked),
// dependencies, and the protect, retainOnDelete, deletedWith and import options.
type Graph struct {
	Stack     string     `json:"stack"`
	Resources []Resource `json:"resources"`
	Invokes   []Invoke   `json:"invokes"`
}

// ByType returns the resources of a type token, in URN order.
func (g *Graph) ByType(typ string) []Resource {
	var out []Resource
	for _, r := range g.Resources {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

// Get returns the resource of a type and name.
func (g *Graph) Get(typ, name string) (Resource, bool) {
	for _, r := range g.Resources {
		if r.Type == typ && r.Name == name {
			return r, true
		}
	}
	return Resource{}, false
}

// ByURN returns the resource with a URN.
func (g *Graph) ByURN(urn string) (Resource, bool) {
	i := sort.Search(len(g.Resources), func(i int) bool { return g.Resources[i].URN >= urn })
	if i < len(g.Resources) && g.Resources[i].URN == urn {
		return g.Resources[i], true
	}
	return Resource{}, false
}

// Children returns the direct children of a resource.
func (g *Graph) Children(urn string) []Resource {
	var out []Resource
	for _, r := range g.Resources {
		if r.Parent == urn {
			out = append(out, r)
		}
	}
	return out
}

// Layer returns the URN of the top-level component (a child of the stack) that r lives
// under, or "" when r is itself top level.
func (g *Graph) Layer(r Resource) string {
	cur := r
	for {
		p, ok := g.ByURN(cur.Parent)
		if !ok || strings.HasSuffix(p.Type, "pulumi:Stack") {
			if cur.URN == r.URN {
				return ""
			}
			return cur.URN
		}
		cur = p
	}
}

// Custom returns only the custom (cloud) resources, excluding providers.
func (g *Graph) Custom() []Resource {
	var out []Resource
	for _, r := range g.Resources {
		if r.Custom && !IsProvider(r) {
			out = append(out, r)
		}
	}
	return out
}

// IsProvider reports whether r is a provider resource.
func IsProvider(r Resource) bool { return strings.HasPrefix(r.Type, "pulumi:providers:") }

// Lookup walks a dotted path ("rootBlockDevice.encrypted", "ingress[0].fromPort") through
// the inputs and returns the value found.
func (r Resource) Lookup(path string) (any, bool) {
	var cur any = r.Inputs
	for _, part := range splitPath(path) {
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[part.key]
			if !ok {
				return nil, false
			}
			cur = v
		default:
			return nil, false
		}
		if part.index >= 0 {
			arr, ok := cur.([]any)
			if !ok || part.index >= len(arr) {
				return nil, false
			}
			cur = arr[part.index]
		}
	}
	return cur, true
}

// String returns the input at path as a string ("" when absent or not a string).
func (r Resource) String(path string) string {
	v, _ := r.Lookup(path)
	s, _ := v.(string)
	return s
}

// Bool returns the input at path as a bool (false when absent).
func (r Resource) Bool(path string) bool {
	v, _ := r.Lookup(path)
	b, _ := v.(bool)
	return b
}

// List returns the input at path as a list (nil when absent or not a list).
func (r Resource) List(path string) []any {
	v, _ := r.Lookup(path)
	l, _ := v.([]any)
	return l
}

// Number returns the input at path as a float64 (0 when absent).
func (r Resource) Number(path string) float64 {
	v, _ := r.Lookup(path)
	f, _ := v.(float64)
	return f
}

type pathPart struct {
	key   string
	index int
}

func splitPath(path string) []pathPart {
	var parts []pathPart
	for _, seg := range strings.Split(path, ".") {
		p := pathPart{key: seg, index: -1}
		if i := strings.IndexByte(seg, '['); i >= 0 && strings.HasSuffix(seg, "]") {
			p.key = seg[:i]
			n := 0
			for _, c := range seg[i+1 : len(seg)-1] {
				if c < '0' || c > '9' {
					n = -1
					break
				}
				n = n*10 + int(c-'0')
			}
			p.index = n
		}
		parts = append(parts, p)
	}
	return parts
}
