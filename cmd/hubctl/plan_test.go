package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/londonaicentre/flip-hub/internal/compliance"
	"github.com/londonaicentre/flip-hub/internal/compliance/planview"
	"github.com/londonaicentre/flip-hub/internal/outcome"
	"github.com/londonaicentre/flip-hub/internal/release"
)

func runPlan(t *testing.T, args ...string) (string, error) {
	t.Helper()
	dir, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	root := newRoot()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(append([]string{"plan", "--dir", dir}, args...))
	err = root.ExecuteContext(context.Background())
	return out.String(), err
}

func TestPlanPrintsVerdictsAndCriticalPath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		want    []string
		wantNot []string
	}{
		{"tree and verdicts", []string{"--stack", "prod"},
			[]string{"stack prod:", "compliance (prod):", "rds-storage-encrypted", "CKV_AWS_16", "excepted"}, []string{"critical path"}},
		{"with the critical path", []string{"--stack", "stag", "--critical-path"},
			[]string{"compliance (stag):", "relaxed", "critical path of a full deploy:", "min  aws:"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, err := runPlan(t, tc.args...)
			if err != nil {
				t.Fatalf("hubctl plan %v: %v\n%s", tc.args, err, out)
			}
			for _, s := range tc.want {
				if !strings.Contains(out, s) {
					t.Errorf("output lacks %q", s)
				}
			}
			for _, s := range tc.wantNot {
				if strings.Contains(out, s) {
					t.Errorf("output has %q", s)
				}
			}
		})
	}
}

func TestPlanJSONKeepsTheGraphAndAddsVerdicts(t *testing.T) {
	t.Parallel()
	out, err := runPlan(t, "--stack", "prod", "--json", "--critical-path")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var got struct {
		Stack      string            `json:"stack"`
		Resources  []json.RawMessage `json:"resources"`
		Invokes    []json.RawMessage `json:"invokes"`
		Compliance compliance.Report `json:"compliance"`
		Critical   struct {
			Steps        []json.RawMessage `json:"steps"`
			TotalMinutes float64           `json:"totalMinutes"`
		} `json:"criticalPath"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if got.Stack != "prod" || len(got.Resources) == 0 || len(got.Invokes) == 0 {
		t.Errorf("graph fields lost: stack %q, %d resources, %d invokes", got.Stack, len(got.Resources), len(got.Invokes))
	}
	if got.Compliance.Env != "prod" || len(got.Compliance.Rules) != len(compliance.Rules()) {
		t.Errorf("compliance %s with %d rules; want prod with %d", got.Compliance.Env, len(got.Compliance.Rules), len(compliance.Rules()))
	}
	if len(got.Critical.Steps) == 0 || got.Critical.TotalMinutes <= 0 {
		t.Errorf("critical path %+v", got.Critical)
	}
}

func TestPlanFailsOnAFailingRule(t *testing.T) {
	t.Parallel()
	pass := compliance.Report{Rules: []compliance.RuleResult{{ID: "a", Verdict: compliance.Pass}, {ID: "b", Verdict: compliance.Relaxed}}}
	if err := planview.Failure("stag", pass); err != nil {
		t.Errorf("passing report: %v", err)
	}
	fail := compliance.Report{Rules: []compliance.RuleResult{{ID: "a", Verdict: compliance.Pass}, {ID: "rds-multi-az", Verdict: compliance.Fail}}}
	err := planview.Failure("prod", fail)
	if err == nil || !strings.Contains(err.Error(), "rds-multi-az") {
		t.Fatalf("err %v; want one naming the failing rule", err)
	}
	if code := exitCode(err); code != int(outcome.Failed) {
		t.Errorf("exit code %d; want %d", code, release.Failed)
	}
}
