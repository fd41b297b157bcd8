package kit

import (
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"unicode"
	"unicode/utf8"

	"github.com/londonaicentre/flip-hub/internal/flip"
)

// Sentinel introduces the hub-shared section of a trust kit: upstream's line, byte for byte, so
// upstream's own sync-trust-kit finds the section hubctl wrote (and hubctl finds upstream's).
// Everything below it is rewritten on every render.
const Sentinel = flip.KitSentinel

// EnvSentinel introduces the managed section of the hub's own env file (.env.stag,
// .env.production), which upstream's tooling does not write.
const EnvSentinel = "# --- managed by hubctl: do not edit below this line ---"

// legacySentinel is what hubctl wrote above the kit's hub-shared section before it used
// upstream's line; a kit that still has it is read as if it had Sentinel.
const legacySentinel = EnvSentinel

// Environments a kit can be written for.
const (
	Staging    = flip.KitEnvStag
	Production = flip.KitEnvProduction
)

// Default values.
const (
	DefaultTrustAPIKeyHeader = "Authorization"
	DefaultNVFLAREPort       = flip.NVFlarePort
	DefaultFlowerPort        = flip.FlowerFleetPort
)

// FL backends.
const (
	BackendNVFLARE = string(flip.NVFlare)
	BackendFlower  = string(flip.Flower)
)

// trustKeys are the per-trust keys, in file order: upstream's credentials, then its metadata.
var trustKeys = append(append([]string(nil), flip.CredentialKeys...), flip.MetadataKeys...)

// hubKeys are the hub-shared keys of the managed section, in upstream's order.
var hubKeys = flip.HubSharedKeys

// keptSecrets are the per-trust keys whose current value is kept when the Trust leaves them empty:
// the hub stores only a hash of the API key, so a later render (new image tag, say) cannot mint the
// same plaintext again.
var keptSecrets = map[string]bool{"TRUST_API_KEY": true, "TRUST_INTERNAL_SERVICE_KEY": true}

// Errors; test with errors.Is. Messages name the key at fault, never a secret value.
var (
	ErrInvalidCode  = errors.New("invalid trust code")
	ErrInvalidEnv   = errors.New("invalid kit environment")
	ErrInvalidValue = errors.New("invalid kit value")
	// ErrMissingValue: a key has no value to write: a secret left empty in Trust that the existing
	// file does not hold either.
	ErrMissingValue = errors.New("missing kit value")
	// ErrNotRegular: the kit path exists but is not a regular file (a symlink or a directory).
	ErrNotRegular = errors.New("kit path is not a regular file")
)

// Trust holds the per-trust values. APIKey and InternalServiceKey may be left empty to keep the
// values already in the file (an error if there are none); the other fields are always required.
//
// They fill the per-trust block written just above the Sentinel: TRUST_API_KEY,
// TRUST_INTERNAL_SERVICE_KEY, EXPECTED_TRUST_ID, FL_KIT_SLOT and FL_KIT_SLOT_NUMBER.
type Trust struct {
	APIKey             Secret // TRUST_API_KEY: the plaintext trust API key
	InternalServiceKey Secret // TRUST_INTERNAL_SERVICE_KEY
	TrustID            string // EXPECTED_TRUST_ID: the trust's UUID in the hub database
	SlotName           string // FL_KIT_SLOT: the FL kit slot the hub assigned, e.g. "Trust_3"
	SlotNumber         int    // FL_KIT_SLOT_NUMBER
}

// Hub holds the hub-shared values of the managed section.
type Hub struct {
	AESKeyBase64      Secret // AES_KEY_BASE64: base64 of the hub's 32-byte AES key
	Domain            string // CENTRAL_HUB_API_URL is https://<Domain>/api, NLB_SUBDOMAIN is fl.<Domain>
	KitDate           string // the FL kit release: FLARE_KIT_DATE (nvflare) or FLOWER_KIT_DATE (flower)
	TrustAPIKeyHeader string // TRUST_API_KEY_HEADER; empty means Authorization
	FLBackend         string // FL_BACKEND: nvflare or flower
	DockerTag         string // DOCKER_TAG, e.g. sha-1a2b3c4
	DockerRegistry    string // DOCKER_REGISTRY, e.g. ghcr.io/londonaicentre
	DockerFLTag       string // DOCKER_FL_TAG
	DockerFLRegistry  string // DOCKER_FL_REGISTRY
	FLServerPort      int    // FL_SERVER_PORT; 0 means 8002 for nvflare, 9092 for flower
}

