package plan

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

func res(urn, typ string, custom bool, parent string, deps ...string) Resource {
	return Resource{URN: urn, Type: typ, Name: urn, Custom: custom, Parent: parent, Dependencies: deps}
}

// synthetic: a → b → d, a → c → d, and e depends on the component C, whose children
// f and g (the slowest) it must therefore wait for.
func synthetic() *Graph {
	g := &Graph{Stack: "test", Resources: []Resource{
		res("S", "pulumi:pulumi:Stack", false, ""),
		res("C", "flip:x:X", false, "S"),
		res("a", "t:a", true, "S"),
		res("b", "t:b", true, "S", "a"),
		res("c", "t:c", true, "S"),
		res("d", "t:d", true, "S", "b", "c"),
		res("e", "t:e", true, "S", "C"),
		res("f", "t:f", true, "C"),
		res("g", "t:g", true, "C"),
		res("p", "pulumi:providers:aws", true, "S"),
	}}
	g.Resources[4].PropertyDependencies = map[string][]string{"x": {"a"}} // c waits for a through an input
	slices.SortFunc(g.Resources, func(x, y Resource) int { return strings.Compare(x.URN, y.URN) })
	return g
}

func TestCriticalPath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		minutes map[string]float64
		want    []string
		total   float64
	}{
		{"through the component's slowest child", map[string]float64{"a": 1, "b": 5, "c": 2, "d": 1, "e": 1, "f": 3, "g": 10}, []string{"g", "e"}, 11},
		{"through the longer branch", map[string]float64{"a": 1, "b": 5, "c": 2, "d": 1, "e": 1, "f": 3, "g": 4}, []string{"a", "b", "d"}, 7},
		{"through a property dependency", map[string]float64{"a": 1, "b": 1, "c": 9, "d": 1, "e": 1, "f": 1, "g": 1}, []string{"a", "c", "d"}, 11},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cp, err := Critical(synthetic(), func(r Resource) float64 { return tc.minutes[r.URN] })
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range cp.Steps {
				got = append(got, s.URN)
			}
			if !slices.Equal(got, tc.want) || cp.TotalMinutes != tc.total {
				t.Fatalf("path %v, %.1f min; want %v, %.1f", got, cp.TotalMinutes, tc.want, tc.total)
			}
			last := cp.Steps[len(cp.Steps)-1]
			if last.Finish != tc.total || cp.Steps[0].Start != 0 {
				t.Errorf("steps %+v do not run from 0 to the total", cp.Steps)
			}
		})
	}
}

func TestWaitsExpandComponents(t *testing.T) {
	t.Parallel()
	g := synthetic()
	e, _ := g.ByURN("e")
	if got := Waits(g, e); !slices.Equal(got, []string{"f", "g"}) {
		t.Errorf("e waits for %v; want the component's children f and g", got)
	}
	c, _ := g.ByURN("c")
	if got := Waits(g, c); !slices.Equal(got, []string{"a"}) {
		t.Errorf("c waits for %v; want its property dependency a", got)
	}
}

func TestCriticalPathCycle(t *testing.T) {
	t.Parallel()
	g := &Graph{Resources: []Resource{res("x", "t", true, "", "y"), res("y", "t", true, "", "x")}}
	if _, err := Critical(g, nil); err == nil || !strings.Contains(err.Error(), "cycle") {
		t.Fatalf("err %v; want a dependency cycle", err)
	}
}

func TestTypicalMinutes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		r    Resource
		want float64
	}{
		{"multi-AZ RDS", Resource{Type: "aws:rds/instance:Instance", Custom: true, Inputs: map[string]any{"multiAz": true}}, MultiAZRDSMinutes},
		{"single-AZ RDS", Resource{Type: "aws:rds/instance:Instance", Custom: true, Inputs: map[string]any{"multiAz": false}}, CreateMinutes["aws:rds/instance:Instance"]},
		{"hub deploy", Resource{Type: "command:local:Command", Custom: true, Inputs: map[string]any{"create": "hubctl host run --instance i"}}, HubDeployMinutes},
		{"trust registration", Resource{Type: "command:local:Command", Custom: true, Inputs: map[string]any{"create": "hubctl trust register"}}, CreateMinutes["command:local:Command"]},
		{"CloudFront", Resource{Type: "aws:cloudfront/distribution:Distribution", Custom: true}, CreateMinutes["aws:cloudfront/distribution:Distribution"]},
		{"unknown type", Resource{Type: "aws:x/y:Z", Custom: true}, DefaultCreateMinutes},
		{"component", Resource{Type: "flip:x:X"}, 0},
		{"provider", Resource{Type: "pulumi:providers:aws", Custom: true}, 0},
	}
	for _, tc := range tests {
		if got := TypicalMinutes(tc.r); got != tc.want {
			t.Errorf("%s: %.1f min; want %.1f", tc.name, got, tc.want)
		}
	}
	if CreateMinutes["aws:cloudfront/distribution:Distribution"] < 5 || CreateMinutes["aws:ec2/natGateway:NatGateway"] > 5 {
		t.Error("the table lost its sense of scale")
	}
}

func TestWriteCriticalPath(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	cp := CriticalPath{TotalMinutes: 3, Steps: []Step{{Type: "t:a", Name: "a", Minutes: 1, Finish: 1}, {Type: "t:b", Name: "b", Minutes: 2, Start: 1, Finish: 3}}}
	if err := WriteCriticalPath(&b, cp); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"2 steps, about 3.0 minutes", "+  2.0 min  t:b b"} {
		if !strings.Contains(b.String(), s) {
			t.Errorf("output lacks %q:\n%s", s, b.String())
		}
	}
}
