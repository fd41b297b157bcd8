package adopt

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/londonaicentre/flip-hub/internal/awsid"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/londonaicentre/flip-hub/config"
)

// Lookups are the reads Verify makes in the account; the SDK clients satisfy them.
type Lookups struct {
	S3 interface {
		HeadBucket(context.Context, *s3.HeadBucketInput, ...func(*s3.Options)) (*s3.HeadBucketOutput, error)
	}
	Secrets interface {
		DescribeSecret(context.Context, *secretsmanager.DescribeSecretInput, ...func(*secretsmanager.Options)) (*secretsmanager.DescribeSecretOutput, error)
		GetSecretValue(context.Context, *secretsmanager.GetSecretValueInput, ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
	}
	KMS interface {
		DescribeKey(context.Context, *kms.DescribeKeyInput, ...func(*kms.Options)) (*kms.DescribeKeyOutput, error)
	}
	Cognito cognitoLookups
}

type cognitoLookups interface {
	DescribeUserPool(context.Context, *cip.DescribeUserPoolInput, ...func(*cip.Options)) (*cip.DescribeUserPoolOutput, error)
	DescribeUserPoolDomain(context.Context, *cip.DescribeUserPoolDomainInput, ...func(*cip.Options)) (*cip.DescribeUserPoolDomainOutput, error)
	DescribeUserPoolClient(context.Context, *cip.DescribeUserPoolClientInput, ...func(*cip.Options)) (*cip.DescribeUserPoolClientOutput, error)
	AdminGetUser(context.Context, *cip.AdminGetUserInput, ...func(*cip.Options)) (*cip.AdminGetUserOutput, error)
}

// NewLookups builds Lookups from the default AWS credential chain in region. S3 is addressed
// path-style when an endpoint override is set (moto and other stand-ins).
func NewLookups(ctx context.Context, region string) (Lookups, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(region))
	if err != nil {
		return Lookups{}, fmt.Errorf("aws config: %w", err)
	}
	return LookupsFrom(cfg), nil
}

// LookupsFrom builds Lookups from an AWS configuration.
func LookupsFrom(cfg aws.Config) Lookups {
	return Lookups{
		S3:      s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = awsid.S3PathStyle(cfg.BaseEndpoint) }),
		Secrets: secretsmanager.NewFromConfig(cfg),
		KMS:     kms.NewFromConfig(cfg),
		Cognito: cip.NewFromConfig(cfg),
	}
}

// Verify checks in the account that every resource the findings import exists, since a state
// can be older than the account: one that does not is dropped from Imports (the first up creates
// it instead) and its row and a warning say so. A KMS key or secret scheduled for deletion stays
// imported, with the command that cancels the deletion in the steps. Any other AWS error (no
// permission, another account's bucket) stops the adoption.
func (f *Findings) Verify(ctx context.Context, l Lookups) error {
	pool := f.Imports[config.ImportCognitoUserPool]
	keys := make([]string, 0, len(f.Imports))
	for k := range f.Imports {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var missing []string
	for _, key := range keys {
		id := f.Imports[key]
		exists, step, err := f.lookup(ctx, l, key, id, pool)
		if err != nil {
			return fmt.Errorf("check %s (%s) in AWS: %w", key, id, err)
		}
		if step != "" {
			f.Steps = append(f.Steps, step)
		}
		if !exists {
			missing = append(missing, key)
		}
	}
	f.readSecret(ctx, l)
	for _, key := range missing {
		id := f.Imports[key]
		delete(f.Imports, key)
		for i := range f.Rows {
			if f.Rows[i].Key == key && f.Rows[i].ID == id {
				f.Rows[i].Note = "not found in AWS: the first up creates it. " + f.Rows[i].Note
			}
		}
		f.Warnings = append(f.Warnings, fmt.Sprintf("%s %s is in the state but not in the account: not imported", key, id))
	}
	return nil
}

// readSecret reads the FLIP_API values from the adopted secret when the state lacks them (a
// secret written outside Terraform, or a state without its version): the stack must carry the
// hub's AES key, which every trust's kit holds. What cannot be read is a warning.
func (f *Findings) readSecret(ctx context.Context, l Lookups) {
	arn := f.Imports[config.ImportFlipAPISecret]
	if arn == "" || len(f.Secrets) > 0 {
		return
	}
	out, err := l.Secrets.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn)})
	if err == nil {
		var values SecretValues
		if values, err = ParseFlipAPISecret(aws.ToString(out.SecretString)); err == nil {
			f.Secrets = values
			f.Warnings = append(f.Warnings, "the FLIP_API values were read from the secret in AWS: the state held none")
			return
		}
	}
	f.Warnings = append(f.Warnings, fmt.Sprintf("the FLIP_API values are neither in the state nor readable from %s (%v): set %s and %s by hand (pulumi config set --secret)",
		arn, err, config.KeyFlipAPIAESKey, config.KeyFlipAPIInternalServiceKey))
}

// lookup says whether the resource of an imports key exists, and any step it needs first.
func (f *Findings) lookup(ctx context.Context, l Lookups, key, id, pool string) (bool, string, error) {
	var err error
	switch {
	case key == config.ImportKMSKey:
		var out *kms.DescribeKeyOutput
		if out, err = l.KMS.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)}); err == nil &&
			out.KeyMetadata != nil && out.KeyMetadata.KeyState == kmstypes.KeyStatePendingDeletion {
			return true, fmt.Sprintf("KMS key %s is scheduled for deletion: `aws kms cancel-key-deletion --key-id %s` and enable it before the first up", id, id), nil
		}
	case key == config.ImportFlipAPISecret:
		var out *secretsmanager.DescribeSecretOutput
		if out, err = l.Secrets.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(id)}); err == nil && out.DeletedDate != nil {
			return true, fmt.Sprintf("the FLIP_API secret is scheduled for deletion: `aws secretsmanager restore-secret --secret-id %s` before the first up", id), nil
		}
	case key == config.ImportCognitoUserPool:
		_, err = l.Cognito.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(id)})
	case key == config.ImportCognitoDomain:
		var out *cip.DescribeUserPoolDomainOutput
		if out, err = l.Cognito.DescribeUserPoolDomain(ctx, &cip.DescribeUserPoolDomainInput{Domain: aws.String(id)}); err == nil {
			// An unknown domain is an empty description, not an error.
			return out.DomainDescription != nil && aws.ToString(out.DomainDescription.UserPoolId) == pool, "", nil
		}
	case key == config.ImportCognitoAppClient:
		client := strings.TrimPrefix(id, pool+"/")
		_, err = l.Cognito.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: aws.String(client)})
	case key == config.ImportCognitoAdminUser || key == config.ImportCognitoResearcherUser:
		user := strings.TrimPrefix(id, pool+"/")
		_, err = l.Cognito.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String(user)})
	case strings.HasPrefix(key, config.ImportBucket("")):
		_, err = l.S3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(id)})
	default:
		return true, "", nil
	}
	if awsid.IsNotFound(err) {
		return false, "", nil
	}
	return err == nil, "", err
}
