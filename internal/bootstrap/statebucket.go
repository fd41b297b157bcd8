package bootstrap

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// S3API is what Run needs from S3; *s3.Client satisfies it. There is no delete: the state bucket
// is retained whatever happens to the stacks whose state it holds.
type S3API interface {
	ListBuckets(ctx context.Context, in *s3.ListBucketsInput, optFns ...func(*s3.Options)) (*s3.ListBucketsOutput, error)
	HeadBucket(ctx context.Context, in *s3.HeadBucketInput, optFns ...func(*s3.Options)) (*s3.HeadBucketOutput, error)
	GetBucketLocation(ctx context.Context, in *s3.GetBucketLocationInput, optFns ...func(*s3.Options)) (*s3.GetBucketLocationOutput, error)
	CreateBucket(ctx context.Context, in *s3.CreateBucketInput, optFns ...func(*s3.Options)) (*s3.CreateBucketOutput, error)
	GetBucketOwnershipControls(ctx context.Context, in *s3.GetBucketOwnershipControlsInput, optFns ...func(*s3.Options)) (*s3.GetBucketOwnershipControlsOutput, error)
	PutBucketOwnershipControls(ctx context.Context, in *s3.PutBucketOwnershipControlsInput, optFns ...func(*s3.Options)) (*s3.PutBucketOwnershipControlsOutput, error)
	GetPublicAccessBlock(ctx context.Context, in *s3.GetPublicAccessBlockInput, optFns ...func(*s3.Options)) (*s3.GetPublicAccessBlockOutput, error)
	PutPublicAccessBlock(ctx context.Context, in *s3.PutPublicAccessBlockInput, optFns ...func(*s3.Options)) (*s3.PutPublicAccessBlockOutput, error)
	GetBucketVersioning(ctx context.Context, in *s3.GetBucketVersioningInput, optFns ...func(*s3.Options)) (*s3.GetBucketVersioningOutput, error)
	PutBucketVersioning(ctx context.Context, in *s3.PutBucketVersioningInput, optFns ...func(*s3.Options)) (*s3.PutBucketVersioningOutput, error)
	GetBucketEncryption(ctx context.Context, in *s3.GetBucketEncryptionInput, optFns ...func(*s3.Options)) (*s3.GetBucketEncryptionOutput, error)
	PutBucketEncryption(ctx context.Context, in *s3.PutBucketEncryptionInput, optFns ...func(*s3.Options)) (*s3.PutBucketEncryptionOutput, error)
	GetBucketPolicy(ctx context.Context, in *s3.GetBucketPolicyInput, optFns ...func(*s3.Options)) (*s3.GetBucketPolicyOutput, error)
	PutBucketPolicy(ctx context.Context, in *s3.PutBucketPolicyInput, optFns ...func(*s3.Options)) (*s3.PutBucketPolicyOutput, error)
}

// bucketWait bounds the wait for a new bucket to become visible.
const bucketWait = 2 * time.Minute

// usEast1 is the one region whose CreateBucket takes no LocationConstraint (S3 rejects one).
const usEast1 = "us-east-1"

// S3 error codes Run tells apart.
const (
	codeBucketAlreadyExists    = "BucketAlreadyExists"
	codeBucketAlreadyOwnedByMe = "BucketAlreadyOwnedByYou"
	codeNoOwnershipControls    = "OwnershipControlsNotFoundError"
	codeNoPublicAccessBlock    = "NoSuchPublicAccessBlockConfiguration"
	codeNoEncryption           = "ServerSideEncryptionConfigurationNotFoundError"
	codeNoBucketPolicy         = "NoSuchBucketPolicy"
)

// stateBucket is the bucket being ensured and the account that must own it.
type stateBucket struct {
	name, region, account, partition string
}

func (b stateBucket) arn() string { return "arn:" + b.partition + ":s3:::" + b.name }