var (
	uuidRE     = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	urlSafeRE  = regexp.MustCompile(`^[A-Za-z0-9_-]{32,512}$`)
	labelRE    = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	tagRE      = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
	registryRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._:/-]{0,254}$`)
	headerRE   = regexp.MustCompile("^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$")
)

// ValidCode reports whether code is a trust code (the contract's rule), which also keeps the kit
// file name inside its directory.
func ValidCode(code string) bool { return flip.ValidTrustCode(code) }

func validateCode(code string) error {
	if !ValidCode(code) {
		return fmt.Errorf("%w: %q: want %s", ErrInvalidCode, code, flip.TrustCodeRule)
	}
	return nil
}

func validateEnv(env string) error {
	if env != Staging && env != Production {
		return fmt.Errorf("%w: %q: want %q or %q", ErrInvalidEnv, env, Staging, Production)
	}
	return nil
}

// invalid builds an ErrInvalidValue error naming key; reason must not contain a secret.
func invalid(key, reason string) error {
	return fmt.Errorf("%w: %s: %s", ErrInvalidValue, key, reason)
}

// validateAPIKey checks a URL-safe random key without echoing it.
func validateAPIKey(key string, v Secret) error {
	if !urlSafeRE.MatchString(string(v)) {
		return invalid(key, fmt.Sprintf("want 32-512 URL-safe base64 characters (A-Z a-z 0-9 - _), got %d characters", len(v)))
	}
	return nil
}

func validateAESKey(v Secret) error {
	raw, err := base64.StdEncoding.Strict().DecodeString(string(v))
	if err != nil {
		return invalid("AES_KEY_BASE64", "not standard padded base64")
	}
	if len(raw) != 32 {
		return invalid("AES_KEY_BASE64", fmt.Sprintf("decodes to %d bytes, want 32", len(raw)))
	}
	return nil
}

// validateDomain accepts a lower-case DNS name of at least two labels.
func validateDomain(d string) error {
	if len(d) > 253 {
		return invalid("Domain", "longer than 253 characters")
	}
	labels := 0
	start := 0
	for i := 0; i <= len(d); i++ {
		if i == len(d) || d[i] == '.' {
			if !labelRE.MatchString(d[start:i]) {
				return invalid("Domain", fmt.Sprintf("%q is not a lower-case DNS name such as flip.example.nhs.uk", d))
			}
			labels++
			start = i + 1
		}
	}
	if labels < 2 {
		return invalid("Domain", fmt.Sprintf("%q is not a lower-case DNS name such as flip.example.nhs.uk", d))
	}
	return nil
}

// validatePrintable accepts non-empty text without control characters.
func validatePrintable(key, v string) error {
	if v == "" {
		return fmt.Errorf("%w: %s", ErrMissingValue, key)
	}
	if !utf8.ValidString(v) {
		return invalid(key, "not valid utf-8")
	}
	for _, r := range v {
		if unicode.IsControl(r) {
			return invalid(key, fmt.Sprintf("contains control character %U", r))
		}
	}
	return nil
}

// validate checks the trust fields; empty secrets are checked later, against the file.
func (t Trust) validate() error {
	if t.APIKey != "" {
		if err := validateAPIKey("TRUST_API_KEY", t.APIKey); err != nil {
			return err
		}
	}
	if t.InternalServiceKey != "" {
		if err := validateAPIKey("TRUST_INTERNAL_SERVICE_KEY", t.InternalServiceKey); err != nil {
			return err
		}
	}
	if !uuidRE.MatchString(t.TrustID) {
		return invalid("EXPECTED_TRUST_ID", fmt.Sprintf("%q is not a lower-case UUID", t.TrustID))
	}
	if err := validatePrintable(flip.EnvKitSlot, t.SlotName); err != nil {
		return err
	}
	if t.SlotNumber < 0 {
		return invalid(flip.EnvKitSlotNumber, fmt.Sprintf("%d is negative", t.SlotNumber))
	}
	return nil
}

// values returns the hub section's key/value pairs after validating h and applying defaults.
func (h Hub) values() ([][2]string, error) {
	if h.AESKeyBase64 == "" {
		return nil, fmt.Errorf("%w: AES_KEY_BASE64", ErrMissingValue)
	}
	if err := validateAESKey(h.AESKeyBase64); err != nil {
		return nil, err
	}
	if err := validateDomain(h.Domain); err != nil {
		return nil, err
	}
	header := h.TrustAPIKeyHeader
	if header == "" {
		header = DefaultTrustAPIKeyHeader
	}
	if !headerRE.MatchString(header) {
		return nil, invalid("TRUST_API_KEY_HEADER", fmt.Sprintf("%q is not an HTTP header name", header))
	}
	port := h.FLServerPort
	switch h.FLBackend {
	case BackendNVFLARE:
		if port == 0 {
			port = DefaultNVFLAREPort
		}
	case BackendFlower:
		if port == 0 {
			port = DefaultFlowerPort
		}
	default:
		return nil, invalid(flip.EnvFLBackend, fmt.Sprintf("%q: want %q or %q", h.FLBackend, BackendNVFLARE, BackendFlower))
	}
	if port < 1 || port > 65535 {
		return nil, invalid("FL_SERVER_PORT", fmt.Sprintf("%d is not a TCP port", port))
	}
	for _, c := range []struct{ key, v string }{{"DOCKER_TAG", h.DockerTag}, {"DOCKER_FL_TAG", h.DockerFLTag}} {
		if !tagRE.MatchString(c.v) {
			return nil, invalid(c.key, fmt.Sprintf("%q is not a container image tag", c.v))
		}
	}
	for _, c := range []struct{ key, v string }{{"DOCKER_REGISTRY", h.DockerRegistry}, {"DOCKER_FL_REGISTRY", h.DockerFLRegistry}} {
		if !registryRE.MatchString(c.v) {
			return nil, invalid(c.key, fmt.Sprintf("%q is not a lower-case registry path such as ghcr.io/londonaicentre/", c.v))
		}
	}
	if err := validatePrintable("KIT_DATE", h.KitDate); err != nil {
		return nil, err
	}
	dates := map[string]string{BackendNVFLARE: flip.EnvFlareKitDate, BackendFlower: flip.EnvFlowerKitDate}
	vals := map[string]string{
		"AES_KEY_BASE64":       string(h.AESKeyBase64),
		"CENTRAL_HUB_API_URL":  "https://" + h.Domain + "/api",
		"TRUST_API_KEY_HEADER": header,
		flip.EnvFLBackend:      h.FLBackend,
		flip.EnvFlareKitDate:   "",
		flip.EnvFlowerKitDate:  "",
		"DOCKER_TAG":           h.DockerTag,
		"DOCKER_REGISTRY":      h.DockerRegistry,
		"DOCKER_FL_TAG":        h.DockerFLTag,
		"DOCKER_FL_REGISTRY":   h.DockerFLRegistry,
		"NLB_SUBDOMAIN":        flip.FLHost(h.Domain),
		"FL_SERVER_PORT":       strconv.Itoa(port),
	}
	// The backend in use names its kit release; the other backend's key stays, empty.
	vals[dates[h.FLBackend]] = h.KitDate
	out := make([][2]string, 0, len(hubKeys))
	for _, key := range hubKeys {
		v, ok := vals[key]
		if !ok {
			return nil, fmt.Errorf("kit: no value for hub-shared key %s", key)
		}
		out = append(out, [2]string{key, v})
	}
	return out, nil
}
