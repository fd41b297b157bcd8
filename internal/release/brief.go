package release

import (
	"errors"
	"fmt"
	"strings"
)

// engineError is a failed engine operation, said once: the operation, how the CLI ended and the
// engine's own error diagnostics. The Automation API's error also carries the whole stdout and
// stderr of the run, which the operator has already seen as progress; printing it again would
// show a failed 200-resource up twice. The original stays reachable through Unwrap, so
// classification (a concurrent update, a plan refusal) still reads it.
type engineError struct {
	msg string
	err error
}

func (e *engineError) Error() string { return e.msg }
func (e *engineError) Unwrap() error { return e.err }

// stderrLines is how many of the CLI's last stderr lines a failure without diagnostics keeps.
const stderrLines = 5

// brief wraps err, the error of operation op ("up stag"), as an engineError when it is the
// Automation API's error for a CLI run (its text holds "code:", "stdout:" and "stderr:"
// sections around the CLI's own error); any other error is wrapped as it is.
func brief(op string, err error, diags []Diagnostic) error {
	if err == nil {
		return nil
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		full, inner := e.Error(), errors.Unwrap(e)
		if inner == nil || !strings.Contains(full, "\ncode: ") || !strings.Contains(full, "\nstdout: ") {
			continue
		}
		var b strings.Builder
		fmt.Fprintf(&b, "%s: %s", op, inner.Error())
		if len(diags) > 0 {
			for _, d := range diags {
				fmt.Fprintf(&b, "\n  %s: %s", d.URN, strings.TrimSpace(d.Message))
			}
		} else if _, stderr, ok := strings.Cut(full, "\nstderr: "); ok {
			for _, l := range lastLines(stderr, stderrLines) {
				b.WriteString("\n  " + l)
			}
		}
		return &engineError{msg: b.String(), err: err}
	}
	return fmt.Errorf("%s: %w", op, err)
}

// lastLines are the last n non-blank lines of s, trimmed.
func lastLines(s string, n int) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	if len(out) > n {
		out = out[len(out)-n:]
	}
	return out
}

// fullText is every level of err's chain, for matching the engine's wording however err is
// wrapped.
func fullText(err error) string {
	var b strings.Builder
	for e := err; e != nil; e = errors.Unwrap(e) {
		b.WriteString(e.Error())
		b.WriteByte('\n')
	}
	return b.String()
}
