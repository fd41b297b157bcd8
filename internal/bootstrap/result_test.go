package bootstrap_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/londonaicentre/flip-hub/internal/bootstrap"
)

func TestOptionsValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		opts       bootstrap.Options
		wantOption string // "" for valid
	}{
		{opts: bootstrap.Options{Stack: "stag"}},
		{opts: bootstrap.Options{Stack: "prod"}},
		{opts: bootstrap.Options{Stack: "a"}},
		{opts: bootstrap.Options{Stack: "eu-2-test"}},
		{opts: bootstrap.Options{Stack: "a" + strings.Repeat("b", 30)}},
		{opts: bootstrap.Options{Stack: "stag", BucketName: "my-org-pulumi-state"}},
		{opts: bootstrap.Options{Stack: ""}, wantOption: bootstrap.OptionStack},
		{opts: bootstrap.Options{Stack: "a" + strings.Repeat("b", 31)}, wantOption: bootstrap.OptionStack},
		{opts: bootstrap.Options{Stack: "-stag"}, wantOption: bootstrap.OptionStack},
		{opts: bootstrap.Options{Stack: "st ag"}, wantOption: bootstrap.OptionStack},
		{opts: bootstrap.Options{Stack: "stag\n"}, wantOption: bootstrap.OptionStack},
		{opts: bootstrap.Options{Stack: "org/stag"}, wantOption: bootstrap.OptionStack},
		{opts: bootstrap.Options{Stack: "stag", BucketName: "ab"}, wantOption: bootstrap.OptionBucketName},
		{opts: bootstrap.Options{Stack: "stag", BucketName: "xn--state"}, wantOption: bootstrap.OptionBucketName},
		{opts: bootstrap.Options{Stack: "stag", BucketName: "state'x"}, wantOption: bootstrap.OptionBucketName},
	}
	for _, tc := range tests {
		t.Run(tc.opts.Stack+"/"+tc.opts.BucketName, func(t *testing.T) {
			t.Parallel()
			err := tc.opts.Validate()
			if tc.wantOption == "" {
				if err != nil {
					t.Fatalf("Validate() = %v; want nil", err)
				}
				return
			}
			var oe *bootstrap.OptionError
			if !errors.As(err, &oe) || oe.Option != tc.wantOption {
				t.Fatalf("Validate() = %v; want an OptionError for %s", err, tc.wantOption)
			}
			if !strings.HasPrefix(err.Error(), "option "+tc.wantOption+": ") {
				t.Errorf("error %q does not start by naming the option", err)
			}
		})
	}
}

func TestResultLines(t *testing.T) {
	t.Parallel()
	res := bootstrap.Result{
		Stack: "prod", Account: "123456789012", Region: "eu-west-2",
		Bucket: bootstrap.BucketResult{Name: "flip-hub-pulumi-state-123456789012-eu-west-2", Status: bootstrap.Existed,
			Changed: []bootstrap.Setting{bootstrap.SettingVersioning, bootstrap.SettingTLSPolicy}},
		Key: bootstrap.KeyResult{Alias: "alias/flip-hub-prod-secrets", ARN: "arn:aws:kms:eu-west-2:123456789012:key/k1", Status: bootstrap.Existed},
	}
	wantSteps := []string{
		"pulumi login 's3://flip-hub-pulumi-state-123456789012-eu-west-2?region=eu-west-2&awssdk=v2'",
		"pulumi stack init prod --secrets-provider 'awskms://alias/flip-hub-prod-secrets?region=eu-west-2'",
	}
	if got := res.NextSteps(); !slices.Equal(got, wantSteps) {
		t.Errorf("NextSteps() =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantSteps, "\n"))
	}
	wantSummary := []string{
		"state bucket flip-hub-pulumi-state-123456789012-eu-west-2 (account 123456789012, eu-west-2): existed; repaired versioning, TLS-only bucket policy",
		"secrets key alias/flip-hub-prod-secrets (arn:aws:kms:eu-west-2:123456789012:key/k1): existed; nothing to change",
	}
	if got := res.Summary(); !slices.Equal(got, wantSummary) {
		t.Errorf("Summary() =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantSummary, "\n"))
	}
	if got := bootstrap.Alias("stag"); got != "alias/flip-hub-stag-secrets" {
		t.Errorf("Alias(stag) = %q", got)
	}
	if got := bootstrap.DefaultBucketName("123456789012", "us-east-1"); got != "flip-hub-pulumi-state-123456789012-us-east-1" {
		t.Errorf("DefaultBucketName = %q", got)
	}
}
