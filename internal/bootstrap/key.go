package bootstrap

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// KMSAPI is what Run needs from KMS; *kms.Client satisfies it. There is no key deletion in it.
type KMSAPI interface {
	ListAliases(ctx context.Context, in *kms.ListAliasesInput, optFns ...func(*kms.Options)) (*kms.ListAliasesOutput, error)
	ListKeys(ctx context.Context, in *kms.ListKeysInput, optFns ...func(*kms.Options)) (*kms.ListKeysOutput, error)
	ListResourceTags(ctx context.Context, in *kms.ListResourceTagsInput, optFns ...func(*kms.Options)) (*kms.ListResourceTagsOutput, error)
	DescribeKey(ctx context.Context, in *kms.DescribeKeyInput, optFns ...func(*kms.Options)) (*kms.DescribeKeyOutput, error)
	CreateKey(ctx context.Context, in *kms.CreateKeyInput, optFns ...func(*kms.Options)) (*kms.CreateKeyOutput, error)
	CreateAlias(ctx context.Context, in *kms.CreateAliasInput, optFns ...func(*kms.Options)) (*kms.CreateAliasOutput, error)
	GetKeyRotationStatus(ctx context.Context, in *kms.GetKeyRotationStatusInput, optFns ...func(*kms.Options)) (*kms.GetKeyRotationStatusOutput, error)
	EnableKeyRotation(ctx context.Context, in *kms.EnableKeyRotationInput, optFns ...func(*kms.Options)) (*kms.EnableKeyRotationOutput, error)
}

// Tags on every key Run creates. TagAlias is how a later run finds a key whose alias an
// interrupted run never created, so that it adopts that key instead of making a second one.
const (
	TagAlias = "flip-hub:secrets-alias"
	TagStack = "flip-hub:stack"
)

// KMS error codes Run tells apart.
const (
	codeAlreadyExists = "AlreadyExistsException"
	codeNotFound      = "NotFoundException"
	codeAccessDenied  = "AccessDeniedException"
)

// ensureKey finds the stack's key by its alias (or, failing that, by TagAlias), creates it when
// there is none, and makes sure the alias names it and rotation is on. Creation runs key, alias,
// rotation: a failure after the key leaves a tagged key the next run adopts.
func ensureKey(ctx context.Context, c KMSAPI, stack string) (KeyResult, error) {
	alias := Alias(stack)
	res := KeyResult{Alias: alias, Status: Existed}
	keyID, err := aliasTarget(ctx, c, alias)
	if err != nil {
		return res, fmt.Errorf("secrets key %s: %w", alias, err)
	}
	needAlias := keyID == ""
	if needAlias {
		keyID, err = taggedKey(ctx, c, alias)
		if err != nil {
			return res, fmt.Errorf("secrets key %s: %w", alias, err)
		}
	}
	if keyID == "" {
		// No Policy: KMS gives the key its default policy, under which the account's own IAM
		// policies decide who may use it, as they decide who may read the state bucket.
		out, err := c.CreateKey(ctx, &kms.CreateKeyInput{
			Description: aws.String(fmt.Sprintf("Pulumi secrets provider of the flip-hub stack %s (hubctl bootstrap); %s names it", stack, alias)),
			KeySpec:     kmstypes.KeySpecSymmetricDefault,
			KeyUsage:    kmstypes.KeyUsageTypeEncryptDecrypt,
			Tags: []kmstypes.Tag{
				{TagKey: aws.String(TagAlias), TagValue: aws.String(alias)},
				{TagKey: aws.String(TagStack), TagValue: aws.String(stack)},
			},
		})
		if err != nil {
			return res, fmt.Errorf("secrets key %s: create key: %w", alias, err)
		}
		keyID = aws.ToString(out.KeyMetadata.KeyId)
		res.Status = Created
	}

	meta, err := usableKey(ctx, c, keyID)
	if err != nil {
		return res, fmt.Errorf("secrets key %s: %w", alias, err)
	}
	res.ARN = aws.ToString(meta.Arn)

	if needAlias {
		if err := createAlias(ctx, c, alias, keyID); err != nil {
			return res, fmt.Errorf("secrets key %s: %w", alias, err)
		}
		res.Changed = append(res.Changed, SettingAlias)
	}

	rot, err := c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: aws.String(keyID)})
	if err != nil {
		return res, fmt.Errorf("secrets key %s: read rotation: %w", alias, err)
	}
	if !rot.KeyRotationEnabled {
		if _, err := c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: aws.String(keyID)}); err != nil {
			return res, fmt.Errorf("secrets key %s: enable rotation: %w", alias, err)
		}
		res.Changed = append(res.Changed, SettingRotation)
	}
	return res, nil
}

