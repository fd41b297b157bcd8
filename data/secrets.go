package data

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/secretsmanager"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/internal/flip"
	"github.com/londonaicentre/flip-hub/internal/namer"
)

// Logical names of the random resources that mint the FLIP_API values. Renaming one
// would mint a new value and rotate it silently, so they are fixed.
const (
	AESKeyResource             = "flip-api-aes-key"
	InternalServiceKeyResource = "flip-api-internal-service-key"
)

// KeyBytes is the size of both FLIP_API keys: a 256-bit AES key, and 256 bits of entropy
// in the internal service key.
const KeyBytes = 32

// FlipAPISecretName is the Secrets Manager name of a stack's FLIP_API secret.
func FlipAPISecretName(prefix string) string {
	return namer.New(prefix).WithSeparator("/").Name("flip-api")
}

// RegistryTokenSecretName is the Secrets Manager name of a stack's registry token.
func RegistryTokenSecretName(prefix string) string {
	return namer.New(prefix).WithSeparator("/").Name("registry-token")
}

// FlipAPIPayload is the FLIP_API secret string: the AES key, the internal service key
// and that key's SHA-256 hex digest, which flip-api compares presented keys against.
func FlipAPIPayload(aesKey, internalServiceKey string) (string, error) {
	if aesKey == "" || internalServiceKey == "" {
		return "", fmt.Errorf("flip-api secret: an empty key")
	}
	b, err := json.Marshal(map[string]string{
		"aes_key":                   aesKey,
		"internal_service_key":      internalServiceKey,
		"internal_service_key_hash": flip.KeyHash(internalServiceKey),
	})
	if err != nil {
		return "", fmt.Errorf("flip-api secret: %w", err)
	}
	return string(b), nil
}

// URLSafeKey re-encodes random bytes given as standard base64 (RandomBytes.Base64) as
// unpadded base64url, so the key travels in an HTTP header unchanged.
func URLSafeKey(stdBase64 string) (string, error) {
	raw, err := base64.StdEncoding.DecodeString(stdBase64)
	if err != nil {
		return "", fmt.Errorf("internal service key: random bytes are not base64: %w", err)
	}
	if len(raw) < KeyBytes {
		return "", fmt.Errorf("internal service key: %d random bytes; want at least %d", len(raw), KeyBytes)
	}
	return base64.RawURLEncoding.EncodeToString(raw), nil
}

// SecretNameFromARN returns the name inside a Secrets Manager ARN
// (arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 random characters>), or
// the ID itself when it is not an ARN.
func SecretNameFromARN(id string) string {
	const marker = ":secret:"
	i := strings.Index(id, marker)
	if !strings.HasPrefix(id, "arn:") || i < 0 {
		return id
	}
	name := id[i+len(marker):]
	if j := strings.LastIndex(name, "-"); j > 0 && len(name)-j == 7 {
		name = name[:j]
	}
	return name
}

func newSecrets(ctx *pulumi.Context, d *Data, nm namer.Namer, args Args, parent pulumi.ResourceOption) error {
	persistent := []pulumi.ResourceOption{parent, pulumi.RetainOnDelete(true), pulumi.Protect(args.ProtectPersistent)}

	var aesKey, internalKey pulumi.StringOutput
	if args.ExistingAESKey != nil {
		aesKey, internalKey = *args.ExistingAESKey, *args.ExistingInternalServiceKey
	} else {
		// No keepers: nothing but an explicit replace of these resources mints new values,
		// so re-runs never rotate them. Protect in prod guards against that replace.
		aes, err := random.NewRandomBytes(ctx, AESKeyResource, &random.RandomBytesArgs{Length: pulumi.Int(KeyBytes)}, persistent...)
		if err != nil {
			return fmt.Errorf("flip-api aes key: %w", err)
		}
		isk, err := random.NewRandomBytes(ctx, InternalServiceKeyResource, &random.RandomBytesArgs{Length: pulumi.Int(KeyBytes)}, persistent...)
		if err != nil {
			return fmt.Errorf("flip-api internal service key: %w", err)
		}
		aesKey = aes.Base64
		internalKey = isk.Base64.ApplyT(URLSafeKey).(pulumi.StringOutput)
	}
	payload := pulumi.ToSecret(pulumi.All(aesKey, internalKey).ApplyT(func(in []any) (string, error) {
		return FlipAPIPayload(in[0].(string), in[1].(string))
	})).(pulumi.StringOutput)

	secretName := FlipAPISecretName(args.Prefix)
	secretOpts := slices.Clone(persistent)
	if id := args.Imports.FlipAPISecretID; id != "" {
		// An adopted secret keeps its own name, which its ARN carries.
		secretName = SecretNameFromARN(id)
		secretOpts = append(secretOpts, pulumi.Import(pulumi.ID(id)))
	}
	secret, err := secretsmanager.NewSecret(ctx, "flip-api", &secretsmanager.SecretArgs{
		Name:                 pulumi.String(secretName),
		Description:          pulumi.String("FLIP_API: flip-api's AES key, internal service key and its SHA-256 hash (" + nm.Name() + ")"),
		KmsKeyId:             args.KMSKeyARN,
		RecoveryWindowInDays: pulumi.Int(args.SecretRecoveryWindowDays),
	}, secretOpts...)
	if err != nil {
		return fmt.Errorf("flip-api secret: %w", err)
	}
	version, err := secretsmanager.NewSecretVersion(ctx, "flip-api", &secretsmanager.SecretVersionArgs{
		SecretId:     secret.Arn,
		SecretString: payload,
	}, persistent...)
	if err != nil {
		return fmt.Errorf("flip-api secret value: %w", err)
	}
	d.Ready = append(d.Ready, version)
	d.FlipAPISecretARN = secret.Arn
	d.FlipAPISecretName = secret.Name
	d.AESKeyBase64 = pulumi.ToSecret(aesKey).(pulumi.StringOutput)

	d.RegistryTokenSecretARN = pulumi.String("").ToStringOutput()
	if args.RegistryToken != nil {
		token, err := secretsmanager.NewSecret(ctx, "registry-token", &secretsmanager.SecretArgs{
			Name:                 pulumi.String(RegistryTokenSecretName(args.Prefix)),
			Description:          pulumi.String("Image registry token the hub host logs in with (" + nm.Name() + ")"),
			KmsKeyId:             args.KMSKeyARN,
			RecoveryWindowInDays: pulumi.Int(args.SecretRecoveryWindowDays),
		}, parent)
		if err != nil {
			return fmt.Errorf("registry token secret: %w", err)
		}
		tokenVersion, err := secretsmanager.NewSecretVersion(ctx, "registry-token", &secretsmanager.SecretVersionArgs{
			SecretId:     token.Arn,
			SecretString: pulumi.ToSecret(*args.RegistryToken).(pulumi.StringOutput),
		}, parent, pulumi.DeletedWith(token))
		if err != nil {
			return fmt.Errorf("registry token secret value: %w", err)
		}
		d.Ready = append(d.Ready, tokenVersion)
		d.RegistryTokenSecretARN = token.Arn
	}
	return nil
}
