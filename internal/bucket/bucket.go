package bucket

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/internal/iamdoc"
	"github.com/londonaicentre/flip-hub/internal/namer"
)

// TypeToken is the component's Pulumi type.
const TypeToken = "flip:storage:Bucket"

// MaxNameLength is the longest bucket name S3 accepts.
const MaxNameLength = 63

// Encryption is a bucket's default server-side encryption.
type Encryption string

// The two kinds of default encryption a bucket may have.
const (
	// SSEKMS encrypts with a customer-managed KMS key (Args.KMSKeyARN). The default.
	SSEKMS Encryption = "aws:kms"
	// SSES3 encrypts with S3-managed keys. Only for targets of AWS log delivery that
	// cannot write to an SSE-KMS bucket; Args.SSES3Reason must say which.
	SSES3 Encryption = "AES256"
)

// Lifecycle defaults.
const (
	DefaultNoncurrentVersionDays     = 90
	DefaultAbortIncompleteUploadDays = 7
)

// Object ownership settings (s3.BucketOwnershipControls).
const (
	// OwnershipEnforced disables ACLs: the bucket owner owns every object and only
	// policies grant access.
	OwnershipEnforced = "BucketOwnerEnforced"
	// OwnershipPreferred keeps ACLs working, which legacy log delivery needs.
	OwnershipPreferred = "BucketOwnerPreferred"
)

var corsMethods = []string{"GET", "PUT", "POST", "DELETE", "HEAD"}

// CORSRule admits browser requests from the listed origins.
type CORSRule struct {
	AllowedMethods []string
	// AllowedOrigins are full https origins, e.g. https://app.flip.aicentre.co.uk. A
	// wildcard origin is refused.
	AllowedOrigins []string
	AllowedHeaders []string
	ExposeHeaders  []string
	MaxAgeSeconds  int
}

// Grant adds statements to the bucket's single policy, after the TLS-only denials.
// Statements is called once the bucket's ARN and every value in Values are known;
// Values may hold outputs of other resources (e.g. a CloudFront distribution's ARN for
// an origin-access-control read). It runs inside an apply: it builds statements only.
type Grant struct {
	Values     pulumi.StringMapInput
	Statements func(bucketARN string, values map[string]string) ([]iamdoc.Statement, error)
}

// Args configures one bucket. The zero value of every optional field is the secure
// choice; each departure from it needs a stated reason.
type Args struct {
	// BucketName is the physical name (see PhysicalName). When ImportID is set and
	// BucketName is nil, the imported bucket's name is used.
	BucketName pulumi.StringInput
	// ImportID adopts an existing bucket (its name) instead of creating one.
	ImportID string

	// Encryption defaults to SSEKMS with KMSKeyARN.
	Encryption Encryption
	KMSKeyARN  pulumi.StringInput
	// SSES3Reason is required with SSES3: which log delivery needs it.
	SSES3Reason string

	// ACLsEnabled selects BucketOwnerPreferred instead of BucketOwnerEnforced, for a log
	// delivery that writes through ACLs. ACLReason is then required.
	ACLsEnabled bool
	ACLReason   string

	// AccessLogBucket receives this bucket's S3 server access logs under AccessLogPrefix
	// (default "s3-access/<name>/"). Without it NoAccessLogReason is required.
	AccessLogBucket   pulumi.StringInput
	AccessLogPrefix   string
	NoAccessLogReason string

	Grants    []Grant
	CORSRules []CORSRule

	// NoncurrentVersionDays expires replaced and deleted versions (default 90).
	NoncurrentVersionDays int
	// ExpireAfterDays expires current objects (logs); 0 keeps them.
	ExpireAfterDays int

	// ForceDestroy lets a destroy empty the bucket first. Disposable stacks only.
	ForceDestroy bool
	// RetainOnDelete leaves the bucket, and every setting that protects it, in the
	// account when the stack is destroyed or the bucket is removed from the program.
	RetainOnDelete bool
	// Protect adds pulumi.Protect to the bucket.
	Protect bool
	Tags    map[string]string
}

// Bucket is the secure bucket component.
type Bucket struct {
	pulumi.ResourceState

	Name               pulumi.StringOutput
	ARN                pulumi.StringOutput
	RegionalDomainName pulumi.StringOutput
	// DomainName is the global bucket.s3.amazonaws.com name, which CloudFront standard
	// logging takes as its target.
	DomainName pulumi.StringOutput
	// Policy is the bucket policy: a writer whose delivery the policy admits (ALB access logs)
	// waits for it.
	Policy *s3.BucketPolicy
}

