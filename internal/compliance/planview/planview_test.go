package planview

import (
	"slices"
	"testing"

	"github.com/londonaicentre/flip-hub/internal/compliance"
	"github.com/londonaicentre/flip-hub/internal/plan"
)

func TestFromGraph(t *testing.T) {
	t.Parallel()
	if compliance.Secret != plan.Secret {
		t.Fatalf("compliance.Secret %q differs from plan.Secret %q: rules would read masked secrets as values", compliance.Secret, plan.Secret)
	}
	g := &plan.Graph{Stack: "stag", Resources: []plan.Resource{
		{URN: "urn:a", Type: "pulumi:providers:aws", Name: "aws", Custom: true,
			Inputs: map[string]any{"defaultTags": map[string]any{"tags": map[string]any{"environment": "prod"}}}},
		{URN: "urn:c", Type: "flip:data:Data", Name: "data"},
		{URN: "urn:r", Type: compliance.TypeRDSInstance, Name: "db", Custom: true, Parent: "urn:c", Protect: true, RetainOnDelete: true,
			Inputs:               map[string]any{"storageEncrypted": true, "password": plan.Secret},
			Dependencies:         []string{"urn:z", "urn:k"},
			PropertyDependencies: map[string][]string{"kmsKeyId": {"urn:k"}, "parameterGroupName": {"urn:p"}}},
	}}
	views := FromGraph(g)
	if len(views) != 1 {
		t.Fatalf("%d views; want only the custom, non-provider resource", len(views))
	}
	v := views[0]
	if v.Type != compliance.TypeRDSInstance || v.Name != "db" || v.URN != "urn:r" || v.Parent != "urn:c" || !v.Protect || !v.RetainOnDelete {
		t.Errorf("view %+v lost identity or options", v)
	}
	if want := []string{"urn:k", "urn:p", "urn:z"}; !slices.Equal(v.Dependencies, want) {
		t.Errorf("dependencies %v; want %v (property dependencies folded in, sorted, once each)", v.Dependencies, want)
	}
	if !v.IsTrue("storageEncrypted") || v.String("password") != compliance.Secret {
		t.Errorf("inputs %v", v.Inputs)
	}
	if env := Environment(g); env != "prod" {
		t.Errorf("environment %q; want the provider's environment tag", env)
	}
	if env := Environment(&plan.Graph{Stack: "stag"}); env != "stag" {
		t.Errorf("environment %q; want the stack name without a provider", env)
	}
}
