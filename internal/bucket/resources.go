package bucket

import (
	"fmt"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/internal/iamdoc"
)

// New builds a bucket and every setting that makes it safe.
func New(ctx *pulumi.Context, name string, args Args, opts ...pulumi.ResourceOption) (*Bucket, error) {
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("bucket %s: %w", name, err)
	}
	b := &Bucket{}
	if err := ctx.RegisterComponentResource(TypeToken, name, b, opts...); err != nil {
		return nil, fmt.Errorf("bucket %s: %w", name, err)
	}
	parent := pulumi.Parent(b)

	bucketName := args.BucketName
	if bucketName == nil {
		bucketName = pulumi.String(args.ImportID)
	}
	bucketOpts := []pulumi.ResourceOption{parent, pulumi.RetainOnDelete(args.RetainOnDelete), pulumi.Protect(args.Protect)}
	if args.ImportID != "" {
		bucketOpts = append(bucketOpts, pulumi.Import(pulumi.ID(args.ImportID)))
	}
	bkt, err := s3.NewBucketV2(ctx, name, &s3.BucketV2Args{
		Bucket:       bucketName,
		ForceDestroy: pulumi.Bool(args.ForceDestroy),
		Tags:         pulumi.ToStringMap(args.Tags),
	}, bucketOpts...)
	if err != nil {
		return nil, fmt.Errorf("bucket %s: %w", name, err)
	}

	// A retained bucket keeps its settings too: otherwise a destroy would strip the
	// public access block, encryption and TLS-only policy from a bucket left holding
	// data. A bucket that is deleted takes its settings with it.
	child := []pulumi.ResourceOption{parent}
	if args.RetainOnDelete {
		child = append(child, pulumi.RetainOnDelete(true))
	} else {
		child = append(child, pulumi.DeletedWith(bkt))
	}
	with := func(more ...pulumi.ResourceOption) []pulumi.ResourceOption {
		return append(slices.Clone(child), more...)
	}

	pab, err := s3.NewBucketPublicAccessBlock(ctx, name, &s3.BucketPublicAccessBlockArgs{
		Bucket:                bkt.Bucket,
		BlockPublicAcls:       pulumi.Bool(true),
		BlockPublicPolicy:     pulumi.Bool(true),
		IgnorePublicAcls:      pulumi.Bool(true),
		RestrictPublicBuckets: pulumi.Bool(true),
	}, with()...)
	if err != nil {
		return nil, fmt.Errorf("bucket %s public access block: %w", name, err)
	}

	ownership := OwnershipEnforced
	if args.ACLsEnabled {
		ownership = OwnershipPreferred
	}
	if _, err := s3.NewBucketOwnershipControls(ctx, name, &s3.BucketOwnershipControlsArgs{
		Bucket: bkt.Bucket,
		Rule:   &s3.BucketOwnershipControlsRuleArgs{ObjectOwnership: pulumi.String(ownership)},
	}, with()...); err != nil {
		return nil, fmt.Errorf("bucket %s ownership controls: %w", name, err)
	}

	versioning, err := s3.NewBucketVersioningV2(ctx, name, &s3.BucketVersioningV2Args{
		Bucket:                  bkt.Bucket,
		VersioningConfiguration: &s3.BucketVersioningV2VersioningConfigurationArgs{Status: pulumi.String("Enabled")},
	}, with()...)
	if err != nil {
		return nil, fmt.Errorf("bucket %s versioning: %w", name, err)
	}

	if _, err := s3.NewBucketServerSideEncryptionConfigurationV2(ctx, name, &s3.BucketServerSideEncryptionConfigurationV2Args{
		Bucket: bkt.Bucket,
		Rules:  s3.BucketServerSideEncryptionConfigurationV2RuleArray{encryptionRule(args)},
	}, with()...); err != nil {
		return nil, fmt.Errorf("bucket %s encryption: %w", name, err)
	}

	if _, err := s3.NewBucketLifecycleConfigurationV2(ctx, name, &s3.BucketLifecycleConfigurationV2Args{
		Bucket: bkt.Bucket,
		Rules:  lifecycleRules(args),
	}, with(pulumi.DependsOn([]pulumi.Resource{versioning}))...); err != nil {
		return nil, fmt.Errorf("bucket %s lifecycle: %w", name, err)
	}

	if args.AccessLogBucket != nil {
		prefix := args.AccessLogPrefix
		if prefix == "" {
			prefix = AccessLogPrefix(name)
		}
		if _, err := s3.NewBucketLoggingV2(ctx, name, &s3.BucketLoggingV2Args{
			Bucket:       bkt.Bucket,
			TargetBucket: args.AccessLogBucket,
			TargetPrefix: pulumi.String(prefix),
			TargetObjectKeyFormat: &s3.BucketLoggingV2TargetObjectKeyFormatArgs{
				PartitionedPrefix: &s3.BucketLoggingV2TargetObjectKeyFormatPartitionedPrefixArgs{
					PartitionDateSource: pulumi.String("EventTime"),
				},
			},
		}, with()...); err != nil {
			return nil, fmt.Errorf("bucket %s access logging: %w", name, err)
		}
	}

	if len(args.CORSRules) > 0 {
		var rules s3.BucketCorsConfigurationV2CorsRuleArray
		for _, r := range args.CORSRules {
			rule := &s3.BucketCorsConfigurationV2CorsRuleArgs{
				AllowedMethods: pulumi.ToStringArray(r.AllowedMethods),
				AllowedOrigins: pulumi.ToStringArray(r.AllowedOrigins),
			}
			if len(r.AllowedHeaders) > 0 {
				rule.AllowedHeaders = pulumi.ToStringArray(r.AllowedHeaders)
			}
			if len(r.ExposeHeaders) > 0 {
				rule.ExposeHeaders = pulumi.ToStringArray(r.ExposeHeaders)
			}
			if r.MaxAgeSeconds > 0 {
				rule.MaxAgeSeconds = pulumi.Int(r.MaxAgeSeconds)
			}
			rules = append(rules, rule)
		}
		if _, err := s3.NewBucketCorsConfigurationV2(ctx, name, &s3.BucketCorsConfigurationV2Args{
			Bucket:    bkt.Bucket,
			CorsRules: rules,
		}, with()...); err != nil {
			return nil, fmt.Errorf("bucket %s cors: %w", name, err)
		}
	}

	// One policy per bucket: the TLS-only denials first, then every grant's statements.
	inputs := []any{bkt.Arn}
	for _, g := range args.Grants {
		values := g.Values
		if values == nil {
			values = pulumi.StringMap{}
		}
		inputs = append(inputs, values)
	}
	grants := args.Grants
	policy := pulumi.All(inputs...).ApplyT(func(in []any) (string, error) {
		arn := in[0].(string)
		var extra []iamdoc.Statement
		for i, g := range grants {
			st, err := g.Statements(arn, in[i+1].(map[string]string))
			if err != nil {
				return "", fmt.Errorf("bucket %s grant %d: %w", name, i, err)
			}
			extra = append(extra, st...)
		}
		return Policy(arn, extra...)
	}).(pulumi.StringOutput)
	// The policy waits for the public access block: both are bucket-level writes that S3
	// refuses to run concurrently.
	pol, err := s3.NewBucketPolicy(ctx, name, &s3.BucketPolicyArgs{
		Bucket: bkt.Bucket,
		Policy: policy,
	}, with(pulumi.DependsOn([]pulumi.Resource{pab}))...)
	if err != nil {
		return nil, fmt.Errorf("bucket %s policy: %w", name, err)
	}
	b.Policy = pol

	b.Name = bkt.Bucket
	b.ARN = bkt.Arn
	b.RegionalDomainName = bkt.BucketRegionalDomainName
	b.DomainName = bkt.BucketDomainName
	if err := ctx.RegisterResourceOutputs(b, pulumi.Map{
		"name":       b.Name,
		"arn":        b.ARN,
		"exceptions": pulumi.ToStringMap(args.exceptions()),
	}); err != nil {
		return nil, fmt.Errorf("bucket %s outputs: %w", name, err)
	}
	return b, nil
}

