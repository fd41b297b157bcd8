package retained

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/londonaicentre/flip-hub/config"
	"github.com/londonaicentre/flip-hub/internal/adopt"
	"github.com/londonaicentre/flip-hub/internal/awsid"
)

// Clients are the AWS API clients Find uses.
type Clients struct {
	KMS     *kms.Client
	Secrets *secretsmanager.Client
	Cognito *cip.Client
	S3      *s3.Client
}

// ClientsFrom builds Clients from an AWS configuration; S3 is addressed path-style when an
// endpoint override is set (moto and other stand-ins).
func ClientsFrom(cfg aws.Config) Clients {
	return Clients{
		KMS:     kms.NewFromConfig(cfg),
		Secrets: secretsmanager.NewFromConfig(cfg),
		Cognito: cip.NewFromConfig(cfg),
		S3:      s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = awsid.S3PathStyle(cfg.BaseEndpoint) }),
	}
}

// Found is what Find learnt: the imports that adopt the resources found, the FLIP_API values of
// the retained secret (redacted whenever printed), and one line per resource for the operator.
type Found struct {
	Imports map[string]string
	Secrets adopt.SecretValues
	Lines   []string
}

// Find looks each target up by its name. What exists is adopted; a KMS key or secret scheduled
// for deletion is restored first (as upstream's import script restores the FLIP_API secret),
// unless dryRun. A pool's domain, client and users are only looked for in a pool that was found.
// Any error other than "not found" (no permission, a bucket of another account) stops it.
func Find(ctx context.Context, c Clients, targets []Target, dryRun bool) (Found, error) {
	f := Found{Imports: map[string]string{}, Secrets: adopt.SecretValues{}}
	for _, t := range targets {
		if err := f.find(ctx, c, t, dryRun); err != nil {
			return Found{}, fmt.Errorf("look for the retained %s %s: %w", t.Key, t.Physical, err)
		}
	}
	return f, nil
}

func (f *Found) adopt(key, id, what string) {
	f.Imports[key] = id
	f.Lines = append(f.Lines, fmt.Sprintf("adopt %s: %s", key, what))
}

func (f *Found) find(ctx context.Context, c Clients, t Target, dryRun bool) error {
	pool := f.Imports[config.ImportCognitoUserPool]
	switch t.Key {
	case config.ImportKMSAlias:
		return f.key(ctx, c, t, dryRun)
	case config.ImportFlipAPISecret:
		return f.secret(ctx, c, t, dryRun)
	case config.ImportCognitoUserPool:
		return f.pool(ctx, c, t)
	case config.ImportCognitoDomain:
		if pool == "" {
			return nil
		}
		out, err := c.Cognito.DescribeUserPoolDomain(ctx, &cip.DescribeUserPoolDomainInput{Domain: aws.String(t.Physical)})
		if err != nil {
			return err
		}
		// An unknown domain is an empty description; one of another pool is not ours to adopt.
		if d := out.DomainDescription; d != nil && aws.ToString(d.UserPoolId) == pool {
			f.adopt(t.Key, t.Physical, "domain "+t.Physical+" of the pool")
		}
	case config.ImportCognitoAppClient:
		if pool == "" {
			return nil
		}
		p := cip.NewListUserPoolClientsPaginator(c.Cognito, &cip.ListUserPoolClientsInput{UserPoolId: aws.String(pool), MaxResults: aws.Int32(60)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return err
			}
			for _, cl := range page.UserPoolClients {
				if aws.ToString(cl.ClientName) == t.Physical {
					f.adopt(t.Key, pool+"/"+aws.ToString(cl.ClientId), "app client "+t.Physical)
					return nil
				}
			}
		}
	case config.ImportCognitoAdminUser, config.ImportCognitoResearcherUser:
		if pool == "" {
			return nil
		}
		_, err := c.Cognito.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String(t.Physical)})
		if awsid.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		f.adopt(t.Key, pool+"/"+t.Physical, "user "+t.Physical)
	default:
		if t.Type != typeBucket {
			return fmt.Errorf("no lookup for %s", t.Type)
		}
		_, err := c.S3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(t.Physical)})
		if awsid.IsNotFound(err) {
			return nil
		}
		if err != nil {
			// A 403 is a bucket of another account (bucket names are global): nothing to adopt,
			// and the up could not create it either.
			return fmt.Errorf("bucket %s exists but cannot be read (another account's?): %w", t.Physical, err)
		}
		f.adopt(t.Key, t.Physical, "bucket "+t.Physical)
	}
	return nil
}

