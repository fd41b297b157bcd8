package data

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/internal/iamdoc"
	"github.com/londonaicentre/flip-hub/internal/namer"
)

// KeyTypeToken is the Pulumi type of the stack key component.
const KeyTypeToken = "flip:data:Key"

// KeyArgs configures the stack key.
type KeyArgs struct {
	Prefix    string
	Region    string
	AccountID pulumi.StringInput
	Partition pulumi.StringInput
	// DeletionWindowDays is 7–30; prod uses 30.
	DeletionWindowDays int
	// Protect adds pulumi.Protect (prod). The key is always retained on destroy.
	Protect bool
	// ImportID adopts an existing key instead of creating one.
	ImportID string
	// AliasImportID adopts the key's existing alias (its name): the alias a destroy retained.
	AliasImportID string
}

// Key is the stack's customer-managed KMS key and its alias.
type Key struct {
	pulumi.ResourceState

	ARN   pulumi.StringOutput
	KeyID pulumi.StringOutput
	Alias pulumi.StringOutput
}

// ViaServices are the services that may use the key on behalf of principals of the
// account; each is matched as kms:ViaService "<service>.<region>.amazonaws.com".
var ViaServices = []string{"rds", "secretsmanager", "s3", "ec2", "ssm"}

// KeyAliasName is the alias of a stack's key, e.g. alias/flip-stag.
func KeyAliasName(prefix string) string { return "alias/" + namer.New(prefix).Name() }

// NewKey builds the stack key.
func NewKey(ctx *pulumi.Context, name string, args KeyArgs, opts ...pulumi.ResourceOption) (*Key, error) {
	if args.DeletionWindowDays < 7 || args.DeletionWindowDays > 30 {
		return nil, fmt.Errorf("key %s: deletion window %d is outside 7–30 days", name, args.DeletionWindowDays)
	}
	k := &Key{}
	if err := ctx.RegisterComponentResource(KeyTypeToken, name, k, opts...); err != nil {
		return nil, fmt.Errorf("key %s: %w", name, err)
	}
	nm := namer.New(args.Prefix)
	policy := pulumi.All(args.AccountID, args.Partition).ApplyT(func(in []any) (string, error) {
		return KeyPolicy(in[0].(string), in[1].(string), args.Region)
	}).(pulumi.StringOutput)

	keyOpts := []pulumi.ResourceOption{pulumi.Parent(k), pulumi.RetainOnDelete(true), pulumi.Protect(args.Protect)}
	if args.ImportID != "" {
		keyOpts = append(keyOpts, pulumi.Import(pulumi.ID(args.ImportID)))
	}
	key, err := kms.NewKey(ctx, "stack", &kms.KeyArgs{
		Description:           pulumi.String("FLIP hub " + nm.Name() + ": logs, RDS, Secrets Manager, S3, EBS"),
		KeyUsage:              pulumi.String("ENCRYPT_DECRYPT"),
		CustomerMasterKeySpec: pulumi.String("SYMMETRIC_DEFAULT"),
		EnableKeyRotation:     pulumi.Bool(true),
		RotationPeriodInDays:  pulumi.Int(365),
		DeletionWindowInDays:  pulumi.Int(args.DeletionWindowDays),
		IsEnabled:             pulumi.Bool(true),
		MultiRegion:           pulumi.Bool(false),
		Policy:                policy,
	}, keyOpts...)
	if err != nil {
		return nil, fmt.Errorf("kms key: %w", err)
	}
	// The alias is the key's name: retained with the key, so the key of a destroyed stack can
	// be found by it and adopted again.
	aliasOpts := []pulumi.ResourceOption{pulumi.Parent(k), pulumi.RetainOnDelete(true), pulumi.Protect(args.Protect)}
	if args.AliasImportID != "" {
		aliasOpts = append(aliasOpts, pulumi.Import(pulumi.ID(args.AliasImportID)))
	}
	alias, err := kms.NewAlias(ctx, "stack", &kms.AliasArgs{
		Name:        pulumi.String(KeyAliasName(args.Prefix)),
		TargetKeyId: key.KeyId,
	}, aliasOpts...)
	if err != nil {
		return nil, fmt.Errorf("kms alias: %w", err)
	}
	k.ARN = key.Arn
	k.KeyID = key.KeyId
	k.Alias = alias.Name
	if err := ctx.RegisterResourceOutputs(k, pulumi.Map{"arn": k.ARN, "alias": k.Alias}); err != nil {
		return nil, fmt.Errorf("key outputs: %w", err)
	}
	return k, nil
}

// KeyPolicy is the stack key's policy: the account administers it (so it can never become
// unmanageable), CloudWatch Logs may use it for this account's log groups only, CloudFront
// may decrypt for this account's distributions only, and the account's principals may use
// it only through the services listed in ViaServices. No statement has a wildcard principal
// without conditions narrowing it to this account and those services.
func KeyPolicy(account, partition, region string) (string, error) {
	via := make([]string, len(ViaServices))
	for i, s := range ViaServices {
		via[i] = fmt.Sprintf("%s.%s.amazonaws.com", s, region)
	}
	use := []string{"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"}
	return iamdoc.JSON(
		iamdoc.Statement{
			Sid:       "AccountAdministers",
			Effect:    iamdoc.Allow,
			Principal: map[string]any{"AWS": fmt.Sprintf("arn:%s:iam::%s:root", partition, account)},
			Action:    []string{"kms:*"},
			Resource:  []string{"*"},
		},
		iamdoc.Statement{
			Sid:       "CloudWatchLogsOfThisAccount",
			Effect:    iamdoc.Allow,
			Principal: map[string]any{"Service": fmt.Sprintf("logs.%s.amazonaws.com", region)},
			Action:    use,
			Resource:  []string{"*"},
			Condition: map[string]map[string]any{
				"ArnLike": {"kms:EncryptionContext:aws:logs:arn": fmt.Sprintf("arn:%s:logs:%s:%s:log-group:*", partition, region, account)},
			},
		},
		iamdoc.Statement{
			Sid:       "CloudFrontReadsThisAccountsBuckets",
			Effect:    iamdoc.Allow,
			Principal: map[string]any{"Service": "cloudfront.amazonaws.com"},
			Action:    []string{"kms:Decrypt"},
			Resource:  []string{"*"},
			Condition: map[string]map[string]any{
				"StringEquals": {"aws:SourceAccount": account},
				"ArnLike":      {"aws:SourceArn": fmt.Sprintf("arn:%s:cloudfront::%s:distribution/*", partition, account)},
			},
		},
		iamdoc.Statement{
			Sid:       "AccountPrincipalsThroughHubServices",
			Effect:    iamdoc.Allow,
			Principal: map[string]any{"AWS": "*"},
			Action:    append(use, "kms:CreateGrant"),
			Resource:  []string{"*"},
			Condition: map[string]map[string]any{
				"StringEquals": {"kms:CallerAccount": account, "kms:ViaService": via},
			},
		},
	)
}
