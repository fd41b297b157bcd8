package registrar

import (
	"fmt"
	"regexp"
	"unicode"
	"unicode/utf8"

	"github.com/londonaicentre/flip-hub/internal/flip"
)

// uuidRE is a trust id as flip-api stores it.
var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// hashRE is a SHA-256 digest in lower-case hex.
var hashRE = regexp.MustCompile(`^[0-9a-f]{64}$`)

// maxTextLen bounds names and regions, in characters.
const maxTextLen = 255

// Trust is what Register records. The API key itself never reaches this package: only its SHA-256
// digest, which String, GoString and Format redact so that logging a Trust cannot leak it.
type Trust struct {
	Code       string // stable identity, e.g. "gstt"
	Name       string // display name, unique across trusts, stored verbatim
	Region     string // optional NHS region, e.g. "London"; empty is stored as NULL
	APIKeyHash string // lower-case hex SHA-256 of the trust API key
	// ID, when set, is the id a new trust row gets (a trust registered again after a schema reset
	// keeps its id, so its kit's EXPECTED_TRUST_ID stays true). Ignored for a known trust.
	ID string
	// Slot, when set, is the FL kit slot a new trust claims if it is free (its slot before a
	// reset); otherwise the lowest free slot is claimed.
	Slot string
}

// String describes t with the hash redacted.
func (t Trust) String() string {
	hash := "[unset]"
	if t.APIKeyHash != "" {
		hash = "[redacted]"
	}
	return fmt.Sprintf("registrar.Trust{Code:%q, Name:%q, Region:%q, APIKeyHash:%s}", t.Code, t.Name, t.Region, hash)
}

// GoString is String, so %#v redacts too.
func (t Trust) GoString() string { return t.String() }

// Format prints String for every verb, so no fmt verb (%v, %+v, %#v, %s, %q, %x) reveals the hash.
func (t Trust) Format(f fmt.State, _ rune) { _, _ = fmt.Fprint(f, t.String()) }

// ValidCode reports whether code is a well-formed trust code.
func ValidCode(code string) bool { return flip.ValidTrustCode(code) }

func validateCode(code string) error {
	if !ValidCode(code) {
		return fmt.Errorf("%w: %q: want %s", ErrInvalidCode, code, flip.TrustCodeRule)
	}
	return nil
}

func (t Trust) validate() error {
	if err := validateCode(t.Code); err != nil {
		return err
	}
	if t.Name == "" {
		return fmt.Errorf("%w: empty", ErrInvalidName)
	}
	if err := validateText(t.Name); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidName, err)
	}
	if err := validateText(t.Region); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidRegion, err)
	}
	if t.ID != "" && !uuidRE.MatchString(t.ID) {
		return fmt.Errorf("%w: %q: want a lower-case UUID", ErrInvalidID, t.ID)
	}
	if !hashRE.MatchString(t.APIKeyHash) {
		// The value is deliberately not echoed.
		return fmt.Errorf("%w: want the 64 lower-case hex characters of a sha-256 digest (got %d characters)",
			ErrInvalidHash, len(t.APIKeyHash))
	}
	return nil
}

// validateText accepts text PostgreSQL can store and an operator can read back unambiguously:
// valid UTF-8, no control characters (NUL cannot be stored at all), no leading or trailing space,
// at most maxTextLen characters. Quotes, semicolons and any other printable character are fine.
func validateText(s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("not valid utf-8")
	}
	if n := utf8.RuneCountInString(s); n > maxTextLen {
		return fmt.Errorf("%d characters, more than %d", n, maxTextLen)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return fmt.Errorf("contains control character %U", r)
		}
	}
	if s != "" {
		first, _ := utf8.DecodeRuneInString(s)
		last, _ := utf8.DecodeLastRuneInString(s)
		if unicode.IsSpace(first) || unicode.IsSpace(last) {
			return fmt.Errorf("%q has leading or trailing space", s)
		}
	}
	return nil
}