// AccessLogRoot is the log-bucket prefix under which every bucket's server access logs land.
const AccessLogRoot = "s3-access/"

// AccessLogPrefix is where a bucket's server access logs land in the log bucket.
func AccessLogPrefix(name string) string { return AccessLogRoot + name + "/" }

// exceptions lists the bucket's stated departures from the secure defaults, kept in the
// component's outputs for reviewers.
func (a Args) exceptions() map[string]string {
	out := map[string]string{}
	if a.SSES3Reason != "" {
		out["sse-s3"] = a.SSES3Reason
	}
	if a.ACLReason != "" {
		out["acls-enabled"] = a.ACLReason
	}
	if a.NoAccessLogReason != "" {
		out["no-access-logging"] = a.NoAccessLogReason
	}
	return out
}

func encryptionRule(a Args) s3.BucketServerSideEncryptionConfigurationV2RuleArgs {
	if a.Encryption == SSES3 {
		return s3.BucketServerSideEncryptionConfigurationV2RuleArgs{
			ApplyServerSideEncryptionByDefault: &s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{
				SseAlgorithm: pulumi.String(string(SSES3)),
			},
		}
	}
	// The S3 bucket key cuts KMS requests (and their cost and throttling) by reusing a
	// bucket-level data key; the stack key still wraps every object.
	return s3.BucketServerSideEncryptionConfigurationV2RuleArgs{
		ApplyServerSideEncryptionByDefault: &s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{
			SseAlgorithm:   pulumi.String(string(SSEKMS)),
			KmsMasterKeyId: a.KMSKeyARN,
		},
		BucketKeyEnabled: pulumi.Bool(true),
	}
}

