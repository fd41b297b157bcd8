package bucket_test

import (
	"fmt"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/config"
	"github.com/londonaicentre/flip-hub/internal/bucket"
	"github.com/londonaicentre/flip-hub/internal/iamdoc"
	"github.com/londonaicentre/flip-hub/internal/plan"
)

const (
	typeBucket     = "aws:s3/bucketV2:BucketV2"
	typePAB        = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
	typeOwnership  = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
	typeVersioning = "aws:s3/bucketVersioningV2:BucketVersioningV2"
	typeSSE        = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
	typeLifecycle  = "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"
	typeLogging    = "aws:s3/bucketLoggingV2:BucketLoggingV2"
	typeCORS       = "aws:s3/bucketCorsConfigurationV2:BucketCorsConfigurationV2"
	typePolicy     = "aws:s3/bucketPolicy:BucketPolicy"

	keyARN = "arn:aws:kms:eu-west-2:123456789012:key/test"
	distro = "arn:aws:cloudfront::123456789012:distribution/EPLAN"
)

// planBuckets runs a tiny program that builds buckets under the recording mocks.
func planBuckets(t *testing.T, build func(ctx *pulumi.Context) error) *plan.Graph {
	t.Helper()
	cfg := plan.StackConfig{Values: map[string]string{config.KeyRegion: "eu-west-2"}}
	g, err := plan.Run(plan.Options{Stack: "test", Config: &cfg, Program: build})
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	return g
}

func get(t *testing.T, g *plan.Graph, typ, name string) plan.Resource {
	t.Helper()
	r, ok := g.Get(typ, name)
	if !ok {
		t.Fatalf("no %s %q", typ, name)
	}
	return r
}

