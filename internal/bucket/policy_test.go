package bucket

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/internal/iamdoc"
)

func TestPhysicalName(t *testing.T) {
	t.Parallel()
	const account = "123456789012"
	cases := []struct {
		name, prefix, purpose, account string
		want                           string
		wantErr                        bool
	}{
		{name: "prefix purpose account", prefix: "flip-prod", purpose: "fl-kits", account: account, want: "flip-prod-fl-kits-123456789012"},
		{name: "lower-cased", prefix: "FLIP-stag", purpose: "Logs", account: account, want: "flip-stag-logs-123456789012"},
		{name: "underscore refused", prefix: "flip-stag", purpose: "fl_kits", account: account, wantErr: true},
		{name: "dot refused", prefix: "flip.stag", purpose: "logs", account: account, wantErr: true},
		{name: "no purpose", prefix: "flip-stag", account: account, wantErr: true},
		{name: "no account", prefix: "flip-stag", purpose: "logs", wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := PhysicalName(tc.prefix, tc.purpose, tc.account)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("PhysicalName = %q; want an error", got)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("PhysicalName = %q, %v; want %q", got, err, tc.want)
			}
		})
	}

	t.Run("long names are bounded, stable and distinct", func(t *testing.T) {
		t.Parallel()
		long := strings.Repeat("uploaded-federated-data-", 3)
		a, errA := PhysicalName("flip-prod", long+"a", account)
		b, errB := PhysicalName("flip-prod", long+"b", account)
		again, _ := PhysicalName("flip-prod", long+"a", account)
		if errA != nil || errB != nil {
			t.Fatalf("errors %v, %v", errA, errB)
		}
		if len(a) > MaxNameLength || len(b) > MaxNameLength {
			t.Fatalf("lengths %d and %d; want at most %d", len(a), len(b), MaxNameLength)
		}
		if a == b || a != again {
			t.Fatalf("names %q, %q, %q; want distinct per purpose and stable", a, b, again)
		}
	})
}

func TestCheckName(t *testing.T) {
	t.Parallel()
	cases := map[string]bool{
		"flip-prod-logs-123456789012": true,
		"abc":                         true,
		"ab":                          false,
		strings.Repeat("a", 64):       false,
		"Flip-prod":                   false,
		"-flip":                       false,
		"flip-":                       false,
		"flip.prod":                   false,
		"xn--flip":                    false,
		"sthree-flip":                 false,
		"flip-s3alias":                false,
		"flip--ol-s3":                 false,
	}
	for name, ok := range cases {
		if err := CheckName(name); (err == nil) != ok {
			t.Errorf("CheckName(%q) = %v; want ok=%v", name, err, ok)
		}
	}
}