func lifecycleRules(a Args) s3.BucketLifecycleConfigurationV2RuleArray {
	noncurrent := a.NoncurrentVersionDays
	if noncurrent == 0 {
		noncurrent = DefaultNoncurrentVersionDays
	}
	whole := &s3.BucketLifecycleConfigurationV2RuleFilterArgs{Prefix: pulumi.String("")}
	rules := s3.BucketLifecycleConfigurationV2RuleArray{
		s3.BucketLifecycleConfigurationV2RuleArgs{
			Id:     pulumi.String("abort-incomplete-multipart-uploads"),
			Status: pulumi.String("Enabled"),
			Filter: whole,
			AbortIncompleteMultipartUpload: &s3.BucketLifecycleConfigurationV2RuleAbortIncompleteMultipartUploadArgs{
				DaysAfterInitiation: pulumi.Int(DefaultAbortIncompleteUploadDays),
			},
		},
		s3.BucketLifecycleConfigurationV2RuleArgs{
			Id:     pulumi.String("expire-noncurrent-versions"),
			Status: pulumi.String("Enabled"),
			Filter: whole,
			NoncurrentVersionExpiration: &s3.BucketLifecycleConfigurationV2RuleNoncurrentVersionExpirationArgs{
				NoncurrentDays: pulumi.Int(noncurrent),
			},
		},
	}
	// S3 refuses ExpiredObjectDeleteMarker beside Days in one expiration, so a bucket
	// that keeps its objects only cleans up delete markers left without versions.
	expiration := &s3.BucketLifecycleConfigurationV2RuleExpirationArgs{ExpiredObjectDeleteMarker: pulumi.Bool(true)}
	id := "remove-expired-delete-markers"
	if a.ExpireAfterDays > 0 {
		expiration = &s3.BucketLifecycleConfigurationV2RuleExpirationArgs{Days: pulumi.Int(a.ExpireAfterDays)}
		id = "expire-objects"
	}
	rules = append(rules, s3.BucketLifecycleConfigurationV2RuleArgs{
		Id:         pulumi.String(id),
		Status:     pulumi.String("Enabled"),
		Filter:     whole,
		Expiration: expiration,
	})
	return rules
}