func TestSecureDefaults(t *testing.T) {
	t.Parallel()
	g := planBuckets(t, func(ctx *pulumi.Context) error {
		distribution := pulumi.String(distro).ToStringOutput()
		_, err := bucket.New(ctx, "ui", bucket.Args{
			BucketName:      pulumi.String("flip-test-ui-123456789012"),
			KMSKeyARN:       pulumi.String(keyARN),
			AccessLogBucket: pulumi.String("flip-test-logs-123456789012"),
			CORSRules: []bucket.CORSRule{{
				AllowedMethods: []string{"GET"},
				AllowedOrigins: []string{"https://app.example.org"},
			}},
			Grants: []bucket.Grant{{
				Values: pulumi.StringMap{"distribution": distribution},
				Statements: func(arn string, v map[string]string) ([]iamdoc.Statement, error) {
					return []iamdoc.Statement{{
						Sid:       "CloudFrontReads",
						Effect:    iamdoc.Allow,
						Principal: map[string]any{"Service": "cloudfront.amazonaws.com"},
						Action:    []string{"s3:GetObject"},
						Resource:  []string{arn + "/*"},
						Condition: map[string]map[string]any{"StringEquals": {"AWS:SourceArn": v["distribution"]}},
					}}, nil
				},
			}},
			RetainOnDelete: true,
			Protect:        true,
		})
		return err
	})

	comp := get(t, g, bucket.TypeToken, "ui")
	b := get(t, g, typeBucket, "ui")
	if b.Parent != comp.URN {
		t.Errorf("bucket parent %q; want the component", b.Parent)
	}
	if b.String("bucket") != "flip-test-ui-123456789012" || b.Bool("forceDestroy") {
		t.Errorf("bucket inputs %v; want its name and no forceDestroy", b.Inputs)
	}
	if !b.Protect || !b.RetainOnDelete {
		t.Errorf("bucket protect=%v retain=%v; want both", b.Protect, b.RetainOnDelete)
	}
	children := g.Children(comp.URN)
	if len(children) != 9 {
		t.Errorf("%d children; want the bucket and its 8 settings", len(children))
	}
	for _, c := range children {
		if c.Type != typeBucket && (!c.RetainOnDelete || c.DeletedWith != "") {
			t.Errorf("%s of a retained bucket: retain=%v deletedWith=%q; want retained with it", c.Type, c.RetainOnDelete, c.DeletedWith)
		}
		if c.Type != typeBucket && c.String("bucket") != "flip-test-ui-123456789012" {
			t.Errorf("%s applies to %q", c.Type, c.String("bucket"))
		}
	}

	pab := get(t, g, typePAB, "ui")
	for _, k := range []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"} {
		if !pab.Bool(k) {
			t.Errorf("public access block %s is off", k)
		}
	}
	if got := get(t, g, typeOwnership, "ui").String("rule.objectOwnership"); got != bucket.OwnershipEnforced {
		t.Errorf("object ownership %q; want %s (ACLs disabled)", got, bucket.OwnershipEnforced)
	}
	if got := get(t, g, typeVersioning, "ui").String("versioningConfiguration.status"); got != "Enabled" {
		t.Errorf("versioning %q; want Enabled", got)
	}
	sse := get(t, g, typeSSE, "ui")
	if sse.String("rules[0].applyServerSideEncryptionByDefault.sseAlgorithm") != "aws:kms" ||
		sse.String("rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId") != keyARN ||
		!sse.Bool("rules[0].bucketKeyEnabled") {
		t.Errorf("encryption %v; want SSE-KMS with %s and the bucket key", sse.Inputs, keyARN)
	}
	lc := get(t, g, typeLifecycle, "ui")
	rules := map[string]plan.Resource{}
	for i := 0; ; i++ {
		id := lc.String(fmt.Sprintf("rules[%d].id", i))
		if id == "" {
			break
		}
		if lc.String(fmt.Sprintf("rules[%d].status", i)) != "Enabled" {
			t.Errorf("lifecycle rule %s is not enabled", id)
		}
		rules[id] = plan.Resource{Inputs: map[string]any{"rule": mustLookup(t, lc, fmt.Sprintf("rules[%d]", i))}}
	}
	if d := rules["abort-incomplete-multipart-uploads"].Number("rule.abortIncompleteMultipartUpload.daysAfterInitiation"); d != bucket.DefaultAbortIncompleteUploadDays {
		t.Errorf("incomplete uploads aborted after %v days; want %d", d, bucket.DefaultAbortIncompleteUploadDays)
	}
	if d := rules["expire-noncurrent-versions"].Number("rule.noncurrentVersionExpiration.noncurrentDays"); d != bucket.DefaultNoncurrentVersionDays {
		t.Errorf("noncurrent versions expire after %v days; want %d", d, bucket.DefaultNoncurrentVersionDays)
	}
	if !rules["remove-expired-delete-markers"].Bool("rule.expiration.expiredObjectDeleteMarker") {
		t.Errorf("lifecycle rules %v; want expired delete markers removed", lc.Inputs["rules"])
	}
	if _, ok := rules["expire-objects"]; ok {
		t.Error("an app bucket expires its current objects")
	}
	logging := get(t, g, typeLogging, "ui")
	if logging.String("targetBucket") != "flip-test-logs-123456789012" || logging.String("targetPrefix") != bucket.AccessLogPrefix("ui") {
		t.Errorf("access logging %v; want the log bucket under %s", logging.Inputs, bucket.AccessLogPrefix("ui"))
	}
	cors := get(t, g, typeCORS, "ui")
	if cors.String("corsRules[0].allowedOrigins[0]") != "https://app.example.org" || cors.String("corsRules[0].allowedMethods[0]") != "GET" {
		t.Errorf("cors %v; want GET from https://app.example.org", cors.Inputs)
	}

	pol := get(t, g, typePolicy, "ui")
	doc, err := iamdoc.Parse(pol.String("policy"))
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Statement) != 3 || doc.Statement[0].Sid != bucket.SidDenyInsecureTransport || doc.Statement[1].Sid != bucket.SidDenyOldTLS {
		t.Fatalf("policy %s; want the two TLS denials then the grant", pol.String("policy"))
	}
	grant := doc.Statement[2]
	if grant.Condition["StringEquals"]["AWS:SourceArn"] != distro || grant.Resource[0] != "arn:aws:s3:::flip-test-ui-123456789012/*" {
		t.Errorf("grant %+v; want the resolved distribution ARN and the bucket's objects", grant)
	}
	if !contains(pol.Dependencies, pab.URN) {
		t.Errorf("policy dependencies %v; want the public access block first", pol.Dependencies)
	}
}

