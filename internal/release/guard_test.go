package release

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
)

func TestCheckSteps(t *testing.T) {
	t.Parallel()
	const (
		db  = "urn:pulumi:prod::flip-hub::flip:data:Data$aws:rds/instance:Instance::db"
		sg  = "urn:pulumi:prod::flip-hub::flip:network:Network$aws:ec2/securityGroup:SecurityGroup::rds"
		key = "urn:pulumi:prod::flip-hub::flip:trusts:Trusts$random:index/randomPassword:RandomPassword::gstt-api-key"
	)
	cases := []struct {
		name  string
		steps []Step
		allow []string
		want  []string
	}{
		{name: "no steps", want: nil},
		{name: "update of a stateful resource is fine", steps: []Step{{db, "aws:rds/instance:Instance", apitype.OpUpdate}}},
		{name: "replacing a security group is fine", steps: []Step{{sg, "aws:ec2/securityGroup:SecurityGroup", apitype.OpReplace}}},
		{name: "deleting the database is refused", steps: []Step{{db, "aws:rds/instance:Instance", apitype.OpDelete}}, want: []string{"delete " + db}},
		{name: "a replacement counts once", steps: []Step{
			{db, "aws:rds/instance:Instance", apitype.OpCreateReplacement},
			{db, "aws:rds/instance:Instance", apitype.OpReplace},
			{db, "aws:rds/instance:Instance", apitype.OpDeleteReplaced},
		}, want: []string{"replace " + db}},
		{name: "rotating a trust key by replacement is refused", steps: []Step{{key, "random:index/randomPassword:RandomPassword", apitype.OpReplace}}, want: []string{"replace " + key}},
		{name: "allowed by URN", steps: []Step{{db, "aws:rds/instance:Instance", apitype.OpDelete}}, allow: []string{db}},
		{name: "allowing one does not allow another", steps: []Step{
			{db, "aws:rds/instance:Instance", apitype.OpDelete},
			{key, "random:index/randomPassword:RandomPassword", apitype.OpDelete},
		}, allow: []string{db}, want: []string{"delete " + key}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := CheckSteps(tc.steps, tc.allow)
			var gotS []string
			for _, v := range got {
				gotS = append(gotS, v.String())
			}
			if fmt.Sprint(gotS) != fmt.Sprint(tc.want) {
				t.Fatalf("CheckSteps = %v; want %v", gotS, tc.want)
			}
		})
	}
}

func TestStatefulTypesCoverTheHub(t *testing.T) {
	t.Parallel()
	for _, typ := range []string{"aws:rds/instance:Instance", "aws:cognito/userPool:UserPool", "aws:s3/bucketV2:BucketV2", "aws:secretsmanager/secret:Secret", "aws:kms/key:Key"} {
		if !IsStateful(typ) {
			t.Errorf("%s is not guarded", typ)
		}
	}
	// Replacing the hub host on prod is a decision (its volume holds the FL kits and the deploy
	// state): it needs --allow-replace with its URN. A security group is not stateful.
	if IsStateful("aws:ec2/securityGroup:SecurityGroup") {
		t.Error("a security group is guarded as stateful")
	}
}

func TestHasChanges(t *testing.T) {
	t.Parallel()
	cases := []struct {
		summary map[apitype.OpType]int
		want    bool
	}{
		{nil, false},
		{map[apitype.OpType]int{apitype.OpSame: 12}, false},
		{map[apitype.OpType]int{apitype.OpSame: 12, apitype.OpUpdate: 1}, true},
		{map[apitype.OpType]int{apitype.OpCreate: 0}, false},
	}
	for _, tc := range cases {
		if got := HasChanges(tc.summary); got != tc.want {
			t.Errorf("HasChanges(%v) = %v; want %v", tc.summary, got, tc.want)
		}
	}
}

