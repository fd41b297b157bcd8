package kit

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// EnvFileName is the hub env file of an environment word: ".env.stag" or ".env.production".
func EnvFileName(env string) (string, error) {
	if env != Staging && env != Production {
		return "", fmt.Errorf("%w: %q; want %s or %s", ErrInvalidEnv, env, Staging, Production)
	}
	return ".env." + env, nil
}

// RenderManaged merges managed key/value pairs into an existing dotenv file: every line that
// does not assign a managed key is kept as it is, above the Sentinel; assignments of managed
// keys are removed wherever they stand; the managed pairs are written below the Sentinel in
// the order given. Lines an operator left below the Sentinel are moved up, never lost.
// Errors name the key at fault and never contain a value.
func RenderManaged(existing []byte, managed [][2]string) ([]byte, error) {
	owned := map[string]bool{}
	for _, kv := range managed {
		if !isKey(kv[0]) {
			return nil, fmt.Errorf("%w: %q is not a dotenv key", ErrInvalidValue, kv[0])
		}
		owned[kv[0]] = true
	}
	var operator, rescued []entry
	below := false
	for _, e := range parse(existing, EnvSentinel) {
		switch {
		case e.sentinel && !below:
			below = true
		case owned[e.key]:
		case below:
			if !e.blank() && !e.sentinel {
				rescued = append(rescued, e)
			}
		default:
			operator = append(operator, e)
		}
	}
	operator = append(trimBlankTail(operator), rescued...)
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
	b.WriteString(EnvSentinel)
	b.WriteByte('\n')
	if err := writeAssignments(&b, managed); err != nil {
		return nil, err
	}
	return []byte(b.String()), nil
}

// WriteManaged merges managed pairs into the dotenv file at path (created when absent) as
// RenderManaged describes, atomically and with mode 0600, and reports whether it changed.
func WriteManaged(path string, managed [][2]string) (bool, error) {
	existing, mode, exists, err := readKit(path)
	if err != nil {
		return false, err
	}
	out, err := RenderManaged(existing, managed)
	if err != nil {
		return false, fmt.Errorf("env file %s: %w", path, err)
	}
	if exists && bytes.Equal(existing, out) {
		if mode != FileMode {
			if err := os.Chmod(path, FileMode); err != nil {
				return false, fmt.Errorf("env file %s: set mode 0600: %w", path, err)
			}
		}
		return false, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return false, fmt.Errorf("env file %s: %w", path, err)
	}
	if err := WriteAtomic(path, out); err != nil {
		return false, fmt.Errorf("env file %s: %w", path, err)
	}
	return true, nil
}

func isKey(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		if !isKeyByte(k[i], i == 0) {
			return false
		}
	}
	return true
}
