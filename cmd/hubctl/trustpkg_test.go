package main

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/londonaicentre/flip-hub/internal/flip"
	"github.com/londonaicentre/flip-hub/internal/testmoto"
	"github.com/londonaicentre/flip-hub/trusts"
)

// TestTrustPackageCommand: `hubctl trust package` over an outputs file and moto's S3 packs the
// trust's kit (with the operator's own line kept) and only its own slot's NVFLARE kit; a trust the
// stack does not know is a usage error.
func TestTrustPackageCommand(t *testing.T) {
	srv := testmoto.Check(t, moto, motoErr)
	testmoto.SetEnv(t, srv.URL)
	ctx := context.Background()
	const bucket, date = "flip-stag-fl-kits-pkg", "2026-11-01"
	s3c := s3.NewFromConfig(srv.AWSConfig(), func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintEuWest2}}); err != nil {
		t.Fatal(err)
	}
	for _, slot := range []string{"Trust_2", "Trust_3"} {
		for _, f := range []string{"startup/fed_client.json", "startup/client.key"} {
			key := flip.FlareKitPrefix(date, slot) + "/" + f
			if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
				Body: strings.NewReader("content of " + slot + " " + f)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	const apiKey = "api-key-of-gstt-not-secret-in-tests-0123456789"
	outs := writeOutputs(t, map[string]any{"region": "eu-west-2", "environment": "stag", "domain": "flip.example.org",
		"aesKeyBase64": "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=", "flBackend": "nvflare", "flKitDate": date, "flPort": 8002,
		"images":      map[string]any{"tag": "v1", "registry": "ghcr.io/x", "flTag": "v1", "flRegistry": "ghcr.io/x"},
		"bucketNames": map[string]any{"fl-kits": bucket},
		"trusts": map[string]any{"GSTT": map[string]any{
			trusts.KeyAPIKey: apiKey, trusts.KeyInternalServiceKey: "internal-service-key-not-secret-in-tests-0123", trusts.KeyAPIKeyHash: flip.KeyHash(apiKey),
			trusts.KeyTrustID: "0b7c9f1e-2a3d-4e5f-8a9b-0c1d2e3f4a5b", trusts.KeySlotName: "Trust_2", trusts.KeySlotNumber: 2}}})
	kits, out := t.TempDir(), filepath.Join(t.TempDir(), "outbox")
	if err := os.WriteFile(filepath.Join(kits, ".env.GSTT.stag"), []byte("OPERATOR_NOTE=keep me\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := []string{"trust", "package", "--stack", "stag", "--outputs-file", outs, "--kits", kits, "--out", out}

	stdout, stderr, code := day2Run(t, "", append(base, "GSTT")...)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	path := filepath.Join(out, "flip-trust-GSTT-"+date+".tar.gz")
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 || !strings.Contains(stdout, path) {
		t.Fatalf("archive %s: %v, %v; stdout %q", path, fi, err, stdout)
	}
	files := untar(t, path)
	envKit := files["flip-trust-GSTT/.env.GSTT.stag"]
	if !strings.Contains(envKit, "OPERATOR_NOTE=keep me") || !strings.Contains(envKit, "FL_KIT_SLOT=Trust_2") || !strings.Contains(envKit, apiKey) {
		t.Errorf("env kit in the archive:\n%s", envKit)
	}
	for name, body := range files {
		if strings.Contains(name, "Trust_3") || strings.Contains(body, "Trust_3") {
			t.Errorf("another trust's material in the archive: %s", name)
		}
	}
	if !slices.ContainsFunc(keys(files), func(k string) bool { return strings.HasSuffix(k, "Trust_2/startup/fed_client.json") }) {
		t.Errorf("the trust's own kit is missing: %v", keys(files))
	}
	if strings.Contains(stdout+stderr, apiKey) {
		t.Error("the API key was printed")
	}

	if _, stderr, code := day2Run(t, "", append(base, "KCH")...); code != exitUsage || !strings.Contains(stderr, "KCH is not in stack stag") {
		t.Fatalf("unknown trust: exit %d, %s; want 2", code, stderr)
	}
}

// untar reads a .tar.gz into name → content.
func untar(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		out[h.Name] = string(b)
	}
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
