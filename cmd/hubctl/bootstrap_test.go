package main

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/londonaicentre/flip-hub/internal/testmoto"
)

// TestBootstrapCommand runs `hubctl bootstrap` twice against moto: the first run creates the
// state bucket and the key and prints the pulumi lines; the second finds both; a bad stack name
// is a usage error before any call.
func TestBootstrapCommand(t *testing.T) {
	srv := testmoto.Check(t, moto, motoErr)
	testmoto.SetEnv(t, srv.URL)
	const bucket = "flip-hub-pulumi-state-123456789012-eu-west-2"

	out, stderr, code := day2Run(t, "", "bootstrap", "--stack", "stag", "--region", "eu-west-2")
	if code != 0 {
		t.Fatalf("first run exit %d\n%s\n%s", code, out, stderr)
	}
	for _, want := range []string{
		"state bucket " + bucket, "created",
		"pulumi login 's3://" + bucket + "?region=eu-west-2&awssdk=v2'",
		"pulumi stack init stag --secrets-provider 'awskms://alias/flip-hub-stag-secrets?region=eu-west-2'",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("first run lacks %q:\n%s", want, out)
		}
	}
	v, err := s3.NewFromConfig(srv.AWSConfig(), func(o *s3.Options) { o.UsePathStyle = true }).
		GetBucketVersioning(context.Background(), &s3.GetBucketVersioningInput{Bucket: aws.String(bucket)})
	if err != nil || v.Status != "Enabled" {
		t.Fatalf("state bucket versioning %v, %v; want Enabled", v, err)
	}

	out, stderr, code = day2Run(t, "", "bootstrap", "--stack", "stag", "--region", "eu-west-2")
	if code != 0 || strings.Contains(out, "created") || !strings.Contains(out, "existed") {
		t.Fatalf("second run exit %d; want 0, nothing created\n%s\n%s", code, out, stderr)
	}

	_, stderr, code = day2Run(t, "", "bootstrap", "--stack", "Prod!", "--region", "eu-west-2")
	if code != exitUsage || !strings.Contains(stderr, "stack") {
		t.Fatalf("bad stack name: exit %d, %s; want 2 naming the option", code, stderr)
	}
}
