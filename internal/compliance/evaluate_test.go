package compliance

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

var (
	policyNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,99}$`)
	sourceRE     = regexp.MustCompile(`^(CKV2?_AWS_\d+|AVD-AWS-\d{4}|[A-Za-z0-9]+\.\d+|awsguard:[a-z0-9-]+)$`)
)

func TestJudgeExceptionsAndRelaxations(t *testing.T) {
	t.Parallel()
	failing := Rule{ID: "r", Types: []string{"t"}, Sources: []string{"X.1"}, Title: "r", Check: func(View, *Context) []string { return []string{"bad"} }}
	relaxed := failing
	relaxed.StagRelaxed = "stag is disposable"
	exc := []Exception{
		{Rule: "r", Type: "t", Name: "log*", Reason: "delivery needs it"},
		{Rule: "r", Type: "t", Name: "only-prod", Env: Prod, Reason: "prod only"},
	}
	tests := []struct {
		name string
		rule Rule
		view View
		env  string
		want Verdict
	}{
		{"other type", failing, View{Type: "u", Name: "x"}, Prod, NotApplicable},
		{"fails", failing, View{Type: "t", Name: "x"}, Prod, Fail},
		{"fails in stag without relaxation", failing, View{Type: "t", Name: "x"}, Stag, Fail},
		{"excepted by pattern", failing, View{Type: "t", Name: "logs"}, Stag, Excepted},
		{"exception of another type", failing, View{Type: "t2", Name: "logs"}, Prod, NotApplicable},
		{"env-limited exception applies", failing, View{Type: "t", Name: "only-prod"}, Prod, Excepted},
		{"env-limited exception does not apply", failing, View{Type: "t", Name: "only-prod"}, Stag, Fail},
		{"relaxed in stag", relaxed, View{Type: "t", Name: "x"}, Stag, Relaxed},
		{"not relaxed in prod", relaxed, View{Type: "t", Name: "x"}, Prod, Fail},
		{"exception wins over relaxation", relaxed, View{Type: "t", Name: "logs"}, Stag, Excepted},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := Judge(tc.rule, tc.view, NewContext(tc.env, nil), exc)
			if f.Verdict != tc.want {
				t.Fatalf("verdict %s; want %s", f.Verdict, tc.want)
			}
			if (f.Verdict == Excepted || f.Verdict == Relaxed) && f.Reason == "" {
				t.Errorf("%s without a reason", f.Verdict)
			}
		})
	}
}

func TestEvaluateSummarises(t *testing.T) {
	t.Parallel()
	bad := func(v View, _ *Context) []string {
		if v.Name == "bad" {
			return []string{"bad"}
		}
		return nil
	}
	rules := []Rule{
		{ID: "mixed", Types: []string{"t"}, Check: bad},
		{ID: "absent", Types: []string{"nothing"}, Check: bad},
		{ID: "excused", Types: []string{"e"}, Check: bad},
	}
	views := []View{{Type: "t", Name: "good"}, {Type: "t", Name: "bad"}, {Type: "e", Name: "bad"}}
	exc := []Exception{
		{Rule: "excused", Type: "e", Name: "bad", Reason: "why"},
		{Rule: "mixed", Type: "t", Name: "gone", Reason: "stale"},
		{Rule: "mixed", Type: "t", Name: "gone-in-stag", Env: Stag, Reason: "other env"},
	}
	rep := EvaluateRules(rules, exc, views, Prod)
	want := map[string]Verdict{"mixed": Fail, "absent": NotApplicable, "excused": Excepted}
	for id, v := range want {
		rr, ok := rep.Rule(id)
		if !ok || rr.Verdict != v {
			t.Errorf("%s: %+v; want %s", id, rr, v)
		}
	}
	if rr, _ := rep.Rule("mixed"); rr.Checked != 2 || len(rr.Findings) != 1 {
		t.Errorf("mixed checked %d with %d findings; want 2 and 1", rr.Checked, len(rr.Findings))
	}
	if len(rep.Failed()) != 1 || rep.Count(NotApplicable) != 1 {
		t.Errorf("failed %v, n/a %d", rep.Failed(), rep.Count(NotApplicable))
	}
	if len(rep.UnusedExceptions) != 1 || rep.UnusedExceptions[0].Name != "gone" {
		t.Errorf("unused exceptions %+v; want only the stale prod one", rep.UnusedExceptions)
	}
	var out bytes.Buffer
	if err := WriteText(&out, rep); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"3 rules: 0 pass, 1 fail, 1 excepted", "fail t bad: bad", "(why)", "unused exception: mixed on t gone"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("report lacks %q:\n%s", s, out.String())
		}
	}
}

// TestUnknownValuesGetTheBenefitOfTheDoubt: a preview shows not-yet-known outputs as
// Unknown; rules must not fail on them.
func TestUnknownValuesGetTheBenefitOfTheDoubt(t *testing.T) {
	t.Parallel()
	w := goodWorld(t)
	for _, m := range []mutation{
		set(TypeRDSInstance, "db", "kmsKeyId", Unknown),
		set(TypeRDSInstance, "db", "performanceInsightsKmsKeyId", Unknown),
		set(TypeLogGroup, "flow", "kmsKeyId", Unknown),
		set(TypeBucketPolicy, "app", "policy", Unknown),
		set(TypeIAMRolePolicy, "host", "policy", Unknown),
		set(TypeDistribution, "cdn", "webAclId", Unknown),
		set(TypeEC2Instance, "hub-host", "iamInstanceProfile", Unknown),
		set(TypeBucket, "app", "bucket", Unknown),
		set(TypeBucketPAB, "app", "bucket", Unknown),
	} {
		w = m(t, w)
	}
	rep := EvaluateRules(Rules(), nil, w, Prod)
	for _, rr := range rep.Failed() {
		t.Errorf("%s fails on unknown values: %+v", rr.ID, rr.Findings)
	}
}

func TestPolicyStatements(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		doc     any
		want    int
		wantErr bool
	}{
		{"list", `{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Effect":"Deny","Action":["s3:*"]}]}`, 2, false},
		{"single object", `{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`, 1, false},
		{"object input", map[string]any{"Statement": []any{map[string]any{"Effect": "Allow"}}}, 1, false},
		{"unknown", Unknown, 0, false},
		{"secret", Secret, 0, false},
		{"not json", `{"Statement":`, 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sts, err := PolicyStatements(tc.doc)
			if (err != nil) != tc.wantErr || len(sts) != tc.want {
				t.Fatalf("got %d statements, err %v; want %d, error %v", len(sts), err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestWildcardGrants(t *testing.T) {
	t.Parallel()
	tests := []struct {
		actions []string
		action  string
		want    bool
	}{
		{[]string{"*"}, "iam:PassRole", true},
		{[]string{"iam:*"}, "iam:PassRole", true},
		{[]string{"iam:Pass*"}, "iam:PassRole", true},
		{[]string{"IAM:passrole"}, "iam:PassRole", true},
		{[]string{"iam:Pa?sRole"}, "iam:PassRole", true},
		{[]string{"iam:Get*"}, "iam:PassRole", false},
		{[]string{"s3:GetObject"}, "s3:GetObjectAcl", false},
	}
	for _, tc := range tests {
		if got := (Statement{Actions: tc.actions}).Grants(tc.action); got != tc.want {
			t.Errorf("%v grants %s = %v; want %v", tc.actions, tc.action, got, tc.want)
		}
	}
}

func TestViewLookup(t *testing.T) {
	t.Parallel()
	v := View{Inputs: map[string]any{"a": map[string]any{"b": []any{map[string]any{"c": "x"}}}, "n": 3.0, "t": true, "u": Unknown}}
	if v.String("a.b[0].c") != "x" || v.Number("n") != 3 || !v.IsTrue("t") || !v.IsTrue("u") || v.IsFalse("u") {
		t.Errorf("lookups wrong on %v", v.Inputs)
	}
	for _, p := range []string{"a.b[1].c", "a.x", "n.m", "a.b[x]"} {
		if _, ok := v.Lookup(p); ok {
			t.Errorf("Lookup(%q) found something", p)
		}
	}
	if !v.Set("u") || v.Set("missing") || !v.Unknown("u") {
		t.Error("Set/Unknown wrong")
	}
}
