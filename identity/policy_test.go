package identity_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/londonaicentre/flip-hub/identity"
	"github.com/londonaicentre/flip-hub/internal/iamdoc"
)

// checkLeastPrivilege applies the IAM rules the hub is reviewed against to an identity
// (inline) policy: no "*" action and no service-wide "svc:*" (IAM.1, IAM.21,
// CKV_AWS_62), no "*" resource and no resource with a wildcard account or region, no
// NotAction/NotResource tricks, and no Allow without a resource.
func checkLeastPrivilege(d iamdoc.Document) []string {
	var problems []string
	if d.Version != iamdoc.Version {
		problems = append(problems, fmt.Sprintf("version %q", d.Version))
	}
	for i, s := range d.Statement {
		id := fmt.Sprintf("statement %d (%s)", i, s.Sid)
		if s.Principal != nil {
			problems = append(problems, id+" has a principal in an identity policy")
		}
		if len(s.Action) == 0 {
			problems = append(problems, id+" has no action")
		}
		for _, a := range s.Action {
			if a == "*" || strings.HasSuffix(a, ":*") || !strings.Contains(a, ":") {
				problems = append(problems, fmt.Sprintf("%s allows %q", id, a))
			}
		}
		if s.Effect == iamdoc.Allow && len(s.Resource) == 0 {
			problems = append(problems, id+" allows without naming a resource")
		}
		for _, r := range s.Resource {
			parts := strings.SplitN(r, ":", 6)
			switch {
			case r == "*":
				problems = append(problems, id+" allows every resource")
			case len(parts) < 6 || parts[0] != "arn":
				problems = append(problems, fmt.Sprintf("%s names %q, which is not an ARN", id, r))
			case strings.Contains(parts[3], "*") || strings.Contains(parts[4], "*"):
				problems = append(problems, fmt.Sprintf("%s names %q with a wildcard region or account", id, r))
			}
		}
	}
	return problems
}

// checkTrust is CKV_AWS_60/61: a trust policy with one statement letting one named
// service assume the role, and nothing else.
func checkTrust(d iamdoc.Document) []string {
	if len(d.Statement) != 1 {
		return []string{fmt.Sprintf("%d statements; want 1", len(d.Statement))}
	}
	s := d.Statement[0]
	var problems []string
	if s.Effect != iamdoc.Allow || len(s.Action) != 1 || s.Action[0] != "sts:AssumeRole" {
		problems = append(problems, fmt.Sprintf("%s %v; want Allow sts:AssumeRole", s.Effect, s.Action))
	}
	if len(s.Principal) != 1 {
		problems = append(problems, fmt.Sprintf("principal %v; want one service", s.Principal))
	}
	svc, ok := s.Principal["Service"].(string)
	if !ok || svc == "*" || !strings.HasSuffix(svc, ".amazonaws.com") {
		problems = append(problems, fmt.Sprintf("principal %v; want one named service", s.Principal))
	}
	return problems
}

func grants() identity.HostGrants {
	return identity.HostGrants{
		Partition:        "aws",
		Region:           region,
		Account:          account,
		Secrets:          []string{apiSec, dbSec, ""},
		KMSKey:           kmsKey,
		Buckets:          buckets,
		ReadWriteObjects: rwObjects,
		ReadOnlyObjects:  roObjects,
		Sender:           "noreply@test.flip.example.org",
		SESResources:     []string{"arn:aws:ses:eu-west-2:123456789012:identity/test.flip.example.org"},
		UserPool:         "arn:aws:cognito-idp:eu-west-2:123456789012:userpool/eu-west-2_Test",
		ParameterPath:    "/flip/",
		FLServerRole:     flServerRole,
	}
}

const flServerRole = "arn:aws:iam::123456789012:role/flip-test-fl-server"