// ensureBucket finds or creates the bucket, then brings each setting to what is wanted.
func ensureBucket(ctx context.Context, c S3API, b stateBucket) (BucketResult, error) {
	res := BucketResult{Name: b.name}
	owned, region, err := findOwnedBucket(ctx, c, b.name, b.account)
	switch {
	case err != nil:
		return res, fmt.Errorf("state bucket %s: %w", b.name, err)
	case owned && region != b.region:
		return res, fmt.Errorf("state bucket %s already exists in this account but in %s, not %s: "+
			"run bootstrap in %s, or choose another name with option %s", b.name, region, b.region, region, OptionBucketName)
	case owned:
		res.Status = Existed
	default:
		res.Status, err = createBucket(ctx, c, b)
		if err != nil {
			return res, err
		}
		// S3 is eventually consistent: wait until the new bucket answers before configuring it.
		err = s3.NewBucketExistsWaiter(c).Wait(ctx,
			&s3.HeadBucketInput{Bucket: aws.String(b.name), ExpectedBucketOwner: aws.String(b.account)}, bucketWait)
		if err != nil {
			return res, fmt.Errorf("state bucket %s: wait for it to exist: %w", b.name, err)
		}
	}
	for _, s := range bucketSettings(b) {
		ok, err := s.check(ctx, c)
		if err != nil {
			return res, fmt.Errorf("state bucket %s: read %s: %w", b.name, s.name, err)
		}
		if ok {
			continue
		}
		if err := s.apply(ctx, c); err != nil {
			return res, fmt.Errorf("state bucket %s: set %s: %w", b.name, s.name, err)
		}
		res.Changed = append(res.Changed, s.name)
	}
	return res, nil
}

// findOwnedBucket reports whether this account owns a bucket called name, and if so its region.
// ListBuckets lists only the caller's own buckets, so unlike HeadBucket (which answers for any
// bucket the caller may read) it proves ownership.
func findOwnedBucket(ctx context.Context, c S3API, name, account string) (bool, string, error) {
	p := s3.NewListBucketsPaginator(c, &s3.ListBucketsInput{Prefix: aws.String(name), MaxBuckets: aws.Int32(1000)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return false, "", fmt.Errorf("list this account's buckets: %w", err)
		}
		for _, b := range page.Buckets {
			if aws.ToString(b.Name) != name {
				continue
			}
			loc, err := c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String(name), ExpectedBucketOwner: aws.String(account)})
			if err != nil {
				return true, "", fmt.Errorf("read its region: %w", err)
			}
			return true, bucketRegion(loc.LocationConstraint), nil
		}
	}
	return false, "", nil
}

// bucketRegion reads GetBucketLocation's answer: empty for us-east-1, and the legacy "EU" for
// eu-west-1.
func bucketRegion(c s3types.BucketLocationConstraint) string {
	switch c {
	case "":
		return usEast1
	case s3types.BucketLocationConstraintEu:
		return "eu-west-1"
	default:
		return string(c)
	}
}

// createBucket creates the bucket with ACLs disabled from the start. It reports Existed when S3
// says this account already owns it (a concurrent run won the race).
func createBucket(ctx context.Context, c S3API, b stateBucket) (Status, error) {
	in := &s3.CreateBucketInput{
		Bucket:          aws.String(b.name),
		ObjectOwnership: s3types.ObjectOwnershipBucketOwnerEnforced,
	}
	if b.region != usEast1 {
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{
			LocationConstraint: s3types.BucketLocationConstraint(b.region),
		}
	}
	_, err := c.CreateBucket(ctx, in)
	return classifyCreateBucket(b.name, err)
}

// classifyCreateBucket turns CreateBucket's answer into an outcome: BucketAlreadyOwnedByYou is
// success (the bucket is ours), BucketAlreadyExists means the name is another account's.
func classifyCreateBucket(name string, err error) (Status, error) {
	switch code := errorCode(err); {
	case err == nil:
		return Created, nil
	case code == codeBucketAlreadyOwnedByMe:
		return Existed, nil
	case code == codeBucketAlreadyExists:
		return "", fmt.Errorf("state bucket %s: %w (bucket names are global across AWS): "+
			"choose another name with option %s", name, ErrBucketTaken, OptionBucketName)
	default:
		return "", fmt.Errorf("state bucket %s: create: %w", name, err)
	}
}

// setting is one enforced property: check reads it (false when it is missing or different),
// apply writes the wanted value. Every call names the expected owner, so S3 refuses it if the
// bucket has somehow changed hands.
type setting struct {
	name  Setting
	check func(context.Context, S3API) (bool, error)
	apply func(context.Context, S3API) error
}

