package tests

import (
	"bytes"
	"testing"

	"github.com/londonaicentre/flip-hub/internal/compliance"
	"github.com/londonaicentre/flip-hub/internal/compliance/planview"
)

// cmReports evaluates the rule set over both real stacks.
func cmReports(t *testing.T) map[string]compliance.Report {
	t.Helper()
	out := map[string]compliance.Report{}
	for _, stack := range Stacks {
		out[stack] = planview.Evaluate(Plan(t, stack))
		if out[stack].Env != stack {
			t.Fatalf("stack %s evaluated as environment %q", stack, out[stack].Env)
		}
	}
	return out
}

// TestComplianceNoFailures: every rule passes on both stacks, apart from the listed
// exceptions and stag relaxations. The report is logged in full.
func TestComplianceNoFailures(t *testing.T) {
	t.Parallel()
	for stack, rep := range cmReports(t) {
		var b bytes.Buffer
		if err := compliance.WriteText(&b, rep); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s\n%s", stack, b.String())
		for _, rr := range rep.Failed() {
			for _, f := range rr.Findings {
				if f.Verdict == compliance.Fail {
					t.Errorf("%s: %s %v fails on %s %s: %v", stack, rr.ID, rr.Sources, f.Type, f.Name, f.Problems)
				}
			}
		}
		if rep.Count(compliance.Relaxed) > 0 && stack != compliance.Stag {
			t.Errorf("%s has relaxed rules; relaxations are for stag only", stack)
		}
	}
}

// TestComplianceEveryRuleApplies: each rule judges at least one resource of at least
// one stack, so none is a dead letter.
func TestComplianceEveryRuleApplies(t *testing.T) {
	t.Parallel()
	reps := cmReports(t)
	for _, r := range compliance.Rules() {
		applies := false
		for _, rep := range reps {
			if rr, ok := rep.Rule(r.ID); ok && rr.Verdict != compliance.NotApplicable {
				applies = true
			}
		}
		if !applies {
			t.Errorf("rule %s (types %v) applies to no resource of either stack", r.ID, r.Types)
		}
	}
}

// TestComplianceExceptionsInUse: every exception excuses a real failure in some stack;
// a stale one must be deleted.
func TestComplianceExceptionsInUse(t *testing.T) {
	t.Parallel()
	reps := cmReports(t)
	// The trust host's exceptions excuse resources only stacks with an AWS-hosted trust have.
	for _, tc := range trustHostCases(t) {
		reps[tc.stack+"/aws-trust/"+tc.backend] = planview.Evaluate(tc.g)
	}
	for _, e := range compliance.Exceptions {
		if e.Reason == "" {
			t.Errorf("exception %s on %s %s has no reason", e.Rule, e.Type, e.Name)
		}
		used := false
		for _, rep := range reps {
			if e.Env != "" && e.Env != rep.Env {
				continue
			}
			rr, _ := rep.Rule(e.Rule)
			for _, f := range rr.Findings {
				if f.Verdict == compliance.Excepted && f.Type == e.Type && f.Reason == e.Reason {
					used = true
				}
			}
		}
		if !used {
			t.Errorf("exception %s on %s %s excuses nothing any more; delete it", e.Rule, e.Type, e.Name)
		}
	}
}

// TestComplianceRelaxationsAreStagOnly: whatever stag is excused by a relaxation, prod
// does (or is excepted for), and every relaxation is declared with its reason.
func TestComplianceRelaxationsAreStagOnly(t *testing.T) {
	t.Parallel()
	reps := cmReports(t)
	for _, rr := range reps[compliance.Stag].Rules {
		if rr.Verdict != compliance.Relaxed {
			continue
		}
		prod, _ := reps[compliance.Prod].Rule(rr.ID)
		if prod.Verdict != compliance.Pass && prod.Verdict != compliance.Excepted {
			t.Errorf("%s is relaxed in stag and %s in prod", rr.ID, prod.Verdict)
		}
		for _, f := range rr.Findings {
			if f.Verdict == compliance.Relaxed {
				t.Logf("stag relaxation: %s on %s %s (%s)", rr.ID, f.Type, f.Name, f.Reason)
			}
		}
	}
}

// TestComplianceCanFailOnTheRealGraph: the whole-stack evaluation notices a regression
// in a real graph, not only in fixtures.
func TestComplianceCanFailOnTheRealGraph(t *testing.T) {
	t.Parallel()
	tests := []struct {
		rule, typ, key string
		value          any
	}{
		{"rds-storage-encrypted", compliance.TypeRDSInstance, "storageEncrypted", false},
		{"ec2-imdsv2", compliance.TypeEC2Instance, "metadataOptions", map[string]any{"httpTokens": "optional"}},
		{"cf-waf", compliance.TypeDistribution, "webAclId", ""},
		{"cognito-mfa-required", compliance.TypeCognitoPool, "mfaConfiguration", "OFF"},
	}
	for _, tc := range tests {
		t.Run(tc.rule, func(t *testing.T) {
			t.Parallel()
			views := planview.FromGraph(Plan(t, "prod"))
			hit := false
			for i, v := range views {
				if v.Type != tc.typ {
					continue
				}
				inputs := make(map[string]any, len(v.Inputs))
				for k, x := range v.Inputs {
					inputs[k] = x
				}
				inputs[tc.key] = tc.value
				views[i].Inputs = inputs
				hit = true
			}
			if !hit {
				t.Fatalf("prod has no %s", tc.typ)
			}
			rr, _ := compliance.Evaluate(views, compliance.Prod).Rule(tc.rule)
			if rr.Verdict != compliance.Fail {
				t.Errorf("%s is %s after setting %s = %v", tc.rule, rr.Verdict, tc.key, tc.value)
			}
		})
	}
}
