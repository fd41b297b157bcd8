package trusts

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
)

// KeyBytes is the entropy of each trust key: 32 random bytes, 256 bits.
const KeyBytes = 32

// URLSafeKey re-encodes random bytes given as standard base64 (RandomBytes.Base64) as unpadded
// base64url: 43 characters of A-Z a-z 0-9 - _, which travel in an HTTP header and a dotenv line
// without quoting. Fewer than KeyBytes bytes is an error; the key is never echoed.
func URLSafeKey(stdBase64 string) (string, error) {
	raw, err := base64.StdEncoding.DecodeString(stdBase64)
	if err != nil {
		return "", fmt.Errorf("trust key: random bytes are not base64 (%d characters)", len(stdBase64))
	}
	if len(raw) < KeyBytes {
		return "", fmt.Errorf("trust key: %d random bytes; want at least %d", len(raw), KeyBytes)
	}
	return base64.RawURLEncoding.EncodeToString(raw), nil
}

// KeyHash is the lower-case SHA-256 hex digest of a key: what the hub stores in trust.api_key_hash
// and compares a presented key against.
func KeyHash(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}
