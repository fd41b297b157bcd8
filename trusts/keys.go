package trusts

import (
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
)

// KeyBytes is the entropy of each trust key: 32 bytes, 256 bits.
const KeyBytes = 32

// SeedBytes is the length of the trusts' key seed: the one RandomBytes every trust key is
// derived from.
const SeedBytes = 32

// KeySeedResourceName is the name of the trusts' key seed (a RandomBytes of SeedBytes).
const KeySeedResourceName = "trust-key-seed"

// keyInfo is the HKDF info that binds a derivation to one trust and one rotation. Trust codes
// hold only letters, digits, '_' and '-' (flip.ValidTrustCode), so "/" separates unambiguously.
func keyInfo(code string, rotation int) string {
	return "flip-hub/trust-keys/v1/" + code + "/" + strconv.Itoa(rotation)
}

// DeriveKeys derives trust code's two keys for its rotation from the trusts' key seed, given as
// standard base64 (RandomBytes.Base64): HKDF-SHA256 (RFC 5869) with no salt (the seed is uniformly
// random) and keyInfo, 2×KeyBytes of output. The first KeyBytes are the API key, the next the
// internal service key, each unpadded base64url (43 characters of A-Z a-z 0-9 - _), which travel
// in an HTTP header and a dotenv line without quoting.
//
// Each trust's keys are independent of every other trust's (and of its own earlier rotations):
// knowing them reveals neither the seed nor another output of it. One seed instead of a
// RandomBytes per trust takes a resource and a step per trust out of every update. A seed
// shorter than SeedBytes, or not base64, is an error; no key or seed is ever echoed.
func DeriveKeys(seedStdBase64, code string, rotation int) (apiKey, serviceKey string, err error) {
	seed, err := base64.StdEncoding.DecodeString(seedStdBase64)
	if err != nil {
		return "", "", fmt.Errorf("trust keys: the seed is not base64 (%d characters)", len(seedStdBase64))
	}
	if len(seed) < SeedBytes {
		return "", "", fmt.Errorf("trust keys: %d seed bytes; want at least %d", len(seed), SeedBytes)
	}
	if rotation < 0 {
		return "", "", fmt.Errorf("trust keys: rotation %d is negative", rotation)
	}
	okm, err := hkdf.Key(sha256.New, seed, nil, keyInfo(code, rotation), 2*KeyBytes)
	if err != nil {
		return "", "", fmt.Errorf("trust keys: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(okm[:KeyBytes]), base64.RawURLEncoding.EncodeToString(okm[KeyBytes:]), nil
}
