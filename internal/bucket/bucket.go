package bucket

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/internal/iamdoc"
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
//
// Every bucket also aborts incomplete multipart uploads and expires noncurrent versions. The
// departures are SSE-S3 instead of SSE-KMS (SSES3Reason), ACLs enabled (ACLReason) and no access
// logging (NoAccessLogReason).
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
