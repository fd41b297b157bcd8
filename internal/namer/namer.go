package namer

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// hashLen is the number of hex characters of the hash that ends a shortened name.
const hashLen = 8

// Namer joins name parts under a fixed prefix with a separator.
type Namer struct {
	prefix []string
	sep    string
}

// New returns a Namer whose names start with the given parts, joined by "-".
func New(prefix ...string) Namer {
	return Namer{prefix: clean(prefix), sep: "-"}
}

// WithSeparator returns a copy of n that joins parts with sep (e.g. "_" for RDS parameter names).
func (n Namer) WithSeparator(sep string) Namer {
	n.sep = sep
	return n
}

// With returns a Namer whose prefix is extended by parts.
func (n Namer) With(parts ...string) Namer {
	p := make([]string, 0, len(n.prefix)+len(parts))
	p = append(p, n.prefix...)
	p = append(p, clean(parts)...)
	return Namer{prefix: p, sep: n.sep}
}

// Name returns the prefix and parts joined, with no length bound.
func (n Namer) Name(parts ...string) string {
	all := append(append([]string{}, n.prefix...), clean(parts)...)
	return strings.Join(all, n.sep)
}

// Bounded returns Name(parts...) when it fits in max characters; otherwise it keeps the
// head of the name and replaces the tail with the separator and an 8-hex-character hash
// of the full name, so distinct long names stay distinct and the result is stable.
func (n Namer) Bounded(max int, parts ...string) string {
	full := n.Name(parts...)
	if len(full) <= max {
		return full
	}
	sum := sha256.Sum256([]byte(full))
	h := hex.EncodeToString(sum[:])[:hashLen]
	keep := max - hashLen - len(n.sep)
	if keep <= 0 {
		return h[:min(max, hashLen)]
	}
	head := strings.TrimRight(full[:keep], n.sep)
	return head + n.sep + h
}

func clean(parts []string) []string {
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		if p = strings.ToLower(strings.TrimSpace(p)); p != "" {
			out = append(out, p)
		}
	}
	return out
}
