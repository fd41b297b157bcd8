package uideploy

import (
	"bytes"
	"context" // S3's ETag of a single-part upload is the MD5 of the content: compared, never trusted
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/londonaicentre/flip-hub/internal/progress"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// list returns key → MD5 (from the ETag; "" for multipart or encrypted objects whose ETag is not
// one) of every object under prefix.
func list(ctx context.Context, c S3API, bucket, prefix string) (map[string]string, error) {
	out := map[string]string{}
	in := &s3.ListObjectsV2Input{Bucket: aws.String(bucket)}
	if prefix != "" {
		in.Prefix = aws.String(prefix)
	}
	p := s3.NewListObjectsV2Paginator(c, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list s3://%s/%s: %w", bucket, prefix, err)
		}
		for _, obj := range page.Contents {
			key := aws.ToString(obj.Key)
			if !strings.HasPrefix(key, prefix) {
				continue
			}
			out[key] = etagMD5(aws.ToString(obj.ETag))
		}
	}
	return out, nil
}

// etagMD5 returns the MD5 an ETag stands for, or "" when it is not a plain MD5 (multipart uploads
// end in -N). Under SSE-KMS the ETag is not the MD5 either; it then never matches, and the object is
// uploaded again, which is correct, only slower.
func etagMD5(etag string) string {
	e := strings.Trim(etag, `"`)
	if len(e) != 32 || strings.Contains(e, "-") {
		return ""
	}
	return strings.ToLower(e)
}

// sameHeaders reports whether the object's Content-Type and Cache-Control are the ones f wants, so
// a changed policy is applied even to unchanged content.
func sameHeaders(ctx context.Context, c S3API, bucket string, f file) (bool, error) {
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(f.key)})
	if err != nil {
		return false, fmt.Errorf("head s3://%s/%s: %w", bucket, f.key, err)
	}
	return aws.ToString(head.ContentType) == f.contentType && aws.ToString(head.CacheControl) == f.cacheControl, nil
}

// upload puts files concurrently and returns the keys it put.
func (o *Options) upload(ctx context.Context, c S3API, files []file) ([]string, error) {
	var (
		mu   sync.Mutex
		done []string
		errs []error
		wg   sync.WaitGroup
		sem  = make(chan struct{}, o.Concurrency)
	)
	for _, f := range files {
		if !strings.HasPrefix(f.key, o.Prefix) || o.kept(f.key) {
			return nil, fmt.Errorf("%w: refusing to write %s outside the UI prefix %q", ErrRefused, f.key, o.Prefix)
		}
	}
	for _, f := range files {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			err := put(ctx, c, o.Bucket, f)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			done = append(done, f.key)
			o.logf("uploaded %s (%s; %s)", f.key, f.contentType, f.cacheControl)
		}()
	}
	wg.Wait()
	sort.Strings(done)
	return done, errors.Join(errs...)
}

func put(ctx context.Context, c S3API, bucket string, f file) error {
	body := f.body
	if body == nil {
		b, err := os.ReadFile(f.path)
		if err != nil {
			return fmt.Errorf("read %s: %w", f.path, err)
		}
		body = b
	}
	raw, _ := hex.DecodeString(f.md5) // f.md5 is hex we encoded
	_, err := c.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        aws.String(bucket),
		Key:           aws.String(f.key),
		Body:          bytes.NewReader(body),
		ContentLength: aws.Int64(int64(len(body))),
		ContentType:   aws.String(f.contentType),
		CacheControl:  aws.String(f.cacheControl),
		ContentMD5:    aws.String(base64.StdEncoding.EncodeToString(raw)),
	})
	if err != nil {
		return fmt.Errorf("put s3://%s/%s: %w", bucket, f.key, err)
	}
	return nil
}

