package uideploy_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/londonaicentre/flip-hub/internal/testmoto"
	"github.com/londonaicentre/flip-hub/internal/uideploy"
)

var (
	moto    *testmoto.Server
	motoErr error
)

func TestMain(m *testing.M) {
	var stop func()
	moto, stop, motoErr = testmoto.StartMain()
	defer stop()
	m.Run()
}

// env is a UI bucket and a distribution in moto.
type env struct {
	s3     *s3.Client
	cf     *cloudfront.Client
	bucket string
	distID string
}

var bucketSeq struct {
	sync.Mutex
	n int
}

func newEnv(t *testing.T) *env {
	t.Helper()
	srv := testmoto.Check(t, moto, motoErr)
	cfg := srv.AWSConfig()
	e := &env{
		s3: s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }),
		cf: cloudfront.NewFromConfig(cfg),
	}
	bucketSeq.Lock()
	bucketSeq.n++
	e.bucket = "flip-stag-ui-" + strings.ToLower(strings.NewReplacer("/", "-", "_", "-").Replace(t.Name()))
	if len(e.bucket) > 55 {
		e.bucket = e.bucket[:55]
	}
	e.bucket = strings.TrimRight(e.bucket, "-") + "-" + string(rune('a'+bucketSeq.n%26))
	bucketSeq.Unlock()
	ctx := context.Background()
	if _, err := e.s3.CreateBucket(ctx, &s3.CreateBucketInput{
		Bucket:                    aws.String(e.bucket),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintEuWest2},
	}); err != nil {
		t.Fatalf("moto CreateBucket %s: %v", e.bucket, err)
	}
	out, err := e.cf.CreateDistribution(ctx, &cloudfront.CreateDistributionInput{DistributionConfig: &cftypes.DistributionConfig{
		CallerReference: aws.String(e.bucket),
		Comment:         aws.String("flip-hub ui test"),
		Enabled:         aws.Bool(true),
		Origins: &cftypes.Origins{Quantity: aws.Int32(1), Items: []cftypes.Origin{{
			Id:             aws.String("ui"),
			DomainName:     aws.String(e.bucket + ".s3.eu-west-2.amazonaws.com"),
			S3OriginConfig: &cftypes.S3OriginConfig{OriginAccessIdentity: aws.String("")},
		}}},
		DefaultCacheBehavior: &cftypes.DefaultCacheBehavior{
			TargetOriginId:       aws.String("ui"),
			ViewerProtocolPolicy: cftypes.ViewerProtocolPolicyRedirectToHttps,
			CachePolicyId:        aws.String("658327ea-f89d-4fab-a63d-7e88639e58f6"),
		},
	}})
	if err != nil {
		t.Fatalf("moto CreateDistribution: %v", err)
	}
	e.distID = aws.ToString(out.Distribution.Id)
	return e
}

func (e *env) put(t *testing.T, key, body, cacheControl string) {
	t.Helper()
	_, err := e.s3.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(e.bucket), Key: aws.String(key), Body: strings.NewReader(body),
		ContentType: aws.String(uideploy.ContentType(key)), CacheControl: aws.String(cacheControl),
	})
	if err != nil {
		t.Fatal(err)
	}
}

// keys lists every object in the bucket.
func (e *env) keys(t *testing.T) []string {
	t.Helper()
	out, err := e.s3.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(e.bucket)})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range out.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	sort.Strings(keys)
	return keys
}

type object struct{ body, contentType, cacheControl string }

