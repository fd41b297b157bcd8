package adopt

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/londonaicentre/flip-hub/config"
	"github.com/londonaicentre/flip-hub/internal/outcome"
)

// Options are one `hubctl adopt`.
type Options struct {
	// TFState is the Terraform state file; StackFile the Pulumi.<stack>.yaml to rewrite.
	TFState, StackFile string
	// DryRun prints the report only.
	DryRun bool
	// AWS checks each resource to import in the account first (Verify), in the state's region.
	AWS bool
	// RegistryDSN, when set, reads the adopted hub's trust registry (ReadRegistry): a connection
	// string to its database, e.g. through an SSM tunnel the operator holds open.
	RegistryDSN string
	// SetSecret stores a secret config value (the caller passes it to `pulumi config set
	// --secret` on stdin).
	SetSecret func(key, value string) error
}

// Run is `hubctl adopt`: it reads the Terraform state, with AWS checks what it imports in the
// account, and prints the report to w; unless DryRun it then sets each secret the state holds
// and rewrites the stack file in place with the imports and settings. Secrets go first: the
// pulumi CLI rewrites the stack file when it stores one, and the rewrite here keeps what it
// wrote. A state that cannot be read, or a stack file that names another region or account, is
// a usage error; nothing is changed then.
func Run(ctx context.Context, o Options, w io.Writer) error {
	tfstate, stackFile, dryRun, setSecret := o.TFState, o.StackFile, o.DryRun, o.SetSecret
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
	if o.AWS {
		region := os.Getenv("AWS_REGION")
		for _, set := range found.Settings {
			if v, ok := set.Value.(string); ok && set.Key == config.KeyRegion {
				region = v
			}
		}
		l, err := NewLookups(ctx, region)
		if err != nil {
			return err
		}
		if err := found.Verify(ctx, l); err != nil {
			return outcome.Wrap(outcome.Failed, err)
		}
	}
	if o.RegistryDSN != "" {
		if err := found.ReadRegistry(ctx, o.RegistryDSN); err != nil {
			return outcome.Wrap(outcome.Failed, err)
		}
	}
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
	if err := found.WriteStackFile(stackFile); err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "wrote %s: review it (git diff), then `hubctl preview --stack <stack>`\n", stackFile)
	return err
}

// WriteStackFile applies the findings to the stack file at path (ApplyTo) and replaces it
// atomically, keeping its mode.
func (f Findings) WriteStackFile(path string) error {
	cur, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("stack file: %w", err)
	}
	next, err := f.ApplyTo(cur)
	if err != nil {
		return outcome.Wrap(outcome.Usage, err)
	}
	info, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("stack file: %w", err)
	}
	tmp := path + ".adopt.tmp"
	if err := os.WriteFile(tmp, next, info.Mode().Perm()); err != nil {
		return fmt.Errorf("stack file: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("stack file: %w", err)
	}
	return nil
}
