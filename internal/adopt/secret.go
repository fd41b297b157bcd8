package adopt

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/londonaicentre/flip-hub/config"
	"github.com/londonaicentre/flip-hub/internal/flip"
)

// The JSON keys of the FLIP_API secret string. Upstream writes them in module "flip_api_secret"
// (secret_string = jsonencode({aes_key, internal_service_key_hash, internal_service_key}))
// [deploy/providers/AWS/main.tf @65f052b]; flip-api reads aes_key [flip-api/src/flip_api/utils/
// encryption.py @3dee6bc, _shared_key: get_secret("aes_key")] and internal_service_key_hash
// [flip-api/src/flip_api/auth/access_manager.py @3ba224e, _get_internal_service_key_hash:
// get_secret("internal_service_key_hash")]; fl-server gets internal_service_key as
// INTERNAL_SERVICE_KEY (ECS task secret valueFrom "<secret>:internal_service_key::"). Older secrets carry aes_key and the hash but no plaintext
// internal_service_key (main.tf of the G1 era: aes_key, trust_api_key_hashes,
// internal_service_key_hash). flip-hub writes the same three keys (data.FlipAPIPayload).
const (
	secretAESKey                 = "aes_key"
	secretInternalServiceKey     = "internal_service_key"
	secretInternalServiceKeyHash = "internal_service_key_hash"
)

// redacted replaces every secret value wherever Findings are printed or encoded.
const redacted = "[redacted]"

// SecretValues maps a flip-hub secret config key (config.KeyFlipAPIAESKey,
// config.KeyFlipAPIInternalServiceKey) to the value found in the state. Read the values with an
// index expression and hand them to `pulumi config set --secret`; every fmt verb and JSON
// encoding prints the keys only.
type SecretValues map[string]string

// Format prints the keys with their values redacted, whatever the verb.
func (s SecretValues) Format(f fmt.State, _ rune) {
	parts := make([]string, 0, len(s))
	for _, k := range s.Keys() {
		parts = append(parts, k+":"+redacted)
	}
	fmt.Fprintf(f, "map[%s]", strings.Join(parts, " "))
}

// MarshalJSON encodes the keys with their values redacted.
func (s SecretValues) MarshalJSON() ([]byte, error) {
	out := make(map[string]string, len(s))
	for k := range s {
		out[k] = redacted
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("secret values: %w", err)
	}
	return b, nil
}

// Keys returns the config keys that have a value, sorted.
func (s SecretValues) Keys() []string {
	keys := make([]string, 0, len(s))
	for k := range s {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// ParseFlipAPISecret reads flip-hub's two FLIP_API values from a secret string (the JSON object
// flip-hub and upstream write). It wants both: an up that adopts the secret without its AES key
// would mint a new one, which no trust's kit carries. Errors never include a value.
func ParseFlipAPISecret(raw string) (SecretValues, error) {
	var payload map[string]any
	if err := json.Unmarshal([]byte(raw), &payload); err != nil {
		return nil, fmt.Errorf("the secret string is not a JSON object (value not shown)")
	}
	str := func(k string) string { v, _ := payload[k].(string); return v }
	aes, isk := str(secretAESKey), str(secretInternalServiceKey)
	if aes == "" || isk == "" {
		return nil, fmt.Errorf("the secret lacks %s or %s: set %s and %s by hand (pulumi config set --secret)",
			secretAESKey, secretInternalServiceKey, config.KeyFlipAPIAESKey, config.KeyFlipAPIInternalServiceKey)
	}
	return SecretValues{config.KeyFlipAPIAESKey: aes, config.KeyFlipAPIInternalServiceKey: isk}, nil
}

// readSecretString takes flip-hub's two FLIP_API values out of a secret version's
// secret_string. Problems are described without any value.
func (fd *finder) readSecretString(in Instance) {
	raw, ok := in.Attributes["secret_string"].(string)
	if !ok || raw == "" {
		fd.warn("%s has no secret_string in the state (a binary or write-only secret?): set %s and %s by hand (pulumi config set --secret) from the FLIP_API secret",
			in.Address, config.KeyFlipAPIAESKey, config.KeyFlipAPIInternalServiceKey)
		return
	}
	var payload map[string]any
	if err := json.Unmarshal([]byte(raw), &payload); err != nil {
		fd.warn("%s: secret_string is not a JSON object (value not shown): set %s and %s by hand", in.Address, config.KeyFlipAPIAESKey, config.KeyFlipAPIInternalServiceKey)
		return
	}
	str := func(k string) string { v, _ := payload[k].(string); return v }
	aes, isk, hash := str(secretAESKey), str(secretInternalServiceKey), str(secretInternalServiceKeyHash)
	if aes == "" {
		fd.warn("%s: the secret has no %s: flip-hub would mint a new AES key, which no trust's kit carries; find the hub's AES_KEY_BASE64 and set %s (--secret)",
			in.Address, secretAESKey, config.KeyFlipAPIAESKey)
	} else {
		if b, err := base64.StdEncoding.DecodeString(aes); err != nil || len(b) != 32 {
			fd.warn("%s: %s is not the base64 of 32 bytes (value not shown); flip-hub's config will refuse it", in.Address, secretAESKey)
		}
		fd.f.Secrets[config.KeyFlipAPIAESKey] = aes
	}
	switch {
	case isk != "":
		if hash != "" && flip.KeyHash(isk) != hash {
			fd.warn("%s: %s does not hash to the secret's %s (values not shown): flip-api and fl-server disagree today; flip-hub writes the hash of the key", in.Address, secretInternalServiceKey, secretInternalServiceKeyHash)
		}
		fd.f.Secrets[config.KeyFlipAPIInternalServiceKey] = isk
	case hash != "":
		fd.step("The FLIP_API secret holds only the hash of the internal service key (an older layout). Set %s (pulumi config set --secret) to INTERNAL_SERVICE_KEY from the hub's env file: its SHA-256 must equal the secret's %s. A new key works too, since flip-hub deploys flip-api and fl-server together.",
			config.KeyFlipAPIInternalServiceKey, secretInternalServiceKeyHash)
	default:
		fd.step("The FLIP_API secret holds no internal service key: set %s (pulumi config set --secret) to a new URL-safe key of at least 43 characters before the first up.", config.KeyFlipAPIInternalServiceKey)
	}
}
