package data_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/data"
	"github.com/londonaicentre/flip-hub/internal/iamdoc"
	"github.com/londonaicentre/flip-hub/internal/plan"
)

const (
	account = "123456789012"
	region  = "eu-west-2"
	typeKey = "aws:kms/key:Key"
)

func TestKeyPolicy(t *testing.T) {
	t.Parallel()
	doc, err := data.KeyPolicy(account, "aws", region)
	if err != nil {
		t.Fatal(err)
	}
	d, err := iamdoc.Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	if d.Version != iamdoc.Version {
		t.Errorf("policy version %q; want %s", d.Version, iamdoc.Version)
	}
	bySid := map[string]iamdoc.Statement{}
	for _, s := range d.Statement {
		if s.Effect != iamdoc.Allow {
			t.Errorf("statement %s has effect %s; the key policy only allows", s.Sid, s.Effect)
		}
		bySid[s.Sid] = s
	}
	want := []string{"AccountAdministers", "CloudWatchLogsOfThisAccount", "CloudFrontReadsThisAccountsBuckets", "AccountPrincipalsThroughHubServices"}
	if len(bySid) != len(want) || len(d.Statement) != len(want) {
		t.Fatalf("statements %v; want exactly %v", keys(bySid), want)
	}
	use := []string{"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"}

	t.Run("the account administers the key", func(t *testing.T) {
		s := bySid["AccountAdministers"]
		if s.Principal["AWS"] != "arn:aws:iam::"+account+":root" || !slices.Equal(s.Action, []string{"kms:*"}) {
			t.Errorf("administration statement %+v; want kms:* for the account root only", s)
		}
	})
	t.Run("cloudwatch logs only for this account's log groups", func(t *testing.T) {
		s := bySid["CloudWatchLogsOfThisAccount"]
		if s.Principal["Service"] != "logs."+region+".amazonaws.com" || !slices.Equal(s.Action, use) {
			t.Errorf("logs statement %+v; want the regional logs service with the use actions", s)
		}
		if got := s.Condition["ArnLike"]["kms:EncryptionContext:aws:logs:arn"]; got != fmt.Sprintf("arn:aws:logs:%s:%s:log-group:*", region, account) {
			t.Errorf("logs statement is narrowed to %v; want this account's log groups", got)
		}
	})
	t.Run("cloudfront only decrypts, for this account's distributions", func(t *testing.T) {
		s := bySid["CloudFrontReadsThisAccountsBuckets"]
		if s.Principal["Service"] != "cloudfront.amazonaws.com" || !slices.Equal(s.Action, []string{"kms:Decrypt"}) {
			t.Errorf("cloudfront statement %+v; want kms:Decrypt only", s)
		}
		if s.Condition["StringEquals"]["aws:SourceAccount"] != account ||
			s.Condition["ArnLike"]["aws:SourceArn"] != "arn:aws:cloudfront::"+account+":distribution/*" {
			t.Errorf("cloudfront statement conditions %v; want this account's distributions", s.Condition)
		}
	})
	t.Run("the account's principals only through the hub's services", func(t *testing.T) {
		s := bySid["AccountPrincipalsThroughHubServices"]
		if s.Principal["AWS"] != "*" || !slices.Equal(s.Action, append(slices.Clone(use), "kms:CreateGrant")) {
			t.Errorf("service statement %+v; want the use actions and CreateGrant", s)
		}
		eq := s.Condition["StringEquals"]
		if eq["kms:CallerAccount"] != account {
			t.Errorf("wildcard principal narrowed to caller account %v; want %s", eq["kms:CallerAccount"], account)
		}
		via, _ := eq["kms:ViaService"].([]any)
		var got []string
		for _, v := range via {
			got = append(got, fmt.Sprint(v))
		}
		var wantVia []string
		for _, svc := range []string{"rds", "secretsmanager", "s3", "ec2", "ssm"} {
			wantVia = append(wantVia, svc+"."+region+".amazonaws.com")
		}
		if !slices.Equal(got, wantVia) {
			t.Errorf("kms:ViaService %v; want %v (RDS, Secrets Manager, S3, EC2/EBS, SSM)", got, wantVia)
		}
	})
	t.Run("no wildcard principal without a narrowing condition", func(t *testing.T) {
		for _, s := range d.Statement {
			if s.Principal["AWS"] == "*" && len(s.Condition) == 0 {
				t.Errorf("statement %s allows any principal without a condition", s.Sid)
			}
			if slices.Contains(s.Action, "kms:*") && s.Principal["AWS"] != "arn:aws:iam::"+account+":root" {
				t.Errorf("statement %s grants kms:* to %v", s.Sid, s.Principal)
			}
		}
	})
}

func TestNewKey(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		window   int
		protect  bool
		importID string
		wantErr  bool
	}{
		{name: "stag", window: 7},
		{name: "prod", window: 30, protect: true},
		{name: "adopted", window: 30, protect: true, importID: "1234abcd-12ab-34cd-56ef-1234567890ab"},
		{name: "window too short", window: 6, wantErr: true},
		{name: "window too long", window: 31, wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g, err := planProgram(t, func(ctx *pulumi.Context) error {
				_, err := data.NewKey(ctx, "key", data.KeyArgs{
					Prefix:             "flip-test",
					Region:             region,
					AccountID:          pulumi.String(account),
					Partition:          pulumi.String("aws"),
					DeletionWindowDays: tc.window,
					Protect:            tc.protect,
					ImportID:           tc.importID,
				})
				return err
			})
			if tc.wantErr {
				if err == nil {
					t.Fatal("the key was built")
				}
				if len(g.Custom()) != 0 {
					t.Fatalf("%d resources registered before the error", len(g.Custom()))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			k, ok := g.Get(typeKey, "stack")
			if !ok {
				t.Fatal("no key")
			}
			if !k.Bool("enableKeyRotation") || k.String("keyUsage") != "ENCRYPT_DECRYPT" || k.Bool("multiRegion") {
				t.Errorf("key inputs %v; want a single-region symmetric key with rotation", k.Inputs)
			}
			if int(k.Number("deletionWindowInDays")) != tc.window {
				t.Errorf("deletion window %v; want %d", k.Inputs["deletionWindowInDays"], tc.window)
			}
			if !k.RetainOnDelete || k.Protect != tc.protect || k.ImportID != tc.importID {
				t.Errorf("key retain=%v protect=%v import=%q; want retained, protect=%v, import=%q", k.RetainOnDelete, k.Protect, k.ImportID, tc.protect, tc.importID)
			}
			if _, err := iamdoc.Parse(k.String("policy")); err != nil {
				t.Errorf("key policy: %v", err)
			}
			alias, ok := g.Get("aws:kms/alias:Alias", "stack")
			if !ok || alias.String("name") != "alias/flip-test" || alias.String("targetKeyId") == "" {
				t.Errorf("alias %v; want alias/flip-test on the key", alias.Inputs)
			}
		})
	}
}

// planProgram runs a program under the recording mocks with a minimal config.
func planProgram(t *testing.T, program pulumi.RunFunc) (*plan.Graph, error) {
	t.Helper()
	cfg := plan.StackConfig{Values: map[string]string{
		"aws:region":            region,
		"aws:allowedAccountIds": `["` + account + `"]`,
	}}
	return plan.Run(plan.Options{Stack: "test", Config: &cfg, Program: program})
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