func TestPolicy(t *testing.T) {
	t.Parallel()
	const arn = "arn:aws:s3:::flip-prod-logs-123456789012"
	read := iamdoc.Statement{
		Sid:       "CloudFrontReads",
		Effect:    iamdoc.Allow,
		Principal: map[string]any{"Service": "cloudfront.amazonaws.com"},
		Action:    []string{"s3:GetObject"},
		Resource:  []string{arn + "/*"},
		Condition: map[string]map[string]any{"StringEquals": {"AWS:SourceArn": "arn:aws:cloudfront::123456789012:distribution/E1"}},
	}

	t.Run("tls denials come first, then the extra statements", func(t *testing.T) {
		t.Parallel()
		doc, err := Policy(arn, read)
		if err != nil {
			t.Fatal(err)
		}
		d, err := iamdoc.Parse(doc)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Statement) != 3 {
			t.Fatalf("%d statements; want 2 denials and the grant", len(d.Statement))
		}
		transport, tls, grant := d.Statement[0], d.Statement[1], d.Statement[2]
		for _, s := range []iamdoc.Statement{transport, tls} {
			if s.Effect != iamdoc.Deny || s.Principal["AWS"] != "*" || len(s.Action) != 1 || s.Action[0] != "s3:*" {
				t.Errorf("statement %s is not a deny of s3:* to everyone: %+v", s.Sid, s)
			}
			if len(s.Resource) != 2 || s.Resource[0] != arn || s.Resource[1] != arn+"/*" {
				t.Errorf("statement %s covers %v; want the bucket and its objects", s.Sid, s.Resource)
			}
		}
		if transport.Condition["Bool"]["aws:SecureTransport"] != "false" {
			t.Errorf("first denial condition %v; want aws:SecureTransport false", transport.Condition)
		}
		if tls.Condition["NumericLessThan"]["s3:TlsVersion"] != MinTLSVersion {
			t.Errorf("second denial condition %v; want s3:TlsVersion below %s", tls.Condition, MinTLSVersion)
		}
		if grant.Sid != read.Sid || grant.Effect != iamdoc.Allow {
			t.Errorf("grant %+v; want %+v", grant, read)
		}
	})

	refused := []struct {
		name  string
		extra iamdoc.Statement
	}{
		{"duplicate sid", iamdoc.Statement{Sid: SidDenyInsecureTransport, Effect: iamdoc.Deny, Action: []string{"s3:*"}}},
		{"public read", iamdoc.Statement{Sid: "Public", Effect: iamdoc.Allow, Principal: map[string]any{"AWS": "*"}, Action: []string{"s3:GetObject"}}},
		{"public read bare star", iamdoc.Statement{Sid: "Public", Effect: iamdoc.Allow, Principal: map[string]any{"AWS": []any{"*"}}, Action: []string{"s3:GetObject"}}},
		{"no actions", iamdoc.Statement{Sid: "Empty", Effect: iamdoc.Allow, Principal: map[string]any{"Service": "logging.s3.amazonaws.com"}}},
	}
	for _, tc := range refused {
		t.Run("refuses "+tc.name, func(t *testing.T) {
			t.Parallel()
			if doc, err := Policy(arn, tc.extra); err == nil {
				t.Fatalf("Policy accepted %+v: %s", tc.extra, doc)
			}
		})
	}
}

func TestArgsRejected(t *testing.T) {
	t.Parallel()
	good := func() Args {
		return Args{
			BucketName:      pulumi.String("flip-stag-fl-kits-123456789012"),
			KMSKeyARN:       pulumi.String("arn:aws:kms:eu-west-2:123456789012:key/k"),
			AccessLogBucket: pulumi.String("flip-stag-logs-123456789012"),
		}
	}
	if err := good().validate(); err != nil {
		t.Fatalf("the known-good args are refused: %v", err)
	}
	cases := []struct {
		name   string
		mutate func(a *Args)
	}{
		{"no name and no import", func(a *Args) { a.BucketName = nil }},
		{"import of an invalid name", func(a *Args) { a.ImportID = "Not_A_Bucket" }},
		{"sse-kms without a key", func(a *Args) { a.KMSKeyARN = nil }},
		{"sse-s3 without a reason", func(a *Args) { a.Encryption = SSES3 }},
		{"sse-s3 reason on a kms bucket", func(a *Args) { a.SSES3Reason = "because" }},
		{"unknown encryption", func(a *Args) { a.Encryption = "aws:kms:dsse" }},
		{"acls without a reason", func(a *Args) { a.ACLsEnabled = true }},
		{"no access logging without a reason", func(a *Args) { a.AccessLogBucket = nil }},
		{"access logging and a reason for none", func(a *Args) { a.NoAccessLogReason = "because" }},
		{"negative lifecycle", func(a *Args) { a.NoncurrentVersionDays = -1 }},
		{"cors wildcard origin", func(a *Args) {
			a.CORSRules = []CORSRule{{AllowedMethods: []string{"GET"}, AllowedOrigins: []string{"*"}}}
		}},
		{"cors plain http origin", func(a *Args) {
			a.CORSRules = []CORSRule{{AllowedMethods: []string{"GET"}, AllowedOrigins: []string{"http://app.example.org"}}}
		}},
		{"cors unknown method", func(a *Args) {
			a.CORSRules = []CORSRule{{AllowedMethods: []string{"PATCH"}, AllowedOrigins: []string{"https://app.example.org"}}}
		}},
		{"grant without statements", func(a *Args) { a.Grants = []Grant{{}} }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := good()
			tc.mutate(&a)
			if err := a.validate(); err == nil {
				t.Fatal("validate accepted the args")
			}
		})
	}
}