// remove deletes keys in batches, refusing any key outside the prefix or under a kept prefix.
func (o *Options) remove(ctx context.Context, c S3API, keys []string) ([]string, error) {
	var deleted []string
	for _, k := range keys {
		if !strings.HasPrefix(k, o.Prefix) || o.kept(k) {
			return nil, fmt.Errorf("%w: refusing to delete %s outside the UI prefix %q", ErrRefused, k, o.Prefix)
		}
	}
	for start := 0; start < len(keys); start += deleteBatch {
		batch := keys[start:min(start+deleteBatch, len(keys))]
		ids := make([]s3types.ObjectIdentifier, 0, len(batch))
		for _, k := range batch {
			ids = append(ids, s3types.ObjectIdentifier{Key: aws.String(k)})
		}
		out, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{
			Bucket: aws.String(o.Bucket),
			Delete: &s3types.Delete{Objects: ids, Quiet: aws.Bool(true)},
		})
		if err != nil {
			return deleted, fmt.Errorf("delete %d objects from s3://%s: %w", len(batch), o.Bucket, err)
		}
		failed := map[string]bool{}
		var errs []error
		for _, e := range out.Errors {
			failed[aws.ToString(e.Key)] = true
			errs = append(errs, fmt.Errorf("delete s3://%s/%s: %s %s", o.Bucket, aws.ToString(e.Key), aws.ToString(e.Code), aws.ToString(e.Message)))
		}
		for _, k := range batch {
			if !failed[k] {
				deleted = append(deleted, k)
				o.logf("deleted %s", k)
			}
		}
		if len(errs) > 0 {
			return deleted, errors.Join(errs...)
		}
	}
	return deleted, nil
}

// invalidate invalidates /* and waits until CloudFront reports the invalidation Completed.
func invalidate(ctx context.Context, cf CloudFrontAPI, o Options) (string, error) {
	out, err := cf.CreateInvalidation(ctx, &cloudfront.CreateInvalidationInput{
		DistributionId: aws.String(o.DistributionID),
		InvalidationBatch: &cftypes.InvalidationBatch{
			CallerReference: aws.String(fmt.Sprintf("hubctl-deploy-ui-%d", time.Now().UnixNano())),
			Paths:           &cftypes.Paths{Quantity: aws.Int32(1), Items: []string{"/*"}},
		},
	})
	if err != nil {
		return "", fmt.Errorf("invalidate distribution %s: %w", o.DistributionID, err)
	}
	if out.Invalidation == nil || out.Invalidation.Id == nil {
		return "", fmt.Errorf("invalidate distribution %s: no invalidation id in the answer", o.DistributionID)
	}
	id := aws.ToString(out.Invalidation.Id)
	o.logf("invalidation %s of /* on %s created; waiting for it to complete", id, o.DistributionID)
	w := cloudfront.NewInvalidationCompletedWaiter(cf, func(wo *cloudfront.InvalidationCompletedWaiterOptions) {
		wo.MinDelay = o.InvalidationPoll
		wo.MaxDelay = max(o.InvalidationPoll, time.Minute)
		wo.Retryable = invalidationPending
	})
	stop := progress.Heartbeat(o.Heartbeat, "waiting for invalidation "+id)
	err = w.Wait(ctx, &cloudfront.GetInvalidationInput{DistributionId: aws.String(o.DistributionID), Id: aws.String(id)}, o.InvalidationTimeout)
	stop()
	if err != nil {
		return id, fmt.Errorf("invalidation %s on %s did not complete within %s (the files are published; "+
			"browsers may see the old UI until it does): %w", id, o.DistributionID, o.InvalidationTimeout, err)
	}
	o.logf("invalidation %s completed", id)
	return id, nil
}

// invalidationPending is the waiter's test: done once the status reads Completed, in any letter
// case (CloudFront writes "Completed"; moto_server writes "COMPLETED"), and stopped by any error.
func invalidationPending(_ context.Context, _ *cloudfront.GetInvalidationInput, out *cloudfront.GetInvalidationOutput, err error) (bool, error) {
	if err != nil {
		return false, err
	}
	if out.Invalidation != nil && strings.EqualFold(aws.ToString(out.Invalidation.Status), "Completed") {
		return false, nil
	}
	return true, nil
}

func (o *Options) logf(format string, args ...any) {
	if o.Log != nil {
		fmt.Fprintf(o.Log, format+"\n", args...)
	}
}