// key finds the key by its alias; a key scheduled for deletion gets its deletion cancelled and is
// enabled again.
func (f *Found) key(ctx context.Context, c Clients, t Target, dryRun bool) error {
	out, err := c.KMS.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(t.Physical)})
	if awsid.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	id := aws.ToString(out.KeyMetadata.KeyId)
	if out.KeyMetadata.KeyState == kmstypes.KeyStatePendingDeletion {
		if dryRun {
			f.Lines = append(f.Lines, fmt.Sprintf("KMS key %s is scheduled for deletion: the up would cancel that and enable it", id))
		} else {
			if _, err := c.KMS.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: aws.String(id)}); err != nil {
				return fmt.Errorf("cancel the deletion of key %s: %w", id, err)
			}
			if _, err := c.KMS.EnableKey(ctx, &kms.EnableKeyInput{KeyId: aws.String(id)}); err != nil {
				return fmt.Errorf("enable key %s: %w", id, err)
			}
			f.Lines = append(f.Lines, fmt.Sprintf("KMS key %s was scheduled for deletion: deletion cancelled, key enabled", id))
		}
	}
	f.adopt(config.ImportKMSKey, id, "key "+id)
	f.adopt(t.Key, t.Physical, "alias "+t.Physical)
	return nil
}

// secret finds the FLIP_API secret by name, restores it if it is scheduled for deletion, and
// reads its AES key and internal service key: the values every trust's kit depends on.
func (f *Found) secret(ctx context.Context, c Clients, t Target, dryRun bool) error {
	out, err := c.Secrets.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(t.Physical)})
	if awsid.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	arn := aws.ToString(out.ARN)
	if out.DeletedDate != nil {
		if dryRun {
			f.Lines = append(f.Lines, fmt.Sprintf("secret %s is scheduled for deletion: the up would restore it", t.Physical))
			f.adopt(t.Key, arn, "secret "+t.Physical)
			return nil
		}
		if _, err := c.Secrets.RestoreSecret(ctx, &secretsmanager.RestoreSecretInput{SecretId: aws.String(arn)}); err != nil {
			return fmt.Errorf("restore secret %s: %w", t.Physical, err)
		}
		f.Lines = append(f.Lines, fmt.Sprintf("secret %s was scheduled for deletion: restored", t.Physical))
	}
	f.adopt(t.Key, arn, "secret "+t.Physical)
	if dryRun {
		return nil
	}
	val, err := c.Secrets.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn)})
	if err != nil {
		return fmt.Errorf("read secret %s: %w", t.Physical, err)
	}
	values, err := adopt.ParseFlipAPISecret(aws.ToString(val.SecretString))
	if err != nil {
		return fmt.Errorf("secret %s: %w", t.Physical, err)
	}
	f.Secrets = values
	return nil
}

// pool finds the user pool by its name; two pools of that name are refused rather than guessed.
func (f *Found) pool(ctx context.Context, c Clients, t Target) error {
	var ids []string
	p := cip.NewListUserPoolsPaginator(c.Cognito, &cip.ListUserPoolsInput{MaxResults: aws.Int32(60)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, up := range page.UserPools {
			if aws.ToString(up.Name) == t.Physical {
				ids = append(ids, aws.ToString(up.Id))
			}
		}
	}
	switch len(ids) {
	case 0:
		return nil
	case 1:
		f.adopt(t.Key, ids[0], "user pool "+t.Physical+" ("+ids[0]+")")
		return nil
	default:
		return fmt.Errorf("%d user pools are named %s (%s): set %s.%s to the one to adopt", len(ids), t.Physical, strings.Join(ids, ", "), config.KeyImports, t.Key)
	}
}
