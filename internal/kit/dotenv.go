package kit

import (
	"errors"
	"slices"
	"strings"
	"unicode"
)

// entry is one logical line of a dotenv file: one physical line, or several when a quoted value
// spans lines (so a continuation line is never mistaken for an assignment).
type entry struct {
	raw      []string // the physical lines, verbatim, without their '\n'
	key      string   // the assigned key; empty for comments, blank lines and anything else
	value    string   // the parsed value of an assignment
	sentinel bool     // the line is Sentinel
}

// blank reports a line holding only white space.
func (e entry) blank() bool {
	return e.key == "" && !e.sentinel && len(e.raw) == 1 && strings.TrimSpace(e.raw[0]) == ""
}

// maxContinuation bounds how far a quoted value may run across lines before the opening quote is
// taken as unterminated (and the line kept as a single opaque line).
const maxContinuation = 200

// parse splits a dotenv file into entries. It never fails: anything it does not understand becomes
// an opaque entry that is kept verbatim.
func parse(data []byte, sentinels ...string) []entry {
	if len(data) == 0 {
		return nil
	}
	lines := strings.Split(string(data), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	var out []entry
	for i := 0; i < len(lines); {
		logical := strings.TrimSuffix(lines[i], "\r")
		if i == 0 {
			logical = strings.TrimPrefix(logical, "\ufeff")
		}
		if slices.Contains(sentinels, strings.TrimSpace(logical)) {
			out = append(out, entry{raw: lines[i : i+1], sentinel: true})
			i++
			continue
		}
		key, rest, ok := splitAssignment(logical)
		if !ok {
			out = append(out, entry{raw: lines[i : i+1]})
			i++
			continue
		}
		value, extra := parseValue(rest, lines[i+1:])
		out = append(out, entry{raw: lines[i : i+1+extra], key: key, value: value})
		i += 1 + extra
	}
	return out
}

// splitAssignment recognises `[export ]KEY=rest`, allowing blanks around the '='.
func splitAssignment(s string) (key, rest string, ok bool) {
	s = strings.TrimLeft(s, " \t")
	if after, found := strings.CutPrefix(s, "export"); found && len(after) > 0 && (after[0] == ' ' || after[0] == '\t') {
		s = strings.TrimLeft(after, " \t")
	}
	n := 0
	for n < len(s) && isKeyByte(s[n], n == 0) {
		n++
	}
	if n == 0 {
		return "", "", false
	}
	rest = strings.TrimLeft(s[n:], " \t")
	if !strings.HasPrefix(rest, "=") {
		return "", "", false
	}
	return s[:n], strings.TrimLeft(rest[1:], " \t"), true
}

func isKeyByte(c byte, first bool) bool {
	switch {
	case c == '_', c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
		return true
	case c >= '0' && c <= '9':
		return !first
	}
	return false
}

// parseValue parses the value after '=' and reports how many following physical lines a quoted
// value consumed. Single quotes are literal; double quotes honour \\ \" \n \r \t \$ escapes;
// unquoted values end at " #" and are trimmed.
func parseValue(rest string, following []string) (string, int) {
	if rest == "" || (rest[0] != '\'' && rest[0] != '"') {
		if i := strings.Index(rest, " #"); i >= 0 {
			rest = rest[:i]
		}
		if i := strings.Index(rest, "\t#"); i >= 0 {
			rest = rest[:i]
		}
		return strings.TrimSpace(rest), 0
	}
	q := rest[0]
	body := rest[1:]
	if v, ok := scanQuoted(body, q); ok {
		return v, 0
	}
	for extra := 1; extra <= len(following) && extra <= maxContinuation; extra++ {
		parts := make([]string, 0, extra+1)
		parts = append(parts, body)
		for _, l := range following[:extra] {
			parts = append(parts, strings.TrimSuffix(l, "\r"))
		}
		if v, ok := scanQuoted(strings.Join(parts, "\n"), q); ok {
			return v, extra
		}
	}
	return strings.TrimSpace(rest), 0 // unterminated: keep the line as it is
}

// scanQuoted reads a quoted value up to its closing quote.
func scanQuoted(s string, q byte) (string, bool) {
	if q == '\'' {
		i := strings.IndexByte(s, '\'')
		if i < 0 {
			return "", false
		}
		return s[:i], true
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			return b.String(), true
		case c == '\\' && i+1 < len(s):
			i++
			switch s[i] {
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case '\\', '"', '$':
				b.WriteByte(s[i])
			default:
				b.WriteByte('\\')
				b.WriteByte(s[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", false
}

// errUnquotable reports a value no dotenv quoting represents the same way for every reader.
var errUnquotable = errors.New("value cannot be written safely in a dotenv file")

// quote encodes v for KEY=<here>. Values of letters, digits and _-.:/@+=, are written bare (so Make
// and shells read them too); others in single quotes, which every dotenv reader takes literally;
// values holding a single quote in double quotes with \ and " escaped. Control characters (a newline
// included), and a value with both a single quote and a $ (which double-quote readers disagree on),
// are refused. The error never contains v.
func quote(v string) (string, error) {
	for _, r := range v {
		if unicode.IsControl(r) {
			return "", errUnquotable
		}
	}
	if isBare(v) {
		return v, nil
	}
	if !strings.Contains(v, "'") {
		return "'" + v + "'", nil
	}
	if strings.Contains(v, "$") {
		return "", errUnquotable
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v) + `"`, nil
}

func isBare(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case strings.IndexByte("_-.:/@+=,", c) >= 0:
		default:
			return false
		}
	}
	return true
}
