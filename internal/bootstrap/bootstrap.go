package bootstrap

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/londonaicentre/flip-hub/internal/awsid"
	"github.com/londonaicentre/flip-hub/internal/bucket"
)

// Names of the options as errors report them; hubctl's flags use the same words (--stack,
// --bucket-name).
const (
	OptionStack      = "stack"
	OptionBucketName = "bucket-name"
)

// stackRE is what a stack name may be: the project's stacks are short lower-case words such as
// stag and prod, and the name becomes part of a KMS alias.
var stackRE = regexp.MustCompile(`^[a-z][a-z0-9-]{0,30}$`)

// bucketPrefix starts the default state bucket name: flip-hub-pulumi-state-<account>-<region>.
const bucketPrefix = "flip-hub-pulumi-state-"

// Options say which stack to prepare and, rarely, which bucket name to use.
type Options struct {
	// Stack is the Pulumi stack the secrets key is for, e.g. "stag" or "prod".
	Stack string
	// BucketName overrides the state bucket's default name,
	// flip-hub-pulumi-state-<account-id>-<region>; set it only when that name is taken.
	BucketName string
}

// STSAPI is what Run needs from STS; *sts.Client satisfies it.
type STSAPI interface {
	GetCallerIdentity(ctx context.Context, in *sts.GetCallerIdentityInput, optFns ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

// Clients are the AWS APIs Run calls, all in Region.
type Clients struct {
	// Region is where the bucket and key live: the aws.Config's region.
	Region string
	STS    STSAPI
	S3     S3API
	KMS    KMSAPI
}

// NewClients builds the SDK clients from cfg; s3Opts are applied to the S3 client only (tests
// against a local endpoint pass path-style addressing).
func NewClients(cfg aws.Config, s3Opts ...func(*s3.Options)) Clients {
	return Clients{
		Region: cfg.Region,
		STS:    sts.NewFromConfig(cfg),
		S3:     s3.NewFromConfig(cfg, s3Opts...),
		KMS:    kms.NewFromConfig(cfg),
	}
}

// Status is whether a run found a resource or made it.
type Status string

// The two outcomes for each resource.
const (
	Created Status = "created"
	Existed Status = "existed"
)

// Setting names one property Run enforces; a Result lists the ones a run had to write.
type Setting string

// The settings Run enforces.
const (
	SettingOwnership    Setting = "object ownership BucketOwnerEnforced"
	SettingPublicAccess Setting = "public access block"
	SettingVersioning   Setting = "versioning"
	SettingEncryption   Setting = "default encryption"
	SettingTLSPolicy    Setting = "TLS-only bucket policy"
	SettingAlias        Setting = "alias"
	SettingRotation     Setting = "key rotation"
)

// BucketResult is what happened to the state bucket.
type BucketResult struct {
	Name   string
	Status Status
	// Changed lists the settings this run wrote: on an existing bucket, only those that had
	// drifted; empty when the bucket was already as wanted.
	Changed []Setting
}

// KeyResult is what happened to the secrets provider's KMS key.
type KeyResult struct {
	// Alias is alias/flip-hub-<stack>-secrets.
	Alias string
	ARN   string
	// Status is Existed when the alias already named a key, or when a key tagged for the alias
	// was left without one by an interrupted run and is now adopted.
	Status  Status
	Changed []Setting
}

// Result is what one Run found and did. On error it holds what was done before the failure.
type Result struct {
	Stack, Account, Region string
	Bucket                 BucketResult
	Key                    KeyResult
}

// OptionError is an invalid option, named as Options' fields are named for the operator.
type OptionError struct {
	Option, Value, Want string
}

func (e *OptionError) Error() string {
	return fmt.Sprintf("option %s: %q is not valid: want %s", e.Option, e.Value, e.Want)
}

// ErrBucketTaken is wrapped by Run's error when the state bucket name belongs to another account.
var ErrBucketTaken = errors.New("bucket name belongs to another AWS account")

// Alias is the KMS alias of a stack's secrets provider key.
func Alias(stack string) string { return "alias/flip-hub-" + stack + "-secrets" }

// DefaultBucketName is the state bucket's name when Options.BucketName is empty: one bucket per
// account and region, shared by every stack there (the backend keeps each stack apart).
func DefaultBucketName(account, region string) string {
	return bucketPrefix + account + "-" + region
}

// Validate checks the options without calling AWS.
func (o Options) Validate() error {
	if !stackRE.MatchString(o.Stack) {
		return &OptionError{Option: OptionStack, Value: o.Stack,
			Want: `a lower-case letter then up to 30 lower-case letters, digits or hyphens, such as "stag" or "prod"`}
	}
	if o.BucketName != "" {
		if err := bucket.CheckName(o.BucketName); err != nil {
			return &OptionError{Option: OptionBucketName, Value: o.BucketName,
				Want: fmt.Sprintf("an S3 bucket name such as %q (%v)", "flip-hub-pulumi-state-myorg", err)}
		}
	}
	return nil
}

// Run creates or repairs the state bucket and the stack's secrets key, in c.Region of the account
// c's credentials belong to. Options and region are checked before any AWS call. A second run
// writes nothing; a run after a partial failure completes the rest.
func Run(ctx context.Context, c Clients, opts Options) (Result, error) {
	res := Result{Stack: opts.Stack, Region: c.Region}
	if err := opts.Validate(); err != nil {
		return res, fmt.Errorf("bootstrap: %w", err)
	}
	if !awsid.Region(c.Region) {
		return res, fmt.Errorf("bootstrap: aws region %q: want a region such as eu-west-2 (set AWS_REGION or the profile's region)", c.Region)
	}
	if c.STS == nil || c.S3 == nil || c.KMS == nil {
		return res, fmt.Errorf("bootstrap: want STS, S3 and KMS clients")
	}

	id, err := c.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return res, fmt.Errorf("bootstrap: who am i (sts get-caller-identity): %w", err)
	}
	res.Account = aws.ToString(id.Account)
	partition, err := partitionOf(aws.ToString(id.Arn))
	if err != nil {
		return res, fmt.Errorf("bootstrap: %w", err)
	}

	name := opts.BucketName
	if name == "" {
		name = DefaultBucketName(res.Account, c.Region)
		if err := bucket.CheckName(name); err != nil {
			return res, fmt.Errorf("bootstrap: default state bucket name: %w", err)
		}
	}
	res.Bucket, err = ensureBucket(ctx, c.S3, stateBucket{
		name: name, region: c.Region, account: res.Account, partition: partition,
	})
	if err != nil {
		return res, fmt.Errorf("bootstrap: %w", err)
	}
	res.Key, err = ensureKey(ctx, c.KMS, opts.Stack)
	if err != nil {
		return res, fmt.Errorf("bootstrap: %w", err)
	}
	return res, nil
}

// partitionOf reads the partition (aws, aws-us-gov, aws-cn) from an ARN.
func partitionOf(arn string) (string, error) {
	parts := strings.SplitN(arn, ":", 3)
	if len(parts) < 3 || parts[0] != "arn" || parts[1] == "" {
		return "", fmt.Errorf("caller identity arn %q: want arn:<partition>:…", arn)
	}
	return parts[1], nil
}

// BackendURL is the state backend URL for pulumi login. The query is the documented form for an
// S3 backend read with the AWS SDK v2, https://www.pulumi.com/docs/iac/guides/basics/using-a-diy-backend/
// ("pulumi login 's3://<bucket-name>?region=us-east-1&awssdk=v2&profile=<profile-name>'"); profile
// is left out so the operator's usual credential chain applies.
func (r Result) BackendURL() string {
	return "s3://" + r.Bucket.Name + "?region=" + r.Region + "&awssdk=v2"
}

// SecretsProvider is the --secrets-provider URL for the stack's key, in the form
// https://www.pulumi.com/docs/iac/cli/commands/pulumi_stack_init/ documents
// ("awskms://alias/ExampleAlias?region=us-east-1").
func (r Result) SecretsProvider() string {
	return "awskms://" + Alias(r.Stack) + "?region=" + r.Region
}

// NextSteps are the exact commands to run next, in order, from the project directory. Every
// part is validated (bucket, region and stack names hold no quote or shell character), so the
// single quotes are enough.
func (r Result) NextSteps() []string {
	return []string{
		"pulumi login '" + r.BackendURL() + "'",
		"pulumi stack init " + r.Stack + " --secrets-provider '" + r.SecretsProvider() + "'",
	}
}

// Summary is the operator report: one line per resource, saying whether it was created or
// existed and which settings this run wrote.
func (r Result) Summary() []string {
	return []string{
		fmt.Sprintf("state bucket %s (account %s, %s): %s", r.Bucket.Name, r.Account, r.Region, describe(r.Bucket.Status, r.Bucket.Changed)),
		fmt.Sprintf("secrets key %s (%s): %s", r.Key.Alias, r.Key.ARN, describe(r.Key.Status, r.Key.Changed)),
	}
}

func describe(s Status, changed []Setting) string {
	names := make([]string, len(changed))
	for i, c := range changed {
		names[i] = string(c)
	}
	switch {
	case s == Created && len(changed) == 0:
		return "created"
	case s == Created:
		return "created; set " + strings.Join(names, ", ")
	case len(changed) == 0:
		return "existed; nothing to change"
	default:
		return "existed; repaired " + strings.Join(names, ", ")
	}
}
