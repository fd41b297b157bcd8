package adopt

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/londonaicentre/flip-hub/config"
	"github.com/londonaicentre/flip-hub/internal/deploy"
)

// String is the report (WriteReport). It holds no secret value.
func (f Findings) String() string {
	var b strings.Builder
	_ = f.WriteReport(&b) // a strings.Builder does not fail
	return b.String()
}

// WriteReport writes the operator's report: a table of every upstream resource and what becomes
// of it, the config written, the secrets to set (names only), warnings, the `terraform state rm`
// lines that end Terraform's ownership of what flip-hub adopts, and the steps left by hand.
func (f Findings) WriteReport(w io.Writer) error {
	ew := &errWriter{w: w}
	ew.printf("Adopting a Terraform-managed FLIP hub: state serial %d (Terraform %s), %s layout.\n\n", f.Serial, orDash(f.TerraformVersion), f.Layout)

	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "UPSTREAM ADDRESS\tACTION\tFLIP-HUB\tNOTE")
	for _, r := range f.Rows {
		note := r.Note
		if r.ID != "" && (r.Action == KeepOutside) {
			note = "[" + r.ID + "] " + note
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Address, r.Action, r.flipHub(), note)
	}
	_ = tw.Flush() // a failed write is kept in ew.err
	if f.Other > 0 {
		ew.printf("\n%d other managed resources of the state (network, database, compute, ...) are not adopted: flip-hub builds its own, and they stay with Terraform.\n", f.Other)
	}

	ew.printf("\nConfig written to the stack file:\n")
	keys := make([]string, 0, len(f.Imports))
	for k := range f.Imports {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		ew.printf("  %s.%s = %s\n", config.KeyImports, k, f.Imports[k])
	}
	for _, s := range f.Settings {
		ew.printf("  %s = %s  (from %s)\n", s.Key, settingText(s.Value), s.From)
	}
	for _, t := range f.Trusts {
		ew.printf("  %s += code %s, name %q, region %q  (from the registry; egressCidrs to fill in)\n", config.KeyTrusts, t.Code, t.Name, t.Region)
	}
	if len(f.Secrets) > 0 {
		ew.printf("\nSecrets to set with `pulumi config set --secret` (values not shown):\n")
		for _, k := range f.Secrets.Keys() {
			ew.printf("  %s\n", k)
		}
	}
	if len(f.Warnings) > 0 {
		ew.printf("\nWarnings:\n")
		for _, m := range f.Warnings {
			ew.printf("  - %s\n", m)
		}
	}

	rm := f.StateRemovals()
	if len(rm) > 0 {
		ew.printf("\nTerraform must stop managing these: run in upstream's Terraform directory before the first `hubctl up` of the stack (the resources stay in AWS; never apply or destroy them with Terraform again):\n")
		for _, a := range rm {
			ew.printf("  terraform state rm %s\n", deploy.ShellQuote(a))
		}
	}
	if len(f.Steps) > 0 {
		ew.printf("\nBy hand:\n")
		for i, s := range f.Steps {
			ew.printf("  %d. %s\n", i+1, s)
		}
	}
	return ew.err
}

// StateRemovals are the addresses Terraform must forget once flip-hub adopts them: every row
// flip-hub imports or takes over, in report order.
func (f Findings) StateRemovals() []string {
	var out []string
	for _, r := range f.Rows {
		if r.Action == Import || r.Action == TakeOver {
			out = append(out, r.Address)
		}
	}
	return out
}

// flipHub is the row's FLIP-HUB column: the key that adopts it and the ID.
func (r Row) flipHub() string {
	key := r.Key
	if key != "" && !strings.HasPrefix(key, config.Project+":") {
		key = "imports." + key
	}
	switch r.Action {
	case Import:
		return key + " = " + r.ID
	case TakeOver:
		return "with " + key
	}
	return "-"
}

func settingText(v any) string {
	if list, ok := v.([]string); ok {
		return "[" + strings.Join(list, ", ") + "]"
	}
	return fmt.Sprint(v)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// errWriter keeps the first write error, so the report is written without a check per line.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	if err != nil {
		e.err = fmt.Errorf("report: %w", err)
	}
	return n, e.err
}

func (e *errWriter) printf(format string, args ...any) {
	_, _ = fmt.Fprintf(e, format, args...)
}