// aliasTarget returns the key ID alias names, "" when the alias does not exist.
func aliasTarget(ctx context.Context, c KMSAPI, alias string) (string, error) {
	p := kms.NewListAliasesPaginator(c, &kms.ListAliasesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return "", fmt.Errorf("list aliases: %w", err)
		}
		for _, a := range page.Aliases {
			if aws.ToString(a.AliasName) != alias {
				continue
			}
			if a.TargetKeyId == nil {
				return "", fmt.Errorf("alias exists but names no key; point it at the stack's key with aws kms update-alias")
			}
			return aws.ToString(a.TargetKeyId), nil
		}
	}
	return "", nil
}

// taggedKey returns a usable key tagged TagAlias=alias, left by a run that stopped before it
// created the alias; "" when there is none. Keys this caller may not read the tags of (AWS
// managed keys, other teams' keys) are not candidates.
func taggedKey(ctx context.Context, c KMSAPI, alias string) (string, error) {
	p := kms.NewListKeysPaginator(c, &kms.ListKeysInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return "", fmt.Errorf("list keys: %w", err)
		}
		for _, k := range page.Keys {
			id := aws.ToString(k.KeyId)
			tagged, err := hasTag(ctx, c, id, TagAlias, alias)
			if err != nil {
				return "", err
			}
			if !tagged {
				continue
			}
			if _, err := usableKey(ctx, c, id); err == nil {
				return id, nil
			}
		}
	}
	return "", nil
}

func hasTag(ctx context.Context, c KMSAPI, keyID, key, value string) (bool, error) {
	p := kms.NewListResourceTagsPaginator(c, &kms.ListResourceTagsInput{KeyId: aws.String(keyID)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if code := errorCode(err); code == codeAccessDenied || code == codeNotFound {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("list tags of key %s: %w", keyID, err)
		}
		for _, t := range page.Tags {
			if aws.ToString(t.TagKey) == key && aws.ToString(t.TagValue) == value {
				return true, nil
			}
		}
	}
	return false, nil
}

// usableKey describes keyID and refuses a key the secrets provider cannot use: one that is not
// enabled (disabled, pending deletion) or not a symmetric encrypt/decrypt key.
func usableKey(ctx context.Context, c KMSAPI, keyID string) (*kmstypes.KeyMetadata, error) {
	out, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(keyID)})
	if err != nil {
		return nil, fmt.Errorf("describe key %s: %w", keyID, err)
	}
	m := out.KeyMetadata
	switch {
	case m.KeyState != kmstypes.KeyStateEnabled:
		return nil, fmt.Errorf("key %s is %s, not Enabled: enable it (or cancel its deletion) and run again", keyID, m.KeyState)
	case m.KeySpec != kmstypes.KeySpecSymmetricDefault || m.KeyUsage != kmstypes.KeyUsageTypeEncryptDecrypt:
		return nil, fmt.Errorf("key %s is %s for %s; the secrets provider needs %s for %s",
			keyID, m.KeySpec, m.KeyUsage, kmstypes.KeySpecSymmetricDefault, kmstypes.KeyUsageTypeEncryptDecrypt)
	}
	return m, nil
}

// createAlias points alias at keyID. If a concurrent run created the alias first, its target is
// accepted only when it is keyID.
func createAlias(ctx context.Context, c KMSAPI, alias, keyID string) error {
	_, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(alias), TargetKeyId: aws.String(keyID)})
	if errorCode(err) != codeAlreadyExists {
		if err != nil {
			return fmt.Errorf("create alias: %w", err)
		}
		return nil
	}
	target, terr := aliasTarget(ctx, c, alias)
	if terr != nil {
		return fmt.Errorf("create alias: %w", terr)
	}
	if target != keyID {
		return fmt.Errorf("create alias: another run pointed it at key %s meanwhile; key %s is unused: run again", target, keyID)
	}
	return nil
}