func TestLogTargetExceptions(t *testing.T) {
	t.Parallel()
	g := planBuckets(t, func(ctx *pulumi.Context) error {
		_, err := bucket.New(ctx, "logs", bucket.Args{
			BucketName:        pulumi.String("flip-test-logs-123456789012"),
			Encryption:        bucket.SSES3,
			SSES3Reason:       "S3 server access logging needs an SSE-S3 target",
			ACLsEnabled:       true,
			ACLReason:         "CloudFront standard logging writes through ACLs",
			NoAccessLogReason: "the log target itself",
			ExpireAfterDays:   30,
			ForceDestroy:      true,
		})
		return err
	})
	comp := get(t, g, bucket.TypeToken, "logs")
	b := get(t, g, typeBucket, "logs")
	if b.Protect || b.RetainOnDelete || !b.Bool("forceDestroy") {
		t.Errorf("disposable bucket protect=%v retain=%v forceDestroy=%v", b.Protect, b.RetainOnDelete, b.Bool("forceDestroy"))
	}
	for _, c := range g.Children(comp.URN) {
		if c.Type != typeBucket && (c.DeletedWith != b.URN || c.RetainOnDelete) {
			t.Errorf("%s of a deleted bucket: deletedWith=%q retain=%v; want deleted with it", c.Type, c.DeletedWith, c.RetainOnDelete)
		}
	}
	if got := get(t, g, typeOwnership, "logs").String("rule.objectOwnership"); got != bucket.OwnershipPreferred {
		t.Errorf("object ownership %q; want %s", got, bucket.OwnershipPreferred)
	}
	sse := get(t, g, typeSSE, "logs")
	if sse.String("rules[0].applyServerSideEncryptionByDefault.sseAlgorithm") != "AES256" {
		t.Errorf("encryption %v; want SSE-S3", sse.Inputs)
	}
	if _, ok := g.Get(typeLogging, "logs"); ok {
		t.Error("the log target logs into a bucket")
	}
	if _, ok := g.Get(typeCORS, "logs"); ok {
		t.Error("a bucket without CORS rules has a CORS configuration")
	}
	lc := get(t, g, typeLifecycle, "logs")
	if lc.String("rules[2].id") != "expire-objects" || lc.Number("rules[2].expiration.days") != 30 {
		t.Errorf("lifecycle %v; want objects expired after 30 days", lc.Inputs["rules"])
	}
	pab := get(t, g, typePAB, "logs")
	if !pab.Bool("blockPublicAcls") || !pab.Bool("ignorePublicAcls") {
		t.Error("a bucket with ACLs enabled does not block public ACLs")
	}
}

func TestImport(t *testing.T) {
	t.Parallel()
	g := planBuckets(t, func(ctx *pulumi.Context) error {
		_, err := bucket.New(ctx, "fl-kits", bucket.Args{
			ImportID:        "legacy-fl-kits",
			KMSKeyARN:       pulumi.String(keyARN),
			AccessLogBucket: pulumi.String("flip-test-logs-123456789012"),
		})
		return err
	})
	b := get(t, g, typeBucket, "fl-kits")
	if b.ImportID != "legacy-fl-kits" || b.String("bucket") != "legacy-fl-kits" {
		t.Fatalf("import id %q, name %q; want the existing bucket adopted under its own name", b.ImportID, b.String("bucket"))
	}
	if get(t, g, typePolicy, "fl-kits").ImportID != "" {
		t.Error("a bucket's settings are imported; only the bucket is adopted")
	}
}

func TestInvalidArgsRegisterNothing(t *testing.T) {
	t.Parallel()
	cfg := plan.StackConfig{Values: map[string]string{config.KeyRegion: "eu-west-2"}}
	g, err := plan.Run(plan.Options{Stack: "test", Config: &cfg, Program: func(ctx *pulumi.Context) error {
		_, err := bucket.New(ctx, "bad", bucket.Args{BucketName: pulumi.String("flip-test-bad-123456789012"), Encryption: bucket.SSES3})
		return err
	}})
	if err == nil {
		t.Fatal("an SSE-S3 bucket without a reason was built")
	}
	for _, r := range g.Resources {
		if r.Type == bucket.TypeToken || r.Custom {
			t.Errorf("%s registered before the argument error", r.URN)
		}
	}
}

func mustLookup(t *testing.T, r plan.Resource, path string) any {
	t.Helper()
	v, ok := r.Lookup(path)
	if !ok {
		t.Fatalf("%s has no %s", r.Name, path)
	}
	return v
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
