package status

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// SecretsAPI is what the secret check needs from Secrets Manager; *secretsmanager.Client satisfies it.
type SecretsAPI interface {
	DescribeSecret(ctx context.Context, in *secretsmanager.DescribeSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.DescribeSecretOutput, error)
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

var _ SecretsAPI = (*secretsmanager.Client)(nil)

// SecretSpec says which secret to read and what it must hold.
type SecretSpec struct {
	// Label names the check: "secret <Label>".
	Label string
	// ID is the secret's ARN or name.
	ID string
	// Keys are the JSON keys the secret must hold, each a non-empty string.
	Keys []string
	// Validate, when set, checks the values further. Its error must name keys, never values.
	Validate func(values map[string]string) error
}

// The JSON keys of the hub's secrets (FLIP-FACTS.md, Secrets).
var (
	FlipAPISecretKeys  = []string{"aes_key", "internal_service_key", "internal_service_key_hash"}
	DBMasterSecretKeys = []string{"username", "password"}
)

// ValidateFlipAPISecret checks the FLIP_API secret's shape: aes_key is the base64 of 32 bytes and
// internal_service_key_hash is the SHA-256 hex of internal_service_key (fl-server and flip-api
// disagree otherwise). Errors name keys only.
func ValidateFlipAPISecret(v map[string]string) error {
	if b, err := base64.StdEncoding.DecodeString(v["aes_key"]); err != nil || len(b) != 32 {
		return errors.New("aes_key is not the base64 of 32 bytes")
	}
	sum := sha256.Sum256([]byte(v["internal_service_key"]))
	if !strings.EqualFold(hex.EncodeToString(sum[:]), v["internal_service_key_hash"]) {
		return errors.New("internal_service_key_hash is not the SHA-256 of internal_service_key: fl-server will be refused by flip-api")
	}
	return nil
}

// Secret checks that the secret exists, is not scheduled for deletion, can be read with the
// caller's credentials, and is a JSON object with the expected keys. No value is ever reported.
func Secret(c SecretsAPI, spec SecretSpec) Check {
	return &Func{
		CheckName: "secret " + spec.Label,
		Fix: "your role needs secretsmanager:DescribeSecret and GetSecretValue on it, and kms:Decrypt on its KMS key; " +
			"the hub host's role needs the same",
		Fn: func(ctx context.Context) (string, error) {
			desc, err := c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(spec.ID)})
			if errorCode(err) == "ResourceNotFoundException" {
				return "", problem("run `hubctl up` for this stack: it creates the secret (and keeps existing values)", nil,
					"secret %s does not exist", spec.ID)
			}
			if err != nil {
				return "", fmt.Errorf("describe secret %s: %w", spec.ID, err)
			}
			if desc.DeletedDate != nil {
				return "", problem(fmt.Sprintf("restore it now: aws secretsmanager restore-secret --secret-id %s", spec.ID), nil,
					"secret %s is scheduled for deletion on %s", spec.ID, desc.DeletedDate.Format("2006-01-02"))
			}
			val, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(spec.ID)})
			if err != nil {
				return "", fmt.Errorf("read secret %s: %w", spec.ID, err)
			}
			if len(spec.Keys) == 0 {
				if aws.ToString(val.SecretString) == "" && len(val.SecretBinary) == 0 {
					return "", problem("put the value back (it is empty)", nil, "secret %s is empty", spec.ID)
				}
				return fmt.Sprintf("%s readable", spec.ID), nil
			}
			values, err := secretValues(val.SecretString, spec.Keys)
			if err != nil {
				return "", problem("the secret was overwritten by hand: restore its previous version "+
					"(aws secretsmanager list-secret-version-ids) or let `hubctl up` rewrite it", nil, "secret %s %s", spec.ID, err)
			}
			if spec.Validate != nil {
				if err := spec.Validate(values); err != nil {
					return "", problem("the secret was edited by hand: restore its previous version, then redeploy the hub host", nil,
						"secret %s: %s", spec.ID, err)
				}
			}
			detail := fmt.Sprintf("%s readable; holds %s", spec.ID, strings.Join(spec.Keys, ", "))
			if desc.LastChangedDate != nil {
				detail += "; last changed " + desc.LastChangedDate.UTC().Format("2006-01-02")
			}
			return detail, nil
		},
	}
}

// secretValues decodes the secret as a JSON object and returns the wanted keys. Errors never quote
// the secret: the decoder's message could.
func secretValues(s *string, keys []string) (map[string]string, error) {
	if s == nil {
		return nil, errors.New("holds binary data, not a JSON object")
	}
	var raw map[string]any
	if json.Unmarshal([]byte(*s), &raw) != nil {
		return nil, errors.New("is not a JSON object")
	}
	values := make(map[string]string, len(keys))
	var missing []string
	for _, k := range keys {
		v, ok := raw[k].(string)
		if !ok || v == "" {
			missing = append(missing, k)
			continue
		}
		values[k] = v
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("lacks non-empty string key(s) %s", strings.Join(missing, ", "))
	}
	return values, nil
}
