package flapps

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/londonaicentre/flip-hub/internal/testmoto"
)

const sha = "0123456789abcdef0123456789abcdef01234567"

func write(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for rel, body := range files {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func keys(t *testing.T, c *s3.Client, bucket string) []string {
	t.Helper()
	out, err := c.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatal(err)
	}
	var ks []string
	for _, o := range out.Contents {
		ks = append(ks, aws.ToString(o.Key))
	}
	sort.Strings(ks)
	return ks
}

// Against moto's S3: the prefix ends up holding exactly the directory and one marker, as
// upstream's fl-apps workflow leaves it (sync --delete, old markers removed, commit_<sha7>.txt).
func TestPublish(t *testing.T) {
	srv := testmoto.Start(t)
	c := s3.NewFromConfig(srv.AWSConfig(), func(o *s3.Options) { o.UsePathStyle = true })
	ctx := context.Background()
	const bucket = "flip-stag-app-bundles-111111111111"
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintEuWest2}}); err != nil {
		t.Fatal(err)
	}
	for key, body := range map[string]string{
		"base-application/nvflare/old_job/app/x.py":     "stale",
		"base-application/nvflare/commit_aaaaaaa.txt":   "old marker",
		"base-application/flower/required_files.json":   "{}",
		"app_destinations/model-1/app/config.json":      "a job bundle",
		"base-application/nvflare/standard/app/keep.py": "same",
	} {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body)}); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"required_files.json":        `{"standard": ["app/config/config_fed_server.json"]}`,
		"standard/app/keep.py":       "same",
		"standard/app/config/a.json": "{}",
		"evaluation/app/b.py":        "b",
		".git/HEAD":                  "ref: main",
	})
	res, err := Publish(ctx, c, Options{Dir: dir, Bucket: bucket, Backend: "nvflare", Commit: sha, Log: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"app_destinations/model-1/app/config.json",
		"base-application/flower/required_files.json",
		"base-application/nvflare/commit_0123456.txt",
		"base-application/nvflare/evaluation/app/b.py",
		"base-application/nvflare/required_files.json",
		"base-application/nvflare/standard/app/config/a.json",
		"base-application/nvflare/standard/app/keep.py",
	}
	if got := keys(t, c, bucket); !slices.Equal(got, want) {
		t.Fatalf("bucket holds\n%v\nwant\n%v", got, want)
	}
	if !slices.Equal(res.Unchanged, []string{"base-application/nvflare/standard/app/keep.py"}) {
		t.Errorf("unchanged %v; want the identical file only", res.Unchanged)
	}
	if !slices.Equal(res.Deleted, []string{"base-application/nvflare/commit_aaaaaaa.txt", "base-application/nvflare/old_job/app/x.py"}) {
		t.Errorf("deleted %v", res.Deleted)
	}
	if res.Uploaded[len(res.Uploaded)-1] != "base-application/nvflare/required_files.json" {
		t.Errorf("upload order %v; the manifest goes last", res.Uploaded)
	}
	obj, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(res.Marker)})
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(obj.Body); string(b) != sha+"\n" {
		t.Errorf("marker holds %q; want the full SHA", b)
	}
	// Publishing the same directory again changes nothing but rewriting the marker.
	again, err := Publish(ctx, c, Options{Dir: dir, Bucket: bucket, Backend: "nvflare", Commit: sha})
	if err != nil || len(again.Uploaded) != 0 || len(again.Deleted) != 0 {
		t.Errorf("second publish uploaded %v deleted %v (%v); want nothing", again.Uploaded, again.Deleted, err)
	}
}

func TestPublishRefuses(t *testing.T) {
	t.Parallel()
	good := t.TempDir()
	write(t, good, map[string]string{"required_files.json": "{}"})
	cases := []struct {
		name string
		o    Options
		want string
	}{
		{"no manifest", Options{Dir: t.TempDir(), Bucket: "b", Backend: "nvflare", Commit: sha}, "required_files.json"},
		{"short commit", Options{Dir: good, Bucket: "b", Backend: "nvflare", Commit: "0123456"}, "40-character"},
		{"unknown backend", Options{Dir: good, Bucket: "b", Backend: "fedml", Commit: sha}, "nvflare or flower"},
		{"no bucket", Options{Dir: good, Backend: "flower", Commit: sha}, "app-bundles"},
	}
	for _, c := range cases {
		if _, err := Publish(context.Background(), nil, c.o); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v; want one mentioning %q", c.name, err, c.want)
		}
	}
}
