package tests

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/londonaicentre/flip-hub/internal/plan"
)

// TestExplicitProviders checks that nothing would fall back to a default provider
// (disabled in Pulumi.yaml) and that the AWS providers carry the guard rails.
func TestExplicitProviders(t *testing.T) {
	t.Parallel()
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			g := Plan(t, stack)
			cfg := loadCfg(t, stack)
			providers := map[string]plan.Resource{}
			for _, r := range g.Resources {
				if plan.IsProvider(r) {
					providers[r.URN+"::"+plan.FakeIDFor(r.Type, r.Name)] = r
				}
			}
			awsRegions := []string{}
			for _, p := range providers {
				if p.Type != "pulumi:providers:aws" {
					continue
				}
				awsRegions = append(awsRegions, p.String("region"))
				accounts, _ := p.Lookup("allowedAccountIds")
				if !reflect.DeepEqual(accounts, toAny(cfg.AllowedAccountIDs)) {
					t.Errorf("provider %s allows accounts %v; want %v", p.Name, accounts, cfg.AllowedAccountIDs)
				}
				tags, _ := p.Lookup("defaultTags")
				if !strings.Contains(toJSON(t, tags), `"environment":"`+stack+`"`) || !strings.Contains(toJSON(t, tags), `"project":"flip-hub"`) || !strings.Contains(toJSON(t, tags), `"managed-by":"pulumi"`) {
					t.Errorf("provider %s default tags %v lack project/environment/managed-by", p.Name, tags)
				}
			}
			want := []string{cfg.Region, "us-east-1"}
			slices.Sort(awsRegions)
			slices.Sort(want)
			if !slices.Equal(awsRegions, want) {
				t.Errorf("aws providers in %v; want %v", awsRegions, want)
			}
			for _, r := range g.Custom() {
				p, ok := providers[r.Provider]
				if !ok {
					t.Errorf("%s uses provider %q, not one of the stack's explicit providers", r.URN, r.Provider)
					continue
				}
				pkg := strings.SplitN(r.Type, ":", 2)[0]
				if p.Type != "pulumi:providers:"+pkg {
					t.Errorf("%s (package %s) is served by %s", r.URN, pkg, p.Type)
				}
			}
		})
	}
}

// TestEveryResourceInAComponent checks that every cloud resource is parented under one
// of the hub's components, so component options (providers, retain) reach it.
func TestEveryResourceInAComponent(t *testing.T) {
	t.Parallel()
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			g := Plan(t, stack)
			for _, r := range g.Custom() {
				parent, ok := g.ByURN(r.Parent)
				if !ok || !strings.HasPrefix(parent.Type, "flip:") {
					t.Errorf("%s is not parented under a flip component (parent %q)", r.URN, r.Parent)
				}
			}
			for _, r := range g.Resources {
				if strings.HasPrefix(r.Type, "flip:") && r.Custom {
					t.Errorf("component %s registered as custom", r.URN)
				}
			}
		})
	}
}

// TestDeterministic runs each stack twice and requires identical graphs: no
// timestamps, map order or random values in inputs.
func TestDeterministic(t *testing.T) {
	t.Parallel()
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			a := MustPlanWith(t, stack, nil)
			b := MustPlanWith(t, stack, nil)
			if ja, jb := toJSON(t, a), toJSON(t, b); ja != jb {
				t.Fatalf("two runs of %s differ", stack)
			}
		})
	}
}
