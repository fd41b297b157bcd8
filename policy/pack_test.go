package main

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/asset"
	"github.com/pulumi/pulumi/sdk/v3/go/property"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

	"github.com/londonaicentre/flip-hub/internal/compliance"
)

// violations records what a policy reports.
type violations struct{ got []string }

func (v *violations) ReportViolation(message, urn string) { v.got = append(v.got, urn+" "+message) }

func TestPlainConversion(t *testing.T) {
	t.Parallel()
	a, err := asset.FromText("x")
	if err != nil {
		t.Fatal(err)
	}
	m := property.NewMap(map[string]property.Value{
		"s":         property.New("text"),
		"n":         property.New(3.0),
		"b":         property.New(true),
		"null":      property.New(property.Null),
		"unknown":   property.New(property.Computed),
		"password":  property.New("hunter2").WithSecret(true),
		"list":      property.New([]property.Value{property.New("a"), property.New(property.Computed)}),
		"nested":    property.New(map[string]property.Value{"k": property.New(map[string]property.Value{"x": property.New(false)})}),
		"secretObj": property.New(map[string]property.Value{"k": property.New("v")}).WithSecret(true),
		"ref":       property.New(property.NewResourceReference("urn:pulumi:prod::flip-hub::aws:kms/key:Key::stack", property.New("id"), "")),
		"asset":     property.New(a),
	})
	want := map[string]any{
		"s": "text", "n": 3.0, "b": true, "null": nil, "unknown": compliance.Unknown, "password": compliance.Secret,
		"list":      []any{"a", compliance.Unknown},
		"nested":    map[string]any{"k": map[string]any{"x": false}},
		"secretObj": compliance.Secret,
		"ref":       "urn:pulumi:prod::flip-hub::aws:kms/key:Key::stack",
		"asset":     "[asset]",
	}
	if got := Plain(m); !reflect.DeepEqual(got, want) {
		t.Errorf("Plain =\n%#v\nwant\n%#v", got, want)
	}
}

func TestViewOfAnalyzerResource(t *testing.T) {
	t.Parallel()
	v := View(policyx.AnalyzerResource{
		Type: compliance.TypeRDSInstance, Name: "postgres", URN: "urn:db", Parent: "urn:data",
		Properties:           property.NewMap(map[string]property.Value{"storageEncrypted": property.New(true)}),
		Options:              pulumi.ResourceOptions{Protect: true},
		Dependencies:         []string{"urn:sg", "urn:key"},
		PropertyDependencies: map[string][]string{"kmsKeyId": {"urn:key"}, "parameterGroupName": {"urn:pg"}},
	})
	if v.Type != compliance.TypeRDSInstance || v.Name != "postgres" || v.URN != "urn:db" || v.Parent != "urn:data" || !v.Protect {
		t.Errorf("view %+v lost identity or options", v)
	}
	if want := []string{"urn:key", "urn:pg", "urn:sg"}; !reflect.DeepEqual(v.Dependencies, want) {
		t.Errorf("dependencies %v; want %v", v.Dependencies, want)
	}
	if !v.IsTrue("storageEncrypted") {
		t.Errorf("inputs %v", v.Inputs)
	}
}

func TestPackHasOneMandatoryPolicyPerRule(t *testing.T) {
	t.Parallel()
	pack, err := Pack(compliance.Prod)
	if err != nil {
		t.Fatal(err)
	}
	rules := compliance.Rules()
	if pack.Name() != PackName || len(pack.Policies()) != len(rules) {
		t.Fatalf("pack %s has %d policies; want %d", pack.Name(), len(pack.Policies()), len(rules))
	}
	for i, p := range pack.Policies() {
		r := rules[i]
		if p.Name() != r.ID || p.EnforcementLevel() != policyx.EnforcementLevelMandatory {
			t.Errorf("policy %d: %s at level %d; want %s, mandatory", i, p.Name(), p.EnforcementLevel(), r.ID)
		}
		_, isStack := p.(policyx.StackValidationPolicy)
		_, isResource := p.(policyx.ResourceValidationPolicy)
		if isStack != r.Stack || isResource == r.Stack {
			t.Errorf("policy %s: stack %v, resource %v; rule.Stack is %v", p.Name(), isStack, isResource, r.Stack)
		}
		if !strings.Contains(p.Description(), r.Sources[0]) {
			t.Errorf("policy %s description %q does not cite %s", p.Name(), p.Description(), r.Sources[0])
		}
	}
}

func policy(t *testing.T, env, id string) policyx.Policy {
	t.Helper()
	pack, err := Pack(env)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pack.Policies() {
		if p.Name() == id {
			return p
		}
	}
	t.Fatalf("no policy %s", id)
	return nil
}

