package kit

import (
	"fmt"
	"log/slog"
)

// Secret is a string that never prints: String, GoString, every fmt verb, slog and
// encoding.TextMarshaler-based encoders (JSON, YAML) all show "[redacted]" (or "[unset]" when it is
// empty). Convert it with string(s) only where the value is really needed.
type Secret string

// redacted is what a Secret looks like in any output.
func (s Secret) redacted() string {
	if s == "" {
		return "[unset]"
	}
	return "[redacted]"
}

// String implements fmt.Stringer.
func (s Secret) String() string { return s.redacted() }

// GoString implements fmt.GoStringer, for %#v.
func (s Secret) GoString() string { return s.redacted() }

// Format implements fmt.Formatter, so %x, %q and %d redact too.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = fmt.Fprint(f, s.redacted()) }

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.redacted()) }

// MarshalText implements encoding.TextMarshaler, which encoding/json and yaml use.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.redacted()), nil }

// String describes the trust values with the keys redacted.
func (t Trust) String() string {
	return fmt.Sprintf("kit.Trust{APIKey:%s, InternalServiceKey:%s, TrustID:%q, SlotName:%q, SlotNumber:%d}",
		t.APIKey.redacted(), t.InternalServiceKey.redacted(), t.TrustID, t.SlotName, t.SlotNumber)
}

// GoString is String, for %#v.
func (t Trust) GoString() string { return t.String() }

// Format prints String for every verb.
func (t Trust) Format(f fmt.State, _ rune) { _, _ = fmt.Fprint(f, t.String()) }

// LogValue implements slog.LogValuer.
func (t Trust) LogValue() slog.Value { return slog.StringValue(t.String()) }

// String describes the hub values with the AES key redacted.
func (h Hub) String() string {
	return fmt.Sprintf("kit.Hub{AESKeyBase64:%s, Domain:%q, TrustAPIKeyHeader:%q, FLBackend:%q, DockerTag:%q, "+
		"DockerRegistry:%q, DockerFLTag:%q, DockerFLRegistry:%q, FLServerPort:%d}",
		h.AESKeyBase64.redacted(), h.Domain, h.TrustAPIKeyHeader, h.FLBackend, h.DockerTag,
		h.DockerRegistry, h.DockerFLTag, h.DockerFLRegistry, h.FLServerPort)
}

// GoString is String, for %#v.
func (h Hub) GoString() string { return h.String() }

// Format prints String for every verb.
func (h Hub) Format(f fmt.State, _ rune) { _, _ = fmt.Fprint(f, h.String()) }

// LogValue implements slog.LogValuer.
func (h Hub) LogValue() slog.Value { return slog.StringValue(h.String()) }
