package flip

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
)

// trustCodeRE: upstream accepts any code that is non-empty after strip (flip-api's
// EmptyTrustCodeError, ICreateTrust.code min_length=1; examples GSTT, KCH, KCL, Trust_K8s), and
// its tooling derives the code from trust/.env.<CODE>.<env>, so a code must not hold '.', '/',
// whitespace or control characters. flip-hub also builds resource names, file names and EC2
// rule descriptions from it, so it takes the safe subset of what upstream accepts: letters
// (either case), digits, '_' and '-', 1 to 64 of them.
// [flip-api/src/flip_api/trusts_services/services/register_trust.py; flip-api/src/flip_api/domain/interfaces/trust.py;
// Makefile @00e1b6b add-k8s-trust]
var trustCodeRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// TrustCodeRule says what a valid trust code looks like, for error messages.
const TrustCodeRule = "1 to 64 letters, digits, _ or - (upstream codes such as GSTT, KCH or Trust_K8s); no '.', '/', spaces or control characters"

// ValidTrustCode reports whether code is a trust code upstream accepts and flip-hub can use
// everywhere it derives a name or path from it.
func ValidTrustCode(code string) bool { return trustCodeRE.MatchString(code) }

// KeyHash is how flip-api stores a key: the lower-case SHA-256 hex digest of its UTF-8 bytes
// (hashlib.sha256(key.encode()).hexdigest(), in trust.api_key_hash; the FLIP_API secret's
// internal_service_key_hash likewise). [flip-api/src/flip_api/scripts/register_trust.py]
func KeyHash(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}
