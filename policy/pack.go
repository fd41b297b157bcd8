package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

	"github.com/londonaicentre/flip-hub/internal/compliance"
)

// PackName names the policy pack in the engine's reports.
const PackName = "flip-hub"

// Version is the pack's version; bump it when the rule set changes.
var Version = semver.MustParse("1.0.0")

// environmentKey is the stack config key that says whether a stack is stag or prod.
const environmentKey = "flip-hub:environment"

// newPack builds the pack for the stack the engine is previewing.
func newPack(ctx *pulumi.Context) (policyx.PolicyPack, error) {
	return Pack(environment(ctx))
}

// environment reads the stack's flip-hub:environment, falling back to the stack name.
func environment(ctx *pulumi.Context) string {
	if env, ok := ctx.GetConfig(environmentKey); ok && env != "" {
		return env
	}
	return ctx.Stack()
}

// Pack returns one mandatory policy per compliance rule, judged for env. A rule that
// reads other resources (Rule.Stack) runs as a stack policy once every resource is
// known; the others run on each resource as it is registered.
func Pack(env string) (policyx.PolicyPack, error) {
	var policies []policyx.Policy
	for _, r := range compliance.Rules() {
		if r.Stack {
			policies = append(policies, policyx.NewStackValidationPolicy(r.ID, policyx.StackValidationPolicyArgs{
				Description:      describe(r),
				EnforcementLevel: policyx.EnforcementLevelMandatory,
				ValidateStack: func(_ context.Context, args policyx.StackValidationArgs) error {
					views := make([]compliance.View, 0, len(args.Resources))
					for _, res := range args.Resources {
						views = append(views, View(res))
					}
					c := compliance.NewContext(env, views)
					for _, v := range c.ByType(r.Types...) {
						report(args.Manager, compliance.Judge(r, v, c, compliance.Exceptions), v.URN)
					}
					return nil
				},
			}))
			continue
		}
		policies = append(policies, policyx.NewResourceValidationPolicy(r.ID, policyx.ResourceValidationPolicyArgs{
			Description:      describe(r),
			EnforcementLevel: policyx.EnforcementLevelMandatory,
			ValidateResource: func(_ context.Context, args policyx.ResourceValidationArgs) error {
				if !slices.Contains(r.Types, args.Resource.Type) {
					return nil
				}
				v := View(args.Resource)
				report(args.Manager, compliance.Judge(r, v, compliance.NewContext(env, []compliance.View{v}), compliance.Exceptions), "")
				return nil
			},
		}))
	}
	pack, err := policyx.NewPolicyPack(PackName, Version, policyx.EnforcementLevelMandatory, policies)
	if err != nil {
		return nil, fmt.Errorf("flip-hub policy pack: %w", err)
	}
	return pack, nil
}

// describe is a policy's description: the rule's title and the IDs it cites.
func describe(r compliance.Rule) string {
	return fmt.Sprintf("%s [%s]", r.Title, strings.Join(r.Sources, ", "))
}

// report raises a violation for a failing finding; excepted and relaxed findings pass.
func report(m policyx.PolicyManager, f compliance.Finding, urn string) {
	if f.Verdict != compliance.Fail {
		return
	}
	m.ReportViolation(fmt.Sprintf("%s %s: %s", f.Type, f.Name, strings.Join(f.Problems, "; ")), urn)
}