func (e *env) get(t *testing.T, key string) object {
	t.Helper()
	out, err := e.s3.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(e.bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	defer out.Body.Close()
	b, _ := io.ReadAll(out.Body)
	return object{string(b), aws.ToString(out.ContentType), aws.ToString(out.CacheControl)}
}

func (e *env) invalidations(t *testing.T) []cftypes.InvalidationSummary {
	t.Helper()
	out, err := e.cf.ListInvalidations(context.Background(), &cloudfront.ListInvalidationsInput{DistributionId: aws.String(e.distID)})
	if err != nil {
		t.Fatal(err)
	}
	return out.InvalidationList.Items
}

// dist writes a UI build into a temporary directory.
func dist(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func build() map[string]string {
	return map[string]string{
		"index.html":                `<!doctype html><script src="/js/window.js"></script><script src="/assets/index-BxK3a9_Q.js"></script>`,
		"assets/index-BxK3a9_Q.js":  "console.log('flip')",
		"assets/index-Cq9Zt1Lm.css": "body{}",
		"favicon.ico":               "ico",
		"js/window.js":              "window.AWS_BASE_URL = 'http://localhost:8080/api'; // dev leftover",
	}
}

func (e *env) options(t *testing.T, dir string) uideploy.Options {
	t.Helper()
	rt, err := uideploy.RuntimeFromOutputs(outputs(), "sha-abc1234")
	if err != nil {
		t.Fatal(err)
	}
	return uideploy.Options{
		Dir: dir, Bucket: e.bucket, DistributionID: e.distID, Runtime: rt,
		InvalidationPoll: 10 * time.Millisecond, InvalidationTimeout: 10 * time.Second,
	}
}

func TestDeploy(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.put(t, "assets/index-Old0ld12.js", "old bundle", uideploy.CacheImmutable)
	e.put(t, "ark_demo/index.html", "demo", uideploy.CacheEntryPoint)
	dir := dist(t, build())
	o := e.options(t, dir)

	res, err := uideploy.Deploy(ctx, e.s3, e.cf, o)
	if err != nil {
		t.Fatalf("deploy: %v", err)
	}
	wantKeys := []string{"ark_demo/index.html", "assets/index-BxK3a9_Q.js", "assets/index-Cq9Zt1Lm.css", "favicon.ico", "index.html", "js/window.js"}
	if got := e.keys(t); !slices.Equal(got, wantKeys) {
		t.Fatalf("bucket holds %v; want %v", got, wantKeys)
	}
	if !slices.Equal(res.Deleted, []string{"assets/index-Old0ld12.js"}) || !slices.Equal(res.Kept, []string{"ark_demo/index.html"}) {
		t.Fatalf("deleted %v, kept %v; want the old bundle deleted and the demo kept", res.Deleted, res.Kept)
	}
	if len(res.Uploaded) != 5 || len(res.Unchanged) != 0 {
		t.Fatalf("uploaded %v, unchanged %v; want all 5 files uploaded", res.Uploaded, res.Unchanged)
	}
	headers := map[string][2]string{
		"index.html":                {"text/html; charset=utf-8", "no-cache, no-store, must-revalidate"},
		"js/window.js":              {"text/javascript; charset=utf-8", "no-cache, no-store, must-revalidate"},
		"assets/index-BxK3a9_Q.js":  {"text/javascript; charset=utf-8", "public, max-age=31536000, immutable"},
		"assets/index-Cq9Zt1Lm.css": {"text/css; charset=utf-8", "public, max-age=31536000, immutable"},
		"favicon.ico":               {"image/x-icon", "no-cache"},
	}
	for key, want := range headers {
		got := e.get(t, key)
		if got.contentType != want[0] || got.cacheControl != want[1] {
			t.Errorf("%s: Content-Type %q, Cache-Control %q; want %q, %q", key, got.contentType, got.cacheControl, want[0], want[1])
		}
		if key != "js/window.js" && got.body != build()[key] {
			t.Errorf("%s: body %q; want the build's", key, got.body)
		}
	}
	js := e.get(t, "js/window.js").body
	globals := parseWindowJS(t, js)
	if globals["AWS_BASE_URL"] != "https://stag.flip.example.test/api" || globals["AWS_USER_POOL_ID"] != "eu-west-2_AbCdEf123" ||
		globals["AWS_CLIENT_ID"] != "1example23clientid45" || globals["RELEASE_VERSION"] != "sha-abc1234" || globals["AUTH_BACKEND"] != "cognito" {
		t.Fatalf("published window.js does not carry the stack's values:\n%s", js)
	}
	inv := e.invalidations(t)
	if res.InvalidationID == "" || len(inv) != 1 || aws.ToString(inv[0].Id) != res.InvalidationID || !strings.EqualFold(aws.ToString(inv[0].Status), "Completed") {
		t.Fatalf("invalidation %q; distribution has %+v", res.InvalidationID, inv)
	}
	got, err := e.cf.GetInvalidation(ctx, &cloudfront.GetInvalidationInput{DistributionId: aws.String(e.distID), Id: aws.String(res.InvalidationID)})
	if err != nil || !slices.Equal(got.Invalidation.InvalidationBatch.Paths.Items, []string{"/*"}) {
		t.Fatalf("invalidation paths: %+v, %v; want /*", got, err)
	}

	t.Run("a second deploy of the same build uploads nothing", func(t *testing.T) {
		res, err := uideploy.Deploy(ctx, e.s3, e.cf, o)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Uploaded) != 0 || len(res.Unchanged) != 5 || len(res.Deleted) != 0 {
			t.Fatalf("uploaded %v, unchanged %v, deleted %v; want everything unchanged", res.Uploaded, res.Unchanged, res.Deleted)
		}
	})
	t.Run("same content with wrong headers is uploaded again", func(t *testing.T) {
		e.put(t, "favicon.ico", "ico", "public, max-age=31536000, immutable")
		res, err := uideploy.Deploy(ctx, e.s3, e.cf, o)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(res.Uploaded, []string{"favicon.ico"}) || e.get(t, "favicon.ico").cacheControl != "no-cache" {
			t.Fatalf("uploaded %v; want favicon.ico fixed to no-cache", res.Uploaded)
		}
	})
	t.Run("a new release number rewrites window.js alone", func(t *testing.T) {
		o := o
		o.Runtime.ReleaseVersion = "sha-def5678"
		res, err := uideploy.Deploy(ctx, e.s3, e.cf, o)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(res.Uploaded, []string{"js/window.js"}) || parseWindowJS(t, e.get(t, "js/window.js").body)["RELEASE_VERSION"] != "sha-def5678" {
			t.Fatalf("uploaded %v; want window.js alone with the new release", res.Uploaded)
		}
	})
}

func TestDeployUnderPrefix(t *testing.T) {
	e := newEnv(t)
	e.put(t, "other/keep-me.txt", "not the UI's", uideploy.CacheRevalidate)
	e.put(t, "ui/stale.js", "stale", uideploy.CacheRevalidate)
	e.put(t, "uix/not-under-the-prefix.js", "x", uideploy.CacheRevalidate)
	o := e.options(t, dist(t, build()))
	o.Prefix = "ui/"
	res, err := uideploy.Deploy(context.Background(), e.s3, e.cf, o)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Deleted, []string{"ui/stale.js"}) {
		t.Fatalf("deleted %v; want ui/stale.js only", res.Deleted)
	}
	keys := e.keys(t)
	for _, k := range []string{"other/keep-me.txt", "uix/not-under-the-prefix.js", "ui/index.html", "ui/js/window.js"} {
		if !slices.Contains(keys, k) {
			t.Errorf("bucket lacks %s: %v", k, keys)
		}
	}
}

