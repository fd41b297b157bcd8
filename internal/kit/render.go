package kit

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/londonaicentre/flip-hub/internal/flip"
)

// Render merges the trust and hub values into existing (the current kit file, or nil) and returns
// the new file. The rules, which make a second render of its own output byte-identical:
//
//   - The file is split at the first Sentinel line. Everything from the sentinel down is the
//     managed section, rewritten from h in a fixed order.
//   - Every assignment of a managed key (the five per-trust keys and the ten hub keys, with or
//     without "export") is owned by Render wherever it appears: it is removed from its place and
//     the canonical per-trust block is written directly above the sentinel, preceded by one blank
//     line. An operator's assignment of a hub key above the sentinel was always overridden by the
//     managed section below it, so it is dropped rather than left to mislead. Removed lines are not
//     commented out: that would keep an old key in the file.
//   - Every other line above the sentinel — comments, blank lines, unknown keys, malformed lines,
//     multi-line quoted values, CRLF endings — is kept byte for byte and in order, except that
//     trailing blank lines before the per-trust block are collapsed into the one separator.
//   - A non-blank line found below the sentinel that is not a managed assignment was put there by
//     hand; it is moved, verbatim, to the end of the operator lines rather than lost. Blank lines
//     and repeated sentinels below the first are dropped.
//   - An empty t.APIKey or t.InternalServiceKey keeps the value currently in the file (the last
//     assignment wins, as in dotenv readers); with no value there either, Render fails with
//     ErrMissingValue naming the key.
//
// Errors name the key at fault and never contain a secret.
func Render(existing []byte, t Trust, h Hub) ([]byte, error) {
	if err := t.validate(); err != nil {
		return nil, err
	}
	hub, err := h.values()
	if err != nil {
		return nil, err
	}

	managed := map[string]bool{}
	for _, k := range trustKeys {
		managed[k] = true
	}
	for _, k := range hubKeys {
		managed[k] = true
	}

	var operator []entry
	var rescued []entry
	current := map[string]string{} // last value of each kept secret in the existing file
	below := false
	for _, e := range parse(existing, Sentinel, legacySentinel) {
		if keptSecrets[e.key] {
			current[e.key] = e.value
		}
		switch {
		case e.sentinel && !below:
			below = true
		case managed[e.key]:
			// owned by Render: dropped here, written below
		case below:
			if !e.blank() && !e.sentinel {
				rescued = append(rescued, e)
			}
		default:
			operator = append(operator, e)
		}
	}
	operator = append(trimBlankTail(operator), rescued...) // rescued entries are never blank

	apiKey, err := secretValue("TRUST_API_KEY", t.APIKey, current)
	if err != nil {
		return nil, err
	}
	internalKey, err := secretValue("TRUST_INTERNAL_SERVICE_KEY", t.InternalServiceKey, current)
	if err != nil {
		return nil, err
	}
	trust := [][2]string{
		{"TRUST_API_KEY", apiKey},
		{"TRUST_INTERNAL_SERVICE_KEY", internalKey},
		{"EXPECTED_TRUST_ID", t.TrustID},
		{flip.EnvKitSlot, t.SlotName},
		{flip.EnvKitSlotNumber, strconv.Itoa(t.SlotNumber)},
	}

	var b strings.Builder
	for _, e := range operator {
		for _, l := range e.raw {
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	if len(operator) > 0 {
		b.WriteByte('\n')
	}
	if err := writeAssignments(&b, trust); err != nil {
		return nil, err
	}
	b.WriteByte('\n')
	b.WriteString(Sentinel)
	b.WriteByte('\n')
	if err := writeAssignments(&b, hub); err != nil {
		return nil, err
	}
	return []byte(b.String()), nil
}

// secretValue picks the value to write for a kept secret: the new one, or the file's current one,
// which must still be well formed.
func secretValue(key string, v Secret, current map[string]string) (string, error) {
	if v != "" {
		return string(v), nil
	}
	old, ok := current[key]
	if !ok || old == "" {
		return "", fmt.Errorf("%w: %s: not given and not in the existing kit file", ErrMissingValue, key)
	}
	if err := validateAPIKey(key, Secret(old)); err != nil {
		return "", fmt.Errorf("existing kit file: %w", err)
	}
	return old, nil
}

func writeAssignments(b *strings.Builder, kvs [][2]string) error {
	for _, kv := range kvs {
		q, err := quote(kv[1])
		if err != nil {
			return fmt.Errorf("%w: %s: %w", ErrInvalidValue, kv[0], err)
		}
		b.WriteString(kv[0])
		b.WriteByte('=')
		b.WriteString(q)
		b.WriteByte('\n')
	}
	return nil
}

// trimBlankTail drops trailing blank lines.
func trimBlankTail(es []entry) []entry {
	for len(es) > 0 && es[len(es)-1].blank() {
		es = es[:len(es)-1]
	}
	return es
}
