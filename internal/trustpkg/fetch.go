package trustpkg

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// maxObjectBytes bounds one kit object: participant kit files are certificates, keys and small
// JSON or shell files, kilobytes each, and Build holds them in memory until the archive is written.
const maxObjectBytes = 16 << 20

// member is one regular file of the archive, named relative to the top directory.
type member struct {
	name string
	data []byte
}

// fetch lists l.prefix, keeps exactly the keys l.include admits, checks each is a safe relative
// path and every required one is there and non-empty, and reads them. Members come back sorted,
// named below l.archiveDir.
func fetch(ctx context.Context, api S3API, bucket, slot string, l layout) ([]member, error) {
	uri := "s3://" + bucket + "/" + l.prefix
	var rels []string
	sizes := map[string]int64{}
	p := s3.NewListObjectsV2Paginator(api, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(l.prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", uri, err)
		}
		for _, obj := range page.Contents {
			rel, ok := strings.CutPrefix(aws.ToString(obj.Key), l.prefix)
			if !ok || rel == "" || strings.HasSuffix(rel, "/") || !l.include(rel) {
				// Outside the slot's kit, or a console "folder" marker: nothing to pack.
				continue
			}
			if err := safeRel(rel); err != nil {
				return nil, fmt.Errorf("%s: %w", strconv.Quote(uri+rel), err)
			}
			rels = append(rels, rel)
			sizes[rel] = aws.ToInt64(obj.Size)
		}
	}
	if len(rels) == 0 {
		return nil, &EmptyKitError{URI: uri, Slot: slot}
	}
	var missing []string
	for _, r := range l.required {
		if sizes[r] <= 0 {
			missing = append(missing, uri+r)
		}
	}
	if len(missing) > 0 {
		return nil, &IncompleteKitError{Missing: missing}
	}
	sort.Strings(rels)
	if err := noFileDirClash(rels); err != nil {
		return nil, fmt.Errorf("%s: %w", uri, err)
	}
	out := make([]member, 0, len(rels))
	for _, rel := range rels {
		data, err := get(ctx, api, bucket, l.prefix+rel)
		if err != nil {
			return nil, fmt.Errorf("get %s%s: %w", uri, rel, err)
		}
		if len(data) == 0 && slices.Contains(l.required, rel) {
			// Emptied between the listing and the read.
			return nil, &IncompleteKitError{Missing: []string{uri + rel}}
		}
		out = append(out, member{name: l.archiveDir + "/" + rel, data: data})
	}
	return out, nil
}

// get reads one object whole, refusing one larger than maxObjectBytes.
func get(ctx context.Context, api S3API, bucket, key string) ([]byte, error) {
	obj, err := api.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, err
	}
	defer obj.Body.Close()
	data, err := io.ReadAll(io.LimitReader(obj.Body, maxObjectBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxObjectBytes {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, maxObjectBytes)
	}
	return data, nil
}

// safeRel refuses a relative key that would not stay where it is put once extracted: an absolute
// path, an empty, "." or ".." element, a backslash (a separator elsewhere), invalid UTF-8 or a
// control character (which sha256sum would escape, breaking the manifest).
func safeRel(rel string) error {
	if !fs.ValidPath(rel) || rel == "." {
		return fmt.Errorf("%w: not a clean relative path", ErrUnsafeKey)
	}
	if !utf8.ValidString(rel) {
		return fmt.Errorf("%w: not valid utf-8", ErrUnsafeKey)
	}
	for _, r := range rel {
		if r == '\\' || unicode.IsControl(r) {
			return fmt.Errorf("%w: holds %q", ErrUnsafeKey, r)
		}
	}
	return nil
}

// noFileDirClash refuses sorted keys where one is a file and also the directory of another
// (a and a/b): extraction would fail or replace one with the other.
func noFileDirClash(sorted []string) error {
	files := map[string]bool{}
	for _, r := range sorted {
		files[r] = true
	}
	for _, r := range sorted {
		for d := r; ; {
			i := strings.LastIndexByte(d, '/')
			if i < 0 {
				break
			}
			d = d[:i]
			if files[d] {
				return fmt.Errorf("%w: %s is both a file and the directory of %s", ErrUnsafeKey, d, r)
			}
		}
	}
	return nil
}