var (
	bucketNameRE   = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$`)
	reservedPrefix = []string{"xn--", "sthree-", "amzn-s3-demo-"}
	reservedSuffix = []string{"-s3alias", "--ol-s3", "--x-s3", "--table-s3"}
)

// PhysicalName is the globally unique name of a bucket: the stack prefix, its purpose and
// the AWS account ID, e.g. "flip-prod-fl-kits-123456789012". The account makes the name
// unique across AWS and predictable for operators; a name over 63 characters keeps its
// head and ends in a hash of the whole. It refuses a name S3 would reject.
func PhysicalName(prefix, purpose, account string) (string, error) {
	if purpose == "" || account == "" {
		return "", fmt.Errorf("bucket name: want a purpose and an account, got %q and %q", purpose, account)
	}
	name := namer.New(prefix).Bounded(MaxNameLength, purpose, account)
	if err := CheckName(name); err != nil {
		return "", err
	}
	return name, nil
}

// CheckName reports whether S3 accepts name for a general-purpose bucket. Dots are
// refused too: they break TLS certificate matching on virtual-hosted addresses.
func CheckName(name string) error {
	if !bucketNameRE.MatchString(name) {
		return fmt.Errorf("bucket name %q: want 3-63 lower-case letters, digits and hyphens, starting and ending with a letter or digit", name)
	}
	for _, p := range reservedPrefix {
		if strings.HasPrefix(name, p) {
			return fmt.Errorf("bucket name %q: the prefix %q is reserved by S3", name, p)
		}
	}
	for _, s := range reservedSuffix {
		if strings.HasSuffix(name, s) {
			return fmt.Errorf("bucket name %q: the suffix %q is reserved by S3", name, s)
		}
	}
	return nil
}

func (a Args) validate() error {
	if a.BucketName == nil && a.ImportID == "" {
		return fmt.Errorf("want a bucket name or an import ID")
	}
	if a.ImportID != "" {
		if err := CheckName(a.ImportID); err != nil {
			return fmt.Errorf("import ID: %w", err)
		}
	}
	switch a.Encryption {
	case "", SSEKMS:
		if a.KMSKeyARN == nil {
			return fmt.Errorf("SSE-KMS needs a KMS key ARN")
		}
		if a.SSES3Reason != "" {
			return fmt.Errorf("an SSE-S3 reason is given for an SSE-KMS bucket")
		}
	case SSES3:
		if strings.TrimSpace(a.SSES3Reason) == "" {
			return fmt.Errorf("SSE-S3 instead of the stack key needs a reason (which log delivery requires it)")
		}
	default:
		return fmt.Errorf("encryption %q is neither %s nor %s", a.Encryption, SSEKMS, SSES3)
	}
	if a.ACLsEnabled && strings.TrimSpace(a.ACLReason) == "" {
		return fmt.Errorf("enabling ACLs needs a reason (which log delivery writes through them)")
	}
	if a.AccessLogBucket == nil && strings.TrimSpace(a.NoAccessLogReason) == "" {
		return fmt.Errorf("a bucket without server access logging needs a reason")
	}
	if a.AccessLogBucket != nil && a.NoAccessLogReason != "" {
		return fmt.Errorf("both an access-log bucket and a reason for having none are given")
	}
	if a.NoncurrentVersionDays < 0 || a.ExpireAfterDays < 0 {
		return fmt.Errorf("lifecycle days must not be negative")
	}
	for i, r := range a.CORSRules {
		if err := r.validate(); err != nil {
			return fmt.Errorf("cors rule %d: %w", i, err)
		}
	}
	for i, g := range a.Grants {
		if g.Statements == nil {
			return fmt.Errorf("grant %d has no statements function", i)
		}
	}
	return nil
}

func (r CORSRule) validate() error {
	if len(r.AllowedMethods) == 0 || len(r.AllowedOrigins) == 0 {
		return fmt.Errorf("want at least one method and one origin")
	}
	for _, m := range r.AllowedMethods {
		if !slices.Contains(corsMethods, m) {
			return fmt.Errorf("method %q is not one of %v", m, corsMethods)
		}
	}
	for _, o := range r.AllowedOrigins {
		if strings.Contains(o, "*") || !strings.HasPrefix(o, "https://") || strings.TrimPrefix(o, "https://") == "" {
			return fmt.Errorf("origin %q: want a full https origin without wildcards", o)
		}
	}
	if r.MaxAgeSeconds < 0 {
		return fmt.Errorf("max age %d is negative", r.MaxAgeSeconds)
	}
	return nil
}

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
