package bootstrap

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

const testARN = "arn:aws:s3:::flip-hub-pulumi-state-123456789012-eu-west-2"

// The two TLS denials as S3 or a person might spell them: "*" principals, lone strings for
// lists, resources in the other order, a different Sid or none, an upper-case action and
// condition key, a boolean false.
const (
	secureTransportAsS3Might = `{"Sid":"other-name","Effect":"Deny","Principal":"*","Action":"S3:*",
  "Resource":["` + testARN + `/*","` + testARN + `"],"Condition":{"Bool":{"AWS:SecureTransport":false}}}`
	tlsVersionAsS3Might = `{"Effect":"Deny","Principal":{"AWS":["*"]},"Action":["s3:*"],
  "Resource":["` + testARN + `","` + testARN + `/*"],"Condition":{"NumericLessThan":{"s3:TlsVersion":"1.2"}}}`
	tlsOnlyAsS3Might = `{"Version":"2012-10-17","Id":"keep-me","Statement":[` + secureTransportAsS3Might + `,` + tlsVersionAsS3Might + `]}`
)

func TestHasTLSOnly(t *testing.T) {
	t.Parallel()
	mutate := func(from, to string) string { return strings.Replace(tlsOnlyAsS3Might, from, to, 1) }
	tests := []struct {
		name string
		doc  string
		want bool
	}{
		{name: "no policy", doc: "", want: false},
		{name: "same meaning, other spelling", doc: tlsOnlyAsS3Might, want: true},
		{name: "what withTLSOnly writes", doc: mustPolicy(t, ""), want: true},
		{name: "allow instead of deny", doc: mutate(`"Effect":"Deny"`, `"Effect":"Allow"`), want: false},
		{name: "secure transport true", doc: mutate(`"AWS:SecureTransport":false`, `"AWS:SecureTransport":true`), want: false},
		{name: "objects not covered", doc: mutate(`"Resource":["`+testARN+`/*","`+testARN+`"]`, `"Resource":"`+testARN+`"`), want: false},
		{name: "another bucket", doc: strings.ReplaceAll(tlsOnlyAsS3Might, testARN, testARN+"-old"), want: false},
		{name: "one principal only", doc: mutate(`"Principal":"*"`, `"Principal":{"AWS":"arn:aws:iam::123456789012:root"}`), want: false},
		{name: "narrower action", doc: mutate(`"Action":"S3:*"`, `"Action":"s3:GetObject"`), want: false},
		{name: "extra condition narrows it", doc: mutate(`{"Bool":{"AWS:SecureTransport":false}}`,
			`{"Bool":{"AWS:SecureTransport":false},"StringEquals":{"aws:PrincipalAccount":"1"}}`), want: false},
		{name: "TLS version statement missing", doc: `{"Version":"2012-10-17","Statement":[` + secureTransportAsS3Might + `]}`, want: false},
		{name: "lone statement object", doc: `{"Version":"2012-10-17","Statement":` + secureTransportAsS3Might + `}`, want: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := hasTLSOnly(tc.doc, testARN)
			if err != nil {
				t.Fatalf("hasTLSOnly: %v", err)
			}
			if got != tc.want {
				t.Fatalf("hasTLSOnly = %v; want %v\n%s", got, tc.want, tc.doc)
			}
		})
	}
}

