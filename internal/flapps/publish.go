package flapps

import (
	"bytes"
	"context"
	"crypto/md5" //nolint:gosec // S3's ETag of a single-part upload is the body's MD5; it compares content, it protects nothing
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/londonaicentre/flip-hub/internal/flip"
)

// S3API is what publishing needs from S3; *s3.Client satisfies it.
type S3API interface {
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, optFns ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
	PutObject(ctx context.Context, in *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	DeleteObjects(ctx context.Context, in *s3.DeleteObjectsInput, optFns ...func(*s3.Options)) (*s3.DeleteObjectsOutput, error)
}

// Options describe one publish.
type Options struct {
	// Dir is the backend's base application, e.g. a checkout's fl-apps/nvflare.
	Dir string
	// Bucket is the app-bundles bucket (stack output bucketNames["app-bundles"]).
	Bucket string
	// Backend is nvflare or flower: the prefix is base-application/<Backend>/.
	Backend string
	// Commit is the full commit SHA the directory was built from; it names the marker.
	Commit string
	// Log receives one line per change; nil discards them.
	Log io.Writer
}

// Result says what a publish did. Keys are full object keys.
type Result struct {
	Uploaded, Unchanged, Deleted []string
	Marker                       string
}

var (
	commitRE = regexp.MustCompile(`^[0-9a-f]{40}$`)
	// markerRE matches upstream's commit marker: commit_<sha7>.txt at the prefix's top.
	markerRE = regexp.MustCompile(`^commit_[0-9a-f]{7}\.txt$`)
)

// Prefix is where flip-api reads a backend's base application (FL_APP_BASE_BUCKET's path).
func Prefix(backend string) string { return flip.BaseApplicationPrefix(backend) + "/" }

// MarkerName is upstream's commit marker for a commit: commit_<first 7 of the SHA>.txt, holding
// the full SHA. [.github/workflows/fl-apps-push-s3-prod.yml @2549908]
func MarkerName(commit string) string { return "commit_" + commit[:7] + ".txt" }

func (o Options) validate() error {
	switch {
	case !flip.ValidBackend(o.Backend):
		return fmt.Errorf("backend %q: want nvflare or flower", o.Backend)
	case o.Bucket == "":
		return errors.New("no bucket: want the stack's app-bundles bucket")
	case !commitRE.MatchString(o.Commit):
		return fmt.Errorf("commit %q: want the full 40-character SHA the directory was built from", o.Commit)
	}
	st, err := os.Stat(filepath.Join(o.Dir, flip.BaseApplicationManifest))
	if err != nil || !st.Mode().IsRegular() {
		return fmt.Errorf("%s has no %s at its top: want FLIP's fl-apps/%s directory", o.Dir, flip.BaseApplicationManifest, o.Backend)
	}
	return nil
}

type localFile struct{ rel, path, md5 string }

// Publish makes s3://<Bucket>/base-application/<Backend>/ hold exactly Dir plus one commit
// marker: changed and new files are uploaded, files Dir lacks (older markers included) are
// deleted last, so flip-api never reads a manifest naming a file not yet there.
func Publish(ctx context.Context, c S3API, o Options) (Result, error) {
	if err := o.validate(); err != nil {
		return Result{}, err
	}
	prefix := Prefix(o.Backend)
	local, err := scan(o.Dir)
	if err != nil {
		return Result{}, err
	}
	remote, err := list(ctx, c, o.Bucket, prefix)
	if err != nil {
		return Result{}, err
	}
	var res Result
	keep := map[string]bool{}
	// The manifest goes last, once every file it names is in place.
	sort.SliceStable(local, func(i, j int) bool {
		return local[j].rel == flip.BaseApplicationManifest && local[i].rel != flip.BaseApplicationManifest
	})
	for _, f := range local {
		key := prefix + f.rel
		keep[key] = true
		if remote[key] == f.md5 {
			res.Unchanged = append(res.Unchanged, key)
			continue
		}
		body, err := os.ReadFile(f.path)
		if err != nil {
			return res, fmt.Errorf("read %s: %w", f.path, err)
		}
		if err := put(ctx, c, o.Bucket, key, body); err != nil {
			return res, err
		}
		o.logf("upload %s", key)
		res.Uploaded = append(res.Uploaded, key)
	}
	res.Marker = prefix + MarkerName(o.Commit)
	keep[res.Marker] = true
	if err := put(ctx, c, o.Bucket, res.Marker, []byte(o.Commit+"\n")); err != nil {
		return res, err
	}
	o.logf("marker %s", res.Marker)
	var stale []string
	for key := range remote {
		if !keep[key] {
			stale = append(stale, key)
		}
	}
	sort.Strings(stale)
	for start := 0; start < len(stale); start += 1000 {
		batch := stale[start:min(start+1000, len(stale))]
		ids := make([]s3types.ObjectIdentifier, len(batch))
		for i, k := range batch {
			ids[i] = s3types.ObjectIdentifier{Key: aws.String(k)}
		}
		out, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(o.Bucket), Delete: &s3types.Delete{Objects: ids, Quiet: aws.Bool(true)}})
		if err != nil {
			return res, fmt.Errorf("delete stale objects under %s: %w", prefix, err)
		}
		if len(out.Errors) > 0 {
			return res, fmt.Errorf("delete %s: %s", aws.ToString(out.Errors[0].Key), aws.ToString(out.Errors[0].Message))
		}
		for _, k := range batch {
			o.logf("delete %s", k)
		}
		res.Deleted = append(res.Deleted, batch...)
	}
	return res, nil
}

func (o Options) logf(format string, args ...any) {
	if o.Log != nil {
		_, _ = fmt.Fprintf(o.Log, format+"\n", args...)
	}
}

// scan lists Dir's regular files with their MD5, refusing links and hidden entries (a .git or an
// editor's leftovers are not part of an application).
func scan(dir string) ([]localFile, error) {
	var out []localFile
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		if rel == "." {
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("%s is not a regular file; the application must hold files only", path)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		sum := md5.Sum(b) //nolint:gosec // compared with S3's ETag, see the import
		out = append(out, localFile{rel: filepath.ToSlash(rel), path: path, md5: hex.EncodeToString(sum[:])})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", dir, err)
	}
	return out, nil
}

// list maps every key under prefix to its ETag's MD5 (empty for multipart uploads).
func list(ctx context.Context, c S3API, bucket, prefix string) (map[string]string, error) {
	out := map[string]string{}
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list s3://%s/%s: %w", bucket, prefix, err)
		}
		for _, obj := range page.Contents {
			etag := strings.Trim(aws.ToString(obj.ETag), `"`)
			if strings.Contains(etag, "-") {
				etag = ""
			}
			out[aws.ToString(obj.Key)] = etag
		}
	}
	return out, nil
}

func put(ctx context.Context, c S3API, bucket, key string, body []byte) error {
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)})
	if err != nil {
		return fmt.Errorf("upload s3://%s/%s: %w", bucket, key, err)
	}
	return nil
}

// IsMarker reports whether a key's base name is a commit marker.
func IsMarker(key string) bool { return markerRE.MatchString(filepath.Base(key)) }
