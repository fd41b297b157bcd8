package config

import (
	"fmt"
	"strings"
)

// Error is one rejected config value: the key (e.g. "flip-hub:network.cidr") and what
// is wrong with it, including what a valid value looks like. It never quotes a secret.
type Error struct {
	Key     string
	Problem string
}

func (e *Error) Error() string { return e.Key + ": " + e.Problem }

// Errors is every problem found in a stack's config, in key order of discovery.
type Errors []*Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	if len(lines) == 1 {
		return "invalid stack config: " + lines[0]
	}
	return fmt.Sprintf("invalid stack config (%d problems):\n  %s", len(lines), strings.Join(lines, "\n  "))
}

// Keys lists the keys named by the errors.
func (es Errors) Keys() []string {
	keys := make([]string, len(es))
	for i, e := range es {
		keys[i] = e.Key
	}
	return keys
}

// problems collects errors while a config is checked.
type problems struct{ errs Errors }

func (p *problems) add(key, format string, args ...any) {
	p.errs = append(p.errs, &Error{Key: key, Problem: fmt.Sprintf(format, args...)})
}

func (p *problems) err() error {
	if len(p.errs) == 0 {
		return nil
	}
	return p.errs
}