func resource(typ, name string, props map[string]property.Value, deps ...string) policyx.AnalyzerResource {
	return policyx.AnalyzerResource{Type: typ, Name: name, URN: "urn:pulumi:prod::flip-hub::" + typ + "::" + name,
		Properties: property.NewMap(props), Dependencies: deps}
}

func TestResourcePolicies(t *testing.T) {
	t.Parallel()
	rds := func(encrypted, multiAZ bool) policyx.AnalyzerResource {
		return resource(compliance.TypeRDSInstance, "postgres", map[string]property.Value{
			"storageEncrypted": property.New(encrypted), "multiAz": property.New(multiAZ),
		})
	}
	tests := []struct {
		name, env, policy string
		res               policyx.AnalyzerResource
		violations        int
	}{
		{"encrypted passes", compliance.Prod, "rds-storage-encrypted", rds(true, true), 0},
		{"unencrypted is a violation", compliance.Prod, "rds-storage-encrypted", rds(false, true), 1},
		{"unencrypted is a violation in stag too", compliance.Stag, "rds-storage-encrypted", rds(false, true), 1},
		{"single-AZ fails prod", compliance.Prod, "rds-multi-az", rds(true, false), 1},
		{"single-AZ is relaxed in stag", compliance.Stag, "rds-multi-az", rds(true, false), 0},
		{"other types are ignored", compliance.Prod, "rds-storage-encrypted", resource(compliance.TypeKMSKey, "k", nil), 0},
		{"unknown values pass", compliance.Prod, "logs-cmk", resource(compliance.TypeLogGroup, "g", map[string]property.Value{
			"kmsKeyId": property.New(property.Computed), "retentionInDays": property.New(365.0)}), 0},
		{"listed exception passes", compliance.Prod, "ssm-parameter-encrypted", resource(compliance.TypeSSMParameter, "fl-kit-slot-names",
			map[string]property.Value{"type": property.New("String")}), 0},
		{"same failure elsewhere is a violation", compliance.Prod, "ssm-parameter-encrypted", resource(compliance.TypeSSMParameter, "other",
			map[string]property.Value{"type": property.New("String")}), 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, ok := policy(t, tc.env, tc.policy).(policyx.ResourceValidationPolicy)
			if !ok {
				t.Fatalf("%s is not a resource policy", tc.policy)
			}
			m := &violations{}
			if err := p.Validate(context.Background(), policyx.ResourceValidationArgs{Manager: m, Resource: tc.res}); err != nil {
				t.Fatal(err)
			}
			if len(m.got) != tc.violations {
				t.Fatalf("violations %q; want %d", m.got, tc.violations)
			}
			if tc.violations > 0 && p.EnforcementLevel() != policyx.EnforcementLevelMandatory {
				t.Errorf("a violation of %s would not stop the deployment", tc.policy)
			}
		})
	}
}

func TestStackPolicy(t *testing.T) {
	t.Parallel()
	bucket := resource(compliance.TypeBucket, "app", map[string]property.Value{"bucket": property.New("flip-prod-app")})
	pab := resource(compliance.TypeBucketPAB, "app", map[string]property.Value{"bucket": property.New("flip-prod-app")}, bucket.URN)
	p, ok := policy(t, compliance.Prod, "s3-public-access-block").(policyx.StackValidationPolicy)
	if !ok {
		t.Fatal("s3-public-access-block is not a stack policy")
	}
	for _, tc := range []struct {
		name       string
		resources  []policyx.AnalyzerResource
		violations int
	}{
		{"bucket with its block", []policyx.AnalyzerResource{bucket, pab}, 0},
		{"bucket alone", []policyx.AnalyzerResource{bucket}, 1},
	} {
		m := &violations{}
		if err := p.Validate(context.Background(), policyx.StackValidationArgs{Manager: m, Resources: tc.resources}); err != nil {
			t.Fatal(err)
		}
		if len(m.got) != tc.violations {
			t.Errorf("%s: violations %q; want %d", tc.name, m.got, tc.violations)
		}
		for _, g := range m.got {
			if !strings.HasPrefix(g, bucket.URN+" ") {
				t.Errorf("%s: violation %q does not name the bucket's URN", tc.name, g)
			}
		}
	}
}

func TestEnvironmentFromStackConfig(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		stack  string
		config map[string]string
		want   string
	}{
		{"anything", map[string]string{environmentKey: "prod"}, "prod"},
		{"stag", nil, "stag"},
	} {
		ctx, err := pulumi.NewContext(context.Background(), pulumi.RunInfo{Project: "flip-hub", Stack: tc.stack, Config: tc.config})
		if err != nil {
			t.Fatal(err)
		}
		if got := environment(ctx); got != tc.want {
			t.Errorf("environment of stack %s with %v = %q; want %q", tc.stack, tc.config, got, tc.want)
		}
	}
}