func TestWithTLSOnly(t *testing.T) {
	t.Parallel()
	grant := `{"Sid":"AuditRead","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/audit"},"Action":"s3:GetObject","Resource":"` + testARN + `/*"}`
	stale := `{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"` + testARN + `"}`
	tests := []struct {
		name      string
		doc       string
		wantSids  []string // in order
		wantTopID bool
	}{
		{name: "no policy", doc: "", wantSids: []string{"DenyInsecureTransport", "DenyTLSOlderThan12"}},
		{name: "a lone statement object is kept", doc: `{"Version":"2012-10-17","Id":"x","Statement":` + grant + `}`,
			wantSids: []string{"AuditRead", "DenyInsecureTransport", "DenyTLSOlderThan12"}, wantTopID: true},
		{name: "a stale statement under our Sid is replaced", doc: `{"Version":"2012-10-17","Statement":[` + stale + `,` + grant + `]}`,
			wantSids: []string{"AuditRead", "DenyInsecureTransport", "DenyTLSOlderThan12"}},
		{name: "no Version gets one", doc: `{"Statement":[` + grant + `]}`,
			wantSids: []string{"AuditRead", "DenyInsecureTransport", "DenyTLSOlderThan12"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out := mustPolicy(t, tc.doc)
			var doc struct {
				Version   string
				ID        string `json:"Id"`
				Statement []map[string]any
			}
			if err := json.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatalf("output is not JSON: %v\n%s", err, out)
			}
			if doc.Version != "2012-10-17" {
				t.Errorf("Version = %q; want 2012-10-17", doc.Version)
			}
			var sids []string
			for _, s := range doc.Statement {
				sids = append(sids, s["Sid"].(string))
			}
			if strings.Join(sids, ",") != strings.Join(tc.wantSids, ",") {
				t.Errorf("statements %v; want %v\n%s", sids, tc.wantSids, out)
			}
			if (doc.ID == "x") != tc.wantTopID {
				t.Errorf("Id = %q; kept = %v, want kept = %v", doc.ID, doc.ID == "x", tc.wantTopID)
			}
			if ok, err := hasTLSOnly(out, testARN); err != nil || !ok {
				t.Errorf("hasTLSOnly(withTLSOnly(doc)) = %v, %v; want true", ok, err)
			}
			if strings.Contains(tc.doc, "AuditRead") && !strings.Contains(out, `"Action":"s3:GetObject"`) {
				t.Errorf("the other statement was rewritten, not kept as it was:\n%s", out)
			}
		})
	}
	if _, err := withTLSOnly(`{"Statement":`, testARN); err == nil {
		t.Error("withTLSOnly accepted a broken policy")
	}
}

func mustPolicy(t *testing.T, doc string) string {
	t.Helper()
	out, err := withTLSOnly(doc, testARN)
	if err != nil {
		t.Fatalf("withTLSOnly: %v", err)
	}
	return out
}

func TestClassifyCreateBucket(t *testing.T) {
	t.Parallel()
	other := errors.New("connection reset")
	tests := []struct {
		name       string
		err        error
		want       Status
		wantTaken  bool
		wantIs     error
		wantInText []string
	}{
		{name: "created", err: nil, want: Created},
		{name: "ours already", err: &smithy.GenericAPIError{Code: "BucketAlreadyOwnedByYou"}, want: Existed},
		{name: "another account's", err: &smithy.GenericAPIError{Code: "BucketAlreadyExists", Message: "The requested bucket name is not available."},
			wantTaken: true, wantInText: []string{"state bucket b1", "another AWS account", "option bucket-name"}},
		{name: "anything else", err: other, wantIs: other, wantInText: []string{"state bucket b1: create"}},
		{name: "access denied is not taken", err: &smithy.GenericAPIError{Code: "AccessDenied"}, wantInText: []string{"AccessDenied"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := classifyCreateBucket("b1", tc.err)
			if got != tc.want {
				t.Errorf("status = %q; want %q", got, tc.want)
			}
			if (tc.want != "") != (err == nil) {
				t.Fatalf("err = %v; want error only when there is no status", err)
			}
			if errors.Is(err, ErrBucketTaken) != tc.wantTaken {
				t.Errorf("errors.Is(%v, ErrBucketTaken) = %v; want %v", err, !tc.wantTaken, tc.wantTaken)
			}
			if tc.wantIs != nil && !errors.Is(err, tc.wantIs) {
				t.Errorf("error %v does not wrap %v", err, tc.wantIs)
			}
			for _, w := range tc.wantInText {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestBucketRegion(t *testing.T) {
	t.Parallel()
	for in, want := range map[s3types.BucketLocationConstraint]string{
		"": "us-east-1", "EU": "eu-west-1", "eu-west-2": "eu-west-2", "us-west-1": "us-west-1",
	} {
		if got := bucketRegion(in); got != want {
			t.Errorf("bucketRegion(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestPartitionOf(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"arn:aws:sts::123456789012:assumed-role/admin/me": "aws",
		"arn:aws-us-gov:iam::123456789012:user/me":        "aws-us-gov",
		"arn:aws-cn:sts::123456789012:federated-user/x":   "aws-cn",
		"":             "",
		"arn::sts::1:": "",
		"nonsense":     "",
	} {
		got, err := partitionOf(in)
		if got != want || (want == "") != (err != nil) {
			t.Errorf("partitionOf(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}