// TestCheckersCanFail proves each rule of the checkers fires on a mutated policy, and
// stays quiet on the real one.
func TestCheckersCanFail(t *testing.T) {
	t.Parallel()
	good, err := identity.HostPolicy(grants())
	if err != nil {
		t.Fatal(err)
	}
	parse := func(t *testing.T, doc string) iamdoc.Document {
		t.Helper()
		d, err := iamdoc.Parse(doc)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	if p := checkLeastPrivilege(parse(t, good)); len(p) > 0 {
		t.Fatalf("known-good host policy fails: %v", p)
	}
	mutations := []struct {
		name   string
		mutate func(d *iamdoc.Document)
	}{
		{"star action", func(d *iamdoc.Document) { d.Statement[0].Action = append(d.Statement[0].Action, "*") }},
		{"service-wide action", func(d *iamdoc.Document) { d.Statement[1].Action = []string{"kms:*"} }},
		{"star resource", func(d *iamdoc.Document) { d.Statement[2].Resource = []string{"*"} }},
		{"wildcard account", func(d *iamdoc.Document) {
			d.Statement[0].Resource = []string{"arn:aws:secretsmanager:eu-west-2:*:secret:x"}
		}},
		{"no resource", func(d *iamdoc.Document) { d.Statement[3].Resource = nil }},
		{"principal", func(d *iamdoc.Document) { d.Statement[4].Principal = map[string]any{"AWS": "*"} }},
	}
	for _, m := range mutations {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			d := parse(t, good)
			m.mutate(&d)
			if p := checkLeastPrivilege(d); len(p) == 0 {
				t.Error("checker passed a mutated policy")
			}
		})
	}

	trust, err := identity.HostTrustPolicy()
	if err != nil {
		t.Fatal(err)
	}
	if p := checkTrust(parse(t, trust)); len(p) > 0 {
		t.Fatalf("known-good trust policy fails: %v", p)
	}
	trustMutations := []struct {
		name   string
		mutate func(d *iamdoc.Document)
	}{
		{"two services", func(d *iamdoc.Document) {
			d.Statement[0].Principal = map[string]any{"Service": []any{"ec2.amazonaws.com", "lambda.amazonaws.com"}}
		}},
		{"any principal", func(d *iamdoc.Document) { d.Statement[0].Principal = map[string]any{"AWS": "*"} }},
		{"service and account", func(d *iamdoc.Document) { d.Statement[0].Principal["AWS"] = "arn:aws:iam::123456789012:root" }},
		{"star service", func(d *iamdoc.Document) { d.Statement[0].Principal = map[string]any{"Service": "*"} }},
		{"second statement", func(d *iamdoc.Document) { d.Statement = append(d.Statement, d.Statement[0]) }},
		{"extra action", func(d *iamdoc.Document) { d.Statement[0].Action = append(d.Statement[0].Action, "sts:TagSession") }},
	}
	for _, m := range trustMutations {
		t.Run("trust "+m.name, func(t *testing.T) {
			t.Parallel()
			d := parse(t, trust)
			m.mutate(&d)
			if p := checkTrust(d); len(p) == 0 {
				t.Error("checker passed a mutated trust policy")
			}
		})
	}
}

func TestHostPolicy(t *testing.T) {
	t.Parallel()
	doc, err := identity.HostPolicy(grants())
	if err != nil {
		t.Fatal(err)
	}
	st := statementBySid(t, doc)
	if got := st["ReadHubSecrets"].Resource; len(got) != 2 {
		t.Errorf("secrets %v; want the two set ARNs, the empty one skipped", got)
	}
	// A trailing slash on the path does not widen or break the parameter ARNs.
	params := "arn:aws:ssm:eu-west-2:123456789012:parameter/flip"
	if got := sorted(st["ReadHubParameters"].Resource...); len(got) != 2 || got[0] != params || got[1] != params+"/*" {
		t.Errorf("parameters %v; want %s and %s/*", got, params, params)
	}
	if got := st["AssumeFLServerRole"]; len(got.Resource) != 1 || got.Resource[0] != flServerRole {
		t.Errorf("AssumeFLServerRole on %v; want the fl-server role alone", got.Resource)
	}
	via, _ := st["UseStackKeyThroughHubServices"].Condition["StringEquals"]["kms:ViaService"].([]any)
	for _, v := range via {
		if s, _ := v.(string); !strings.HasSuffix(s, "."+region+".amazonaws.com") {
			t.Errorf("kms:ViaService %v is not a service of %s", v, region)
		}
	}

	bad := []struct {
		name   string
		mutate func(g *identity.HostGrants)
	}{
		{"no secrets", func(g *identity.HostGrants) { g.Secrets = []string{"", ""} }},
		{"no buckets", func(g *identity.HostGrants) { g.Buckets = nil }},
		{"no key", func(g *identity.HostGrants) { g.KMSKey = "" }},
		{"no pool", func(g *identity.HostGrants) { g.UserPool = "" }},
		{"no sender", func(g *identity.HostGrants) { g.Sender = "" }},
		{"no SES resources", func(g *identity.HostGrants) { g.SESResources = nil }},
		{"no fl-server role", func(g *identity.HostGrants) { g.FLServerRole = "" }},
	}
	for _, b := range bad {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			g := grants()
			b.mutate(&g)
			if _, err := identity.HostPolicy(g); err == nil {
				t.Error("HostPolicy accepted incomplete grants")
			}
		})
	}
}

