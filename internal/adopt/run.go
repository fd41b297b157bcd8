package adopt

import (
	"fmt"
	"io"
	"os"

	"github.com/londonaicentre/flip-hub/internal/outcome"
)

// Run is `hubctl adopt`: it reads the Terraform state at tfstate and prints the report to w;
// unless dryRun it then sets each secret the state holds with setSecret (the caller passes it to
// `pulumi config set --secret` on stdin) and rewrites stackFile in place with the imports and
// settings. Secrets go first: the pulumi CLI rewrites the stack file when it stores one, and the
// rewrite here keeps what it wrote. A state that cannot be read, or a stack file that names
// another region or account, is a usage error; nothing is changed then.
func Run(tfstate, stackFile string, w io.Writer, dryRun bool, setSecret func(key, value string) error) error {
	f, err := os.Open(tfstate)
	if err != nil {
		return outcome.Wrap(outcome.Usage, fmt.Errorf("terraform state: %w", err))
	}
	defer f.Close()
	st, err := ParseState(f)
	if err != nil {
		return outcome.Wrap(outcome.Usage, err)
	}
	found := Find(st)
	if err := found.WriteReport(w); err != nil {
		return err
	}
	old, err := os.ReadFile(stackFile)
	if err != nil {
		return outcome.Wrap(outcome.Usage, fmt.Errorf("stack file: %w", err))
	}
	// Check the rewrite before anything is changed.
	if _, err := found.ApplyTo(old); err != nil {
		return outcome.Wrap(outcome.Usage, err)
	}
	if dryRun {
		_, err := fmt.Fprintf(w, "\ndry run: %s and the stack's secrets were left unchanged\n", stackFile)
		return err
	}
	for _, key := range found.Secrets.Keys() {
		if err := setSecret(key, found.Secrets[key]); err != nil {
			return err
		}
		fmt.Fprintf(w, "set secret %s\n", key)
	}
	cur, err := os.ReadFile(stackFile)
	if err != nil {
		return fmt.Errorf("stack file: %w", err)
	}
	next, err := found.ApplyTo(cur)
	if err != nil {
		return outcome.Wrap(outcome.Usage, err)
	}
	info, err := os.Stat(stackFile)
	if err != nil {
		return fmt.Errorf("stack file: %w", err)
	}
	tmp := stackFile + ".adopt.tmp"
	if err := os.WriteFile(tmp, next, info.Mode().Perm()); err != nil {
		return fmt.Errorf("stack file: %w", err)
	}
	if err := os.Rename(tmp, stackFile); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("stack file: %w", err)
	}
	_, err = fmt.Fprintf(w, "wrote %s: review it (git diff), then `hubctl preview --stack <stack>`\n", stackFile)
	return err
}