func TestDeployRefusals(t *testing.T) {
	e := newEnv(t)
	e.put(t, "index.html", "live", uideploy.CacheEntryPoint)
	e.put(t, "assets/index-Live1234.js", "live", uideploy.CacheImmutable)
	before := e.keys(t)
	file := filepath.Join(t.TempDir(), "dist.tar")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	noIndex := build()
	delete(noIndex, "index.html")
	withDemo := build()
	withDemo["ark_demo/index.html"] = "would overwrite the demo"
	withGit := build()
	withGit[".git/config"] = "[remote] url = secret"
	withEnv := build()
	withEnv[".env.production"] = "SECRET=1"
	withModules := build()
	withModules["node_modules/react/index.js"] = "module"
	onlyEmptyDirs := t.TempDir()
	if err := os.MkdirAll(filepath.Join(onlyEmptyDirs, "assets"), 0o755); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, dir, want string
		mutate          func(*uideploy.Options)
	}{
		{"missing dir", filepath.Join(t.TempDir(), "dist"), "does not exist", nil},
		{"a file, not a dir", file, "is not a directory", nil},
		{"empty dir", t.TempDir(), "is empty", nil},
		{"only empty subdirectories", onlyEmptyDirs, "is empty", nil},
		{"no index.html", dist(t, noIndex), "has no index.html", nil},
		{"build writes under a kept prefix", dist(t, withDemo), "kept prefix", nil},
		{"a .git directory", dist(t, withGit), "looks like a source tree", nil},
		{"a dotfile", dist(t, withEnv), "looks like a source tree", nil},
		{"node_modules", dist(t, withModules), "looks like a source tree", nil},
		{"absolute prefix", dist(t, build()), "relative key prefix", func(o *uideploy.Options) { o.Prefix = "/ui/" }},
		{"prefix without a slash", dist(t, build()), "relative key prefix", func(o *uideploy.Options) { o.Prefix = "ui" }},
		{"no distribution", dist(t, build()), "no CloudFront distribution", func(o *uideploy.Options) { o.DistributionID = "" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := e.options(t, tc.dir)
			if tc.mutate != nil {
				tc.mutate(&o)
			}
			_, err := uideploy.Deploy(context.Background(), e.s3, e.cf, o)
			if !errors.Is(err, uideploy.ErrRefused) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v; want ErrRefused saying %q", err, tc.want)
			}
			if after := e.keys(t); !slices.Equal(after, before) {
				t.Fatalf("a refused deploy changed the bucket: %v → %v", before, after)
			}
			if inv := e.invalidations(t); len(inv) != 0 {
				t.Fatalf("a refused deploy invalidated the distribution: %+v", inv)
			}
		})
	}
}

