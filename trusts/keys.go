package trusts

import (
	"encoding/base64"
	"fmt"
)

// KeyBytes is the entropy of each trust key: 32 random bytes, 256 bits.
const KeyBytes = 32

// KeysResourceBytes is the length of the one RandomBytes each trust has: its API key and its
// internal service key, KeyBytes each. One resource rather than two halves a trust's random state
// and steps; the keys share their only keeper (the rotation counter) anyway.
const KeysResourceBytes = 2 * KeyBytes

// SplitKeys re-encodes a trust's random bytes, given as standard base64 (RandomBytes.Base64), as
// its two keys: the first KeyBytes bytes are the API key, the next KeyBytes the internal service
// key, each unpadded base64url (43 characters of A-Z a-z 0-9 - _), which travel in an HTTP header
// and a dotenv line without quoting. Fewer than KeysResourceBytes bytes is an error; no key is
// ever echoed.
func SplitKeys(stdBase64 string) (apiKey, serviceKey string, err error) {
	raw, err := base64.StdEncoding.DecodeString(stdBase64)
	if err != nil {
		return "", "", fmt.Errorf("trust keys: random bytes are not base64 (%d characters)", len(stdBase64))
	}
	if len(raw) < KeysResourceBytes {
		return "", "", fmt.Errorf("trust keys: %d random bytes; want at least %d", len(raw), KeysResourceBytes)
	}
	return base64.RawURLEncoding.EncodeToString(raw[:KeyBytes]), base64.RawURLEncoding.EncodeToString(raw[KeyBytes:KeysResourceBytes]), nil
}
