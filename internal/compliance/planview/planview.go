package planview

import (
	"slices"

	"github.com/londonaicentre/flip-hub/internal/compliance"
	"github.com/londonaicentre/flip-hub/internal/plan"
)

// FromGraph returns a view of every cloud resource of a recorded graph (providers and
// components left out), with property dependencies folded into Dependencies.
func FromGraph(g *plan.Graph) []compliance.View {
	out := make([]compliance.View, 0, len(g.Resources))
	for _, r := range g.Custom() {
		out = append(out, FromResource(r))
	}
	return out
}

// FromResource returns the view of one recorded resource.
func FromResource(r plan.Resource) compliance.View {
	deps := append([]string(nil), r.Dependencies...)
	for _, urns := range r.PropertyDependencies {
		deps = append(deps, urns...)
	}
	slices.Sort(deps)
	return compliance.View{
		Type:           r.Type,
		Name:           r.Name,
		URN:            r.URN,
		Inputs:         r.Inputs,
		Protect:        r.Protect,
		RetainOnDelete: r.RetainOnDelete,
		Parent:         r.Parent,
		Dependencies:   slices.Compact(deps),
	}
}

// Evaluate runs the hub's rule set over a recorded graph. The environment is the
// stack's flip-hub:environment, read from the AWS provider's default tags.
func Evaluate(g *plan.Graph) compliance.Report {
	return compliance.Evaluate(FromGraph(g), Environment(g))
}

// Environment returns the environment a graph was planned for: the "environment"
// default tag of its AWS provider, or the stack name when there is none.
func Environment(g *plan.Graph) string {
	for _, r := range g.Resources {
		if r.Type == "pulumi:providers:aws" {
			if env := r.String("defaultTags.tags.environment"); env != "" {
				return env
			}
		}
	}
	return g.Stack
}
