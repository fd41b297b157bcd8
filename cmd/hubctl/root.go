package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// Exit codes a release script can branch on.
const (
	exitOK         = 0
	exitFailed     = 1
	exitUsage      = 2
	exitChanges    = 3 // changes pending where none were expected
	exitRefused    = 4 // refused by a guard
	exitConcurrent = 5 // another update holds the stack
)

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
	return exitFailed
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
	root.AddCommand(newPlanCmd())
	return root
}
