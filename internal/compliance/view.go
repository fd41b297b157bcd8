package compliance

import (
	"strconv"
	"strings"
)

// Placeholders for values a View cannot show. They match what package plan records.
const (
	// Secret stands in for a secret input.
	Secret = "[secret]"
	// Unknown stands in for a value not known yet (an output of a resource still to be
	// created, during a preview).
	Unknown = "[unknown]"
)

// View is the neutral view of one resource that every rule reads: the same shape whether
// it comes from the recorded graph or from the policy engine.
type View struct {
	Type string
	Name string
	URN  string
	// Inputs are plain JSON-like values (map[string]any, []any, string, float64, bool,
	// nil) under Pulumi's camelCase input names; secrets are Secret, unknowns Unknown.
	Inputs         map[string]any
	Protect        bool
	RetainOnDelete bool
	Parent         string
	// Dependencies are the URNs this resource waits for (property dependencies included).
	Dependencies []string
}

// Lookup walks a dotted path such as "rootBlockDevice.encrypted" or
// "origins[0].domainName" through the inputs.
func (v View) Lookup(path string) (any, bool) {
	var cur any = v.Inputs
	for _, seg := range strings.Split(path, ".") {
		key, index := seg, -1
		if i := strings.IndexByte(seg, '['); i >= 0 && strings.HasSuffix(seg, "]") {
			n, err := strconv.Atoi(seg[i+1 : len(seg)-1])
			if err != nil {
				return nil, false
			}
			key, index = seg[:i], n
		}
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[key]; !ok {
			return nil, false
		}
		if index >= 0 {
			arr, ok := cur.([]any)
			if !ok || index >= len(arr) {
				return nil, false
			}
			cur = arr[index]
		}
	}
	return cur, true
}

// String returns the input at path as a string ("" when absent or not a string).
func (v View) String(path string) string {
	x, _ := v.Lookup(path)
	s, _ := x.(string)
	return s
}

// Number returns the input at path as a number (0 when absent or not a number).
func (v View) Number(path string) float64 {
	x, _ := v.Lookup(path)
	switch n := x.(type) {
	case float64:
		return n
	case int:
		return float64(n)
	}
	return 0
}

// List returns the input at path as a list (nil when absent or not a list).
func (v View) List(path string) []any {
	x, _ := v.Lookup(path)
	l, _ := x.([]any)
	return l
}

// Unknown reports whether the input at path is not known yet. Rules give an unknown
// value the benefit of the doubt: a preview cannot judge it, the recorded graph never
// has one for a literal, and the next preview sees the real value.
func (v View) Unknown(path string) bool {
	x, ok := v.Lookup(path)
	return ok && x == Unknown
}

// IsTrue reports whether the input at path is true, or not known yet.
func (v View) IsTrue(path string) bool {
	x, _ := v.Lookup(path)
	b, ok := x.(bool)
	return (ok && b) || x == Unknown
}

// IsFalse reports whether the input at path is explicitly false.
func (v View) IsFalse(path string) bool {
	x, _ := v.Lookup(path)
	b, ok := x.(bool)
	return ok && !b
}

// Set reports whether the input at path holds a value: a non-empty string, any other
// non-nil value, a secret or an unknown.
func (v View) Set(path string) bool {
	x, ok := v.Lookup(path)
	if !ok || x == nil {
		return false
	}
	if s, isString := x.(string); isString {
		return s != ""
	}
	return true
}

// DependsOn reports whether the view lists urn among its dependencies.
func (v View) DependsOn(urn string) bool {
	for _, d := range v.Dependencies {
		if d == urn {
			return true
		}
	}
	return false
}

// strings of a list input, skipping non-strings.
func stringsOf(list []any) []string {
	out := make([]string, 0, len(list))
	for _, e := range list {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