// bucketSettings are the state bucket's settings, in the order they are applied: ACLs off and
// public access blocked before anything else.
func bucketSettings(b stateBucket) []setting {
	name, owner := aws.String(b.name), aws.String(b.account)
	return []setting{
		{
			name: SettingOwnership,
			check: func(ctx context.Context, c S3API) (bool, error) {
				out, err := c.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: name, ExpectedBucketOwner: owner})
				if errorCode(err) == codeNoOwnershipControls {
					return false, nil
				}
				if err != nil {
					return false, err
				}
				rules := out.OwnershipControls.Rules
				return len(rules) == 1 && rules[0].ObjectOwnership == s3types.ObjectOwnershipBucketOwnerEnforced, nil
			},
			apply: func(ctx context.Context, c S3API) error {
				_, err := c.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{
					Bucket: name, ExpectedBucketOwner: owner,
					OwnershipControls: &s3types.OwnershipControls{Rules: []s3types.OwnershipControlsRule{
						{ObjectOwnership: s3types.ObjectOwnershipBucketOwnerEnforced},
					}},
				})
				return err
			},
		},
		{
			name: SettingPublicAccess,
			check: func(ctx context.Context, c S3API) (bool, error) {
				out, err := c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: name, ExpectedBucketOwner: owner})
				if errorCode(err) == codeNoPublicAccessBlock {
					return false, nil
				}
				if err != nil {
					return false, err
				}
				p := out.PublicAccessBlockConfiguration
				return p != nil && aws.ToBool(p.BlockPublicAcls) && aws.ToBool(p.IgnorePublicAcls) &&
					aws.ToBool(p.BlockPublicPolicy) && aws.ToBool(p.RestrictPublicBuckets), nil
			},
			apply: func(ctx context.Context, c S3API) error {
				_, err := c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{
					Bucket: name, ExpectedBucketOwner: owner,
					PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{
						BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(true),
						BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true),
					},
				})
				return err
			},
		},
		{
			name: SettingVersioning,
			check: func(ctx context.Context, c S3API) (bool, error) {
				out, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: name, ExpectedBucketOwner: owner})
				if err != nil {
					return false, err
				}
				return out.Status == s3types.BucketVersioningStatusEnabled, nil
			},
			apply: func(ctx context.Context, c S3API) error {
				_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{
					Bucket: name, ExpectedBucketOwner: owner,
					VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled},
				})
				return err
			},
		},
		{
			// SSE-S3, not SSE-KMS with the secrets key: the bucket is shared by every stack in the
			// account and region while the key belongs to one stack, so tying the bucket to a
			// stack's key would make each stack's bootstrap re-point the other's, and scheduling
			// that key's deletion would lock every stack out of its state. What needs a KMS key
			// in the state, the stack's secrets, is already encrypted with it by the secrets
			// provider before it is written. An existing default of SSE-KMS (an operator's own
			// key) is kept: it is at least as strong, and overwriting it could break access.
			name: SettingEncryption,
			check: func(ctx context.Context, c S3API) (bool, error) {
				out, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: name, ExpectedBucketOwner: owner})
				if errorCode(err) == codeNoEncryption {
					return false, nil
				}
				if err != nil {
					return false, err
				}
				return encryptedByDefault(out.ServerSideEncryptionConfiguration), nil
			},
			apply: func(ctx context.Context, c S3API) error {
				_, err := c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{
					Bucket: name, ExpectedBucketOwner: owner,
					ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{
						Rules: []s3types.ServerSideEncryptionRule{{
							ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{
								SSEAlgorithm: s3types.ServerSideEncryptionAes256,
							},
						}},
					},
				})
				return err
			},
		},
		{
			name: SettingTLSPolicy,
			check: func(ctx context.Context, c S3API) (bool, error) {
				doc, err := bucketPolicy(ctx, c, name, owner)
				if err != nil {
					return false, err
				}
				return hasTLSOnly(doc, b.arn())
			},
			apply: func(ctx context.Context, c S3API) error {
				// Read again rather than reuse check's copy: the merge keeps every statement
				// someone else added, so it must start from the policy as it is now.
				doc, err := bucketPolicy(ctx, c, name, owner)
				if err != nil {
					return err
				}
				merged, err := withTLSOnly(doc, b.arn())
				if err != nil {
					return err
				}
				_, err = c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: name, ExpectedBucketOwner: owner, Policy: aws.String(merged)})
				return err
			},
		},
	}
}

// encryptedByDefault reports whether some rule sets a server-side encryption algorithm.
func encryptedByDefault(cfg *s3types.ServerSideEncryptionConfiguration) bool {
	if cfg == nil {
		return false
	}
	for _, r := range cfg.Rules {
		if d := r.ApplyServerSideEncryptionByDefault; d != nil && d.SSEAlgorithm != "" {
			return true
		}
	}
	return false
}

// bucketPolicy returns the bucket's policy document, "" when it has none.
func bucketPolicy(ctx context.Context, c S3API, name, owner *string) (string, error) {
	out, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: name, ExpectedBucketOwner: owner})
	if errorCode(err) == codeNoBucketPolicy {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return aws.ToString(out.Policy), nil
}

// errorCode is the AWS error code inside err, "" when there is none.
func errorCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}