func TestMessages(t *testing.T) {
	t.Parallel()
	for _, mfa := range []bool{true, false} {
		m := identity.NewMessages("hub.example.org", "admin@example.org", 7, mfa)
		if !strings.Contains(m.InviteHTML, "{username}") || !strings.Contains(m.InviteHTML, "{####}") {
			t.Errorf("invite lacks Cognito's placeholders")
		}
		if !strings.Contains(m.VerificationHTML, "{####}") {
			t.Errorf("verification message lacks {####}")
		}
		for _, body := range []string{m.InviteHTML, m.VerificationHTML} {
			if !strings.Contains(body, "https://hub.example.org") || len(body) > 20000 {
				t.Errorf("message does not link the hub or exceeds Cognito's 20000 characters (%d)", len(body))
			}
		}
		if got := strings.Contains(m.InviteHTML, "every time you sign in"); got != mfa {
			t.Errorf("mfa=%v: invite mentions the required authenticator = %v", mfa, got)
		}
	}
}

// TestFLServerPolicy: fl-server, which runs researchers' job code, may write results and use
// the stack key through S3 for that, and nothing else: no read, no secret, no other bucket.
func TestFLServerPolicy(t *testing.T) {
	t.Parallel()
	results := "arn:aws:s3:::flip-test-fl-results/results/*"
	doc, err := identity.FLServerPolicy(identity.FLServerGrants{Region: region, Objects: []string{results}, KMSKey: kmsKey})
	if err != nil {
		t.Fatal(err)
	}
	st := statementBySid(t, doc)
	if len(st) != 2 {
		t.Fatalf("statements %v; want WriteResults and EncryptResultsWithStackKey only", st)
	}
	w := st["WriteResults"]
	if got := sorted(w.Action...); strings.Join(got, ",") != "s3:AbortMultipartUpload,s3:PutObject" || len(w.Resource) != 1 || w.Resource[0] != results {
		t.Errorf("WriteResults %v on %v; want PutObject and AbortMultipartUpload on %s", got, w.Resource, results)
	}
	k := st["EncryptResultsWithStackKey"]
	if k.Condition["StringEquals"]["kms:ViaService"] != "s3."+region+".amazonaws.com" || len(k.Resource) != 1 || k.Resource[0] != kmsKey {
		t.Errorf("key statement %+v; want the stack key through S3 in %s only", k, region)
	}
	for _, a := range []string{"s3:GetObject", "secretsmanager:GetSecretValue", "ssm:GetParameter", "s3:DeleteObject"} {
		for sid, s := range st {
			if slices.Contains(s.Action, a) {
				t.Errorf("%s grants %s", sid, a)
			}
		}
	}
	if _, err := identity.FLServerPolicy(identity.FLServerGrants{Region: region, KMSKey: kmsKey}); err == nil {
		t.Error("a policy with no objects was accepted")
	}
	trust, err := identity.FLServerTrustPolicy("arn:aws:iam::123456789012:role/flip-test-hub-host")
	if err != nil || !strings.Contains(trust, `"AWS":"arn:aws:iam::123456789012:role/flip-test-hub-host"`) {
		t.Errorf("trust policy %s (%v); want the host role as the one principal", trust, err)
	}
}
