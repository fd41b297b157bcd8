package main

import (
	"errors"
	"strings"

	"github.com/spf13/cobra"

	"github.com/londonaicentre/flip-hub/internal/release"
)

// exitUsage is the exit code of a command line that could not be understood; the
// other codes are release.Code values.
const exitUsage = int(release.Usage)

// codedError carries an exit code through cobra.
type codedError struct {
	code int
	err  error
}

func (e *codedError) Error() string { return e.err.Error() }
func (e *codedError) Unwrap() error { return e.err }

func withCode(code int, err error) error {
	if err == nil {
		return nil
	}
	return &codedError{code: code, err: err}
}

func exitCode(err error) int {
	var c *codedError
	if errors.As(err, &c) {
		return c.code
	}
	// cobra reports command-line mistakes as plain errors with these forms.
	msg := err.Error()
	if strings.HasPrefix(msg, "required flag") || strings.HasPrefix(msg, "unknown command") || strings.Contains(msg, " arg(s)") {
		return exitUsage
	}
	return int(release.CodeOf(err))
}

func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:           "hubctl",
		Short:         "Plan, deploy and operate the FLIP Central Hub",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().String("dir", ".", "project directory holding Pulumi.yaml and the stack files")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return withCode(exitUsage, err) })
	root.AddCommand(newPlanCmd(), newPreviewCmd(), newUpCmd(), newRefreshCmd(), newDestroyCmd(), newOutputsCmd(),
		newEnvCmd(), newSSHConfigCmd())
	root.AddCommand(newHostCmd())
	root.AddCommand(newTrustCmd(), newKitsCmd())
	root.AddCommand(newStatusCmd(), newDeployUICmd(), newFLAppsCmd(), newDBCmd(), newForwardCmd())
	return root
}
