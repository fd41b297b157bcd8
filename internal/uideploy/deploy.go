package uideploy

import (
	"context"
	"crypto/md5" // S3's ETag of a single-part upload is the MD5 of the content: compared, never trusted
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// S3API is what the sync needs from S3; *s3.Client satisfies it.
type S3API interface {
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, optFns ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
	HeadObject(ctx context.Context, in *s3.HeadObjectInput, optFns ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
	PutObject(ctx context.Context, in *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	DeleteObjects(ctx context.Context, in *s3.DeleteObjectsInput, optFns ...func(*s3.Options)) (*s3.DeleteObjectsOutput, error)
}

// CloudFrontAPI is what the invalidation needs from CloudFront; *cloudfront.Client satisfies it.
type CloudFrontAPI interface {
	CreateInvalidation(ctx context.Context, in *cloudfront.CreateInvalidationInput, optFns ...func(*cloudfront.Options)) (*cloudfront.CreateInvalidationOutput, error)
	cloudfront.GetInvalidationAPIClient
}

var (
	_ S3API         = (*s3.Client)(nil)
	_ CloudFrontAPI = (*cloudfront.Client)(nil)
)

// Errors a caller can branch on; match them with errors.Is.
var (
	// ErrRefused: the deploy was refused before anything was changed (a bad dist directory, or a
	// prefix that would reach outside the UI).
	ErrRefused = errors.New("ui deploy refused")
	// ErrPartial: objects were uploaded but the deploy did not finish (deletions or invalidation failed).
	ErrPartial = errors.New("ui deploy incomplete")
)

// Defaults for zero Options fields.
const (
	DefaultConcurrency         = 8
	DefaultInvalidationTimeout = 15 * time.Minute
	DefaultInvalidationPoll    = 20 * time.Second
	// deleteBatch is DeleteObjects' limit.
	deleteBatch = 1000
)

// DefaultKeep are prefixes, under the UI prefix, that the sync never deletes: the Ark+ demo SPA is
// published to the same bucket by its own deploy.
var DefaultKeep = []string{"ark_demo/"}

// Options describe one UI deploy.
type Options struct {
	// Dir is the built UI (flip-ui's dist): it must hold index.html.
	Dir string
	// Bucket is the UI bucket (stack output uiBucketName).
	Bucket string
	// Prefix is the key prefix the UI lives under: "" for the bucket root, else ending in "/".
	Prefix string
	// Keep are prefixes under Prefix never deleted nor overwritten; nil means DefaultKeep.
	Keep []string
	// DistributionID is the CloudFront distribution to invalidate (stack output distributionId).
	DistributionID string
	// Runtime is rendered to js/window.js, replacing any window.js the build has.
	Runtime Runtime
	// DryRun computes and returns the plan without writing, deleting or invalidating anything.
	DryRun bool
	// Concurrency bounds parallel S3 calls (default DefaultConcurrency).
	Concurrency int
	// InvalidationTimeout bounds the wait for the invalidation (default DefaultInvalidationTimeout).
	InvalidationTimeout time.Duration
	// InvalidationPoll is the first delay between invalidation status calls (default 20s).
	InvalidationPoll time.Duration
	// Log receives one line per change; nil discards them.
	Log io.Writer
	// Heartbeat, when a terminal, shows the elapsed time of the invalidation wait.
	Heartbeat io.Writer
}

// Result says what a deploy did (or, with DryRun, would do). Keys are full object keys.
type Result struct {
	Uploaded  []string
	Unchanged []string
	Deleted   []string
	// Kept are objects the build does not have that were left alone because they are under Keep.
	Kept []string
	// InvalidationID is the completed CloudFront invalidation; empty for a dry run.
	InvalidationID string
}

// Summary says what a Deploy with o did (or would do, for a dry run), one line per step.
func (r Result) Summary(o Options) string {
	verb := "published"
	if o.DryRun {
		verb = "dry run: would publish"
	}
	s := fmt.Sprintf("%s %s (release %q) to s3://%s/%s: %d uploaded, %d unchanged, %d deleted, %d kept\n",
		verb, o.Dir, o.Runtime.ReleaseVersion, o.Bucket, o.Prefix, len(r.Uploaded), len(r.Unchanged), len(r.Deleted), len(r.Kept))
	if r.InvalidationID != "" {
		s += fmt.Sprintf("invalidation %s of /* on %s completed\n", r.InvalidationID, o.DistributionID)
	}
	return s
}

// file is one object to publish.
type file struct {
	key          string // full key, prefix included
	rel          string // key relative to the prefix
	path         string // local path; empty for generated content
	body         []byte // generated content (window.js)
	size         int64
	md5          string // hex
	contentType  string
	cacheControl string
}

// Deploy publishes o.Dir to the bucket and invalidates the distribution. Entry points (index.html,
// js/window.js) are uploaded after every other file and stale objects deleted only after that, so a
// browser never gets an index.html naming an asset that is not there yet.
func Deploy(ctx context.Context, s3c S3API, cf CloudFrontAPI, o Options) (Result, error) {
	if err := o.validate(); err != nil {
		return Result{}, err
	}
	files, err := o.scan()
	if err != nil {
		return Result{}, err
	}
	remote, err := list(ctx, s3c, o.Bucket, o.Prefix)
	if err != nil {
		return Result{}, err
	}

	var res Result
	var changed []file
	for _, f := range files {
		etag, ok := remote[f.key]
		if ok && etag == f.md5 {
			same, err := sameHeaders(ctx, s3c, o.Bucket, f)
			if err != nil {
				return Result{}, err
			}
			if same {
				res.Unchanged = append(res.Unchanged, f.key)
				continue
			}
		}
		changed = append(changed, f)
	}
	local := make(map[string]bool, len(files))
	for _, f := range files {
		local[f.key] = true
	}
	var stale []string
	for key := range remote {
		switch {
		case local[key]:
		case o.kept(key):
			res.Kept = append(res.Kept, key)
		default:
			stale = append(stale, key)
		}
	}
	sort.Strings(stale)
	sort.Strings(res.Kept)
	sort.Strings(res.Unchanged)

	// Assets first, entry points last.
	var assets, entries []file
	for _, f := range changed {
		if f.rel == IndexKey || f.rel == WindowJSKey {
			entries = append(entries, f)
		} else {
			assets = append(assets, f)
		}
	}
	if o.DryRun {
		for _, f := range append(assets, entries...) {
			res.Uploaded = append(res.Uploaded, f.key)
			o.logf("would upload %s (%s; %s)", f.key, f.contentType, f.cacheControl)
		}
		for _, k := range stale {
			o.logf("would delete %s", k)
		}
		res.Deleted = stale
		return res, nil
	}
	for _, batch := range [][]file{assets, entries} {
		done, err := o.upload(ctx, s3c, batch)
		res.Uploaded = append(res.Uploaded, done...)
		if err != nil {
			return res, err
		}
	}
	deleted, err := o.remove(ctx, s3c, stale)
	res.Deleted = deleted
	if err != nil {
		return res, fmt.Errorf("%w: %w", ErrPartial, err)
	}
	id, err := invalidate(ctx, cf, o)
	res.InvalidationID = id
	if err != nil {
		return res, fmt.Errorf("%w: %w", ErrPartial, err)
	}
	return res, nil
}

func (o *Options) validate() error {
	switch {
	case o.Bucket == "":
		return fmt.Errorf("%w: no bucket; want the stack output uiBucketName", ErrRefused)
	case o.DistributionID == "":
		return fmt.Errorf("%w: no CloudFront distribution; want the stack output distributionId", ErrRefused)
	case o.Prefix != "" && (!strings.HasSuffix(o.Prefix, "/") || strings.HasPrefix(o.Prefix, "/") || strings.Contains(o.Prefix, "..")):
		return fmt.Errorf("%w: prefix %q must be empty or a relative key prefix ending in /", ErrRefused, o.Prefix)
	}
	if o.Keep == nil {
		o.Keep = DefaultKeep
	}
	for _, k := range o.Keep {
		if k == "" || strings.HasPrefix(k, "/") {
			return fmt.Errorf("%w: kept prefix %q must be a non-empty relative key prefix", ErrRefused, k)
		}
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.InvalidationTimeout <= 0 {
		o.InvalidationTimeout = DefaultInvalidationTimeout
	}
	if o.InvalidationPoll <= 0 {
		o.InvalidationPoll = DefaultInvalidationPoll
	}
	return o.Runtime.Validate()
}

// kept reports whether key is under one of the kept prefixes.
func (o *Options) kept(key string) bool {
	rel := strings.TrimPrefix(key, o.Prefix)
	for _, k := range o.Keep {
		if strings.HasPrefix(rel, k) {
			return true
		}
	}
	return false
}

// scan reads the dist directory and the generated window.js into the files to publish.
func (o *Options) scan() ([]file, error) {
	info, err := os.Stat(o.Dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%w: dist directory %s does not exist; build the UI first (npm run build:deploy)", ErrRefused, o.Dir)
	case err != nil:
		return nil, fmt.Errorf("%w: dist directory %s: %w", ErrRefused, o.Dir, err)
	case !info.IsDir():
		return nil, fmt.Errorf("%w: %s is not a directory", ErrRefused, o.Dir)
	}
	var files []file
	err = filepath.WalkDir(o.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		// A build never holds dotfiles, a .git or node_modules: a --dist pointing at the source
		// tree (or the repository) would publish them, secrets and history included.
		if p != o.Dir && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules") {
			return fmt.Errorf("%w: %s is in the dist directory; that looks like a source tree, not flip-ui's build (dist/)", ErrRefused, p)
		}
		if d.IsDir() {
			return nil
		}
		if !d.Type().IsRegular() {
			// Symlinks and devices are not part of a build; following a link could publish
			// anything on this machine.
			o.logf("skipping %s: not a regular file", p)
			return nil
		}
		rel, err := filepath.Rel(o.Dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel == WindowJSKey {
			return nil // replaced by the rendered one
		}
		sum, size, err := md5File(p)
		if err != nil {
			return err
		}
		files = append(files, o.newFile(rel, p, nil, sum, size))
		return nil
	})
	if errors.Is(err, ErrRefused) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("read dist directory %s: %w", o.Dir, err)
	}
	hasIndex := false
	for _, f := range files {
		if f.rel == IndexKey {
			hasIndex = true
		}
		if o.kept(f.key) {
			return nil, fmt.Errorf("%w: the build has %s, under the kept prefix %v; another deploy owns it", ErrRefused, f.rel, o.Keep)
		}
	}
	switch {
	case len(files) == 0:
		return nil, fmt.Errorf("%w: dist directory %s is empty; publishing it would delete the whole UI", ErrRefused, o.Dir)
	case !hasIndex:
		return nil, fmt.Errorf("%w: dist directory %s has no index.html; is it the UI build?", ErrRefused, o.Dir)
	}
	js, err := o.Runtime.WindowJS()
	if err != nil {
		return nil, err
	}
	sum := md5.Sum(js)
	files = append(files, o.newFile(WindowJSKey, "", js, hex.EncodeToString(sum[:]), int64(len(js))))
	sort.Slice(files, func(i, j int) bool { return files[i].key < files[j].key })
	return files, nil
}

func (o *Options) newFile(rel, path string, body []byte, md5hex string, size int64) file {
	return file{
		key: o.Prefix + rel, rel: rel, path: path, body: body, size: size, md5: md5hex,
		contentType: ContentType(rel), cacheControl: CacheControl(rel),
	}
}

func md5File(p string) (string, int64, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := md5.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}