func TestCodes(t *testing.T) {
	t.Parallel()
	refused := describeViolations("prod", []Violation{{URN: "u", Op: apitype.OpDelete}})
	cases := []struct {
		err  error
		want Code
	}{
		{nil, OK},
		{errors.New("boom"), Failed},
		{fail(ChangesPending, "x"), ChangesPending},
		{fmt.Errorf("wrapped: %w", fail(Concurrent, "x")), Concurrent},
		{refused, Refused},
	}
	for _, tc := range cases {
		if got := CodeOf(tc.err); got != tc.want {
			t.Errorf("CodeOf(%v) = %v; want %v", tc.err, got, tc.want)
		}
	}
	if !strings.Contains(refused.Error(), "--allow-replace") {
		t.Errorf("refusal does not say how to proceed: %v", refused)
	}
}

func TestCheckProtected(t *testing.T) {
	t.Parallel()
	const (
		db  = "urn:pulumi:prod::flip-hub::flip:data:Data$aws:rds/instance:Instance::postgres"
		sg  = "urn:pulumi:prod::flip-hub::flip:network:Network$aws:ec2/securityGroup:SecurityGroup::rds"
		bkt = "urn:pulumi:prod::flip-hub::flip:data:Data$flip:storage:Bucket$aws:s3/bucketV2:BucketV2::uploads"
	)
	// The engine's own wording (pkg/resource/deploy, v3.274.1), as the engine suite sees it.
	protected := func(urn string) Diagnostic {
		return Diagnostic{URN: urn, Message: "unable to replace resource \"" + urn + "\"\nas it is currently marked for protection. To unprotect the resource, remove the `protect` flag"}
	}
	cases := []struct {
		name  string
		diags []Diagnostic
		allow []string
		want  []string
	}{
		{name: "none"},
		{name: "protected database", diags: []Diagnostic{protected(db)}, want: []string{"replace " + db}},
		{name: "nested component type", diags: []Diagnostic{protected(bkt), protected(bkt)}, want: []string{"replace " + bkt}},
		{name: "allowed", diags: []Diagnostic{protected(db)}, allow: []string{db}},
		{name: "stateless resource", diags: []Diagnostic{protected(sg)}},
		{name: "another error", diags: []Diagnostic{{URN: db, Message: "InvalidParameterCombination"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, v := range CheckProtected(c.diags, c.allow) {
				got = append(got, v.String())
			}
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("CheckProtected = %v, want %v", got, c.want)
			}
		})
	}
}

// The guard also covers what loses identity or data less obviously: the FLIP_API secret's
// version (new keys for every trust), the host, the audit logs, the app client and seeded users.
func TestGuardCoversLessObviousStatefulTypes(t *testing.T) {
	t.Parallel()
	for _, typ := range []string{
		"aws:secretsmanager/secretVersion:SecretVersion", "aws:ec2/instance:Instance", "aws:cloudwatch/logGroup:LogGroup",
		"aws:cognito/userPoolClient:UserPoolClient", "aws:cognito/user:User",
	} {
		urn := "urn:pulumi:prod::flip-hub::" + typ + "::x"
		if vs := CheckSteps([]Step{{urn, typ, apitype.OpReplace}}, nil); len(vs) != 1 {
			t.Errorf("replacing %s is not refused", typ)
		}
	}
}

func TestPlanRefusal(t *testing.T) {
	t.Parallel()
	cases := []struct {
		msg  string
		want bool
	}{
		// The engine's wordings (pkg/resource/deploy step_generator.go, step_executor.go).
		{"create-replacement is not allowed by the plan: this resource is constrained to same", true},
		{"resource urn:pulumi:prod::flip-hub::x::y violates plan: properties changed: ++kmsKeyId", true},
		{"update is not allowed by the plan: no steps were expected for this resource", true},
		{"failed to run update: exit status 1: error: resource protected", false},
	}
	for _, tc := range cases {
		if got := planRefusal(errors.New(tc.msg)); got != tc.want {
			t.Errorf("planRefusal(%q) = %v; want %v", tc.msg, got, tc.want)
		}
	}
}