func TestDeployDryRun(t *testing.T) {
	e := newEnv(t)
	e.put(t, "assets/index-Old0ld12.js", "old", uideploy.CacheImmutable)
	before := e.keys(t)
	o := e.options(t, dist(t, build()))
	o.DryRun = true
	var log bytes.Buffer
	o.Log = &log
	res, err := uideploy.Deploy(context.Background(), e.s3, e.cf, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Uploaded) != 5 || !slices.Equal(res.Deleted, []string{"assets/index-Old0ld12.js"}) || res.InvalidationID != "" {
		t.Fatalf("dry run result %+v", res)
	}
	if after := e.keys(t); !slices.Equal(after, before) || len(e.invalidations(t)) != 0 {
		t.Fatalf("a dry run changed something: %v → %v", before, after)
	}
	if !strings.Contains(log.String(), "would delete assets/index-Old0ld12.js") {
		t.Errorf("dry-run log:\n%s", log.String())
	}
}

// recordingS3 records the order of PutObject calls.
type recordingS3 struct {
	*s3.Client
	mu   sync.Mutex
	puts []string
}

func (r *recordingS3) PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	r.mu.Lock()
	r.puts = append(r.puts, aws.ToString(in.Key))
	r.mu.Unlock()
	return r.Client.PutObject(ctx, in, opts...)
}

func TestEntryPointsLast(t *testing.T) {
	e := newEnv(t)
	rec := &recordingS3{Client: e.s3}
	if _, err := uideploy.Deploy(context.Background(), rec, e.cf, e.options(t, dist(t, build()))); err != nil {
		t.Fatal(err)
	}
	if len(rec.puts) != 5 {
		t.Fatalf("puts %v", rec.puts)
	}
	last := append([]string(nil), rec.puts[3:]...)
	sort.Strings(last)
	if !slices.Equal(last, []string{"index.html", "js/window.js"}) {
		t.Fatalf("upload order %v; want index.html and js/window.js after every asset", rec.puts)
	}
}

// slowCloudFront reports an invalidation InProgress for its first pending GetInvalidation calls.
type slowCloudFront struct {
	*cloudfront.Client
	mu      sync.Mutex
	pending int
	calls   int
}

func (s *slowCloudFront) GetInvalidation(ctx context.Context, in *cloudfront.GetInvalidationInput, opts ...func(*cloudfront.Options)) (*cloudfront.GetInvalidationOutput, error) {
	out, err := s.Client.GetInvalidation(ctx, in, opts...)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if err == nil && (s.pending < 0 || s.calls <= s.pending) {
		out.Invalidation.Status = aws.String("InProgress")
	}
	return out, err
}

func TestInvalidationWait(t *testing.T) {
	e := newEnv(t)
	t.Run("waits until completed", func(t *testing.T) {
		slow := &slowCloudFront{Client: e.cf, pending: 2}
		res, err := uideploy.Deploy(context.Background(), e.s3, slow, e.options(t, dist(t, build())))
		if err != nil {
			t.Fatal(err)
		}
		if slow.calls != 3 || res.InvalidationID == "" {
			t.Fatalf("GetInvalidation called %d times; want 3 (two InProgress, then Completed)", slow.calls)
		}
	})
	t.Run("gives up after the timeout", func(t *testing.T) {
		slow := &slowCloudFront{Client: e.cf, pending: -1}
		o := e.options(t, dist(t, build()))
		o.InvalidationTimeout = 300 * time.Millisecond
		res, err := uideploy.Deploy(context.Background(), e.s3, slow, o)
		if !errors.Is(err, uideploy.ErrPartial) || !strings.Contains(err.Error(), "did not complete within 300ms") || res.InvalidationID == "" {
			t.Fatalf("err = %v, result %+v; want ErrPartial naming the invalidation", err, res)
		}
	})
}
