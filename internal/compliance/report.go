package compliance

import (
	"fmt"
	"io"
	"strings"
)

// WriteText prints a report: a summary line, one line per rule (verdict, ID, sources),
// and under every rule that did not simply pass the resources concerned, with their
// problems and the reason of any exception or relaxation.
func WriteText(w io.Writer, rep Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "compliance (%s): %d rules: %d pass, %d fail, %d excepted, %d relaxed (stag only), %d not applicable\n",
		rep.Env, len(rep.Rules), rep.Count(Pass), rep.Count(Fail), rep.Count(Excepted), rep.Count(Relaxed), rep.Count(NotApplicable))
	for _, rr := range rep.Rules {
		fmt.Fprintf(&b, "  %-14s %-40s %s\n", rr.Verdict, rr.ID, strings.Join(rr.Sources, " "))
		for _, f := range rr.Findings {
			fmt.Fprintf(&b, "      %s %s %s: %s", f.Verdict, f.Type, f.Name, strings.Join(f.Problems, "; "))
			if f.Reason != "" {
				fmt.Fprintf(&b, " (%s)", f.Reason)
			}
			b.WriteString("\n")
		}
	}
	for _, e := range rep.UnusedExceptions {
		fmt.Fprintf(&b, "  unused exception: %s on %s %s\n", e.Rule, e.Type, e.Name)
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write compliance report: %w", err)
	}
	return nil
}
