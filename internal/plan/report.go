package plan

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// WriteJSON writes the graph as indented JSON. Secret inputs appear only as Secret.
func WriteJSON(w io.Writer, g *Graph) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(g); err != nil {
		return fmt.Errorf("write plan json: %w", err)
	}
	return nil
}

// LayerSummary counts the resources under one top-level component.
type LayerSummary struct {
	URN    string
	Type   string
	Name   string
	Total  int
	ByType map[string]int
	// Protected and Retained count resources with those options.
	Protected int
	Retained  int
}

// Summarise groups the custom resources by the top-level component they live under.
// Resources outside any component (providers) are grouped under the stack itself.
func Summarise(g *Graph) []LayerSummary {
	byLayer := map[string]*LayerSummary{}
	order := []string{}
	for _, r := range g.Resources {
		if !r.Custom {
			continue
		}
		layer := g.Layer(r)
		s, ok := byLayer[layer]
		if !ok {
			s = &LayerSummary{URN: layer, Name: "stack", Type: "providers and stack-level resources", ByType: map[string]int{}}
			if c, found := g.ByURN(layer); found {
				s.Type, s.Name = c.Type, c.Name
			}
			byLayer[layer] = s
			order = append(order, layer)
		}
		s.Total++
		s.ByType[r.Type]++
		if r.Protect {
			s.Protected++
		}
		if r.RetainOnDelete {
			s.Retained++
		}
	}
	sort.Strings(order)
	out := make([]LayerSummary, 0, len(order))
	for _, k := range order {
		out = append(out, *byLayer[k])
	}
	return out
}

// WriteTree prints the hub by layer: each component with its resource counts by type.
func WriteTree(w io.Writer, g *Graph) error {
	layers := Summarise(g)
	total := 0
	for _, l := range layers {
		total += l.Total
	}
	var b strings.Builder
	fmt.Fprintf(&b, "stack %s: %d resources in %d groups\n", g.Stack, total, len(layers))
	for _, l := range layers {
		fmt.Fprintf(&b, "\n%s (%s): %d resources", l.Name, l.Type, l.Total)
		if l.Protected > 0 || l.Retained > 0 {
			fmt.Fprintf(&b, ", %d protected, %d retained on destroy", l.Protected, l.Retained)
		}
		b.WriteString("\n")
		types := make([]string, 0, len(l.ByType))
		for t := range l.ByType {
			types = append(types, t)
		}
		sort.Strings(types)
		for _, t := range types {
			fmt.Fprintf(&b, "  %4d  %s\n", l.ByType[t], t)
		}
	}
	_, err := io.WriteString(w, b.String())
	if err != nil {
		return fmt.Errorf("write plan tree: %w", err)
	}
	return nil
}
