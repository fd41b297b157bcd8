package main

import (
	"github.com/spf13/cobra"

	"github.com/londonaicentre/flip-hub/internal/release"
	"github.com/londonaicentre/flip-hub/internal/retained"
)

// stackCommand builds a command over one stack opened through the Automation API; existing: the
// stack must already exist (every command but preview and up).
func stackCommand(use, short string, existing bool, run func(cmd *cobra.Command, st *release.Stack) error) *cobra.Command {
	var f stackFlags
	cmd := &cobra.Command{Use: use, Short: short, Args: cobra.NoArgs, RunE: func(cmd *cobra.Command, _ []string) error {
		st, err := f.open(cmd, existing)
		if err != nil {
			return err
		}
		return run(cmd, st)
	}}
	f.registerRelease(cmd)
	return cmd
}

func newPreviewCmd() *cobra.Command {
	var noChange bool
	cmd := stackCommand("preview --stack S", "Show what an up would change (exit 3 with --expect-no-changes when anything would)", false,
		func(cmd *cobra.Command, st *release.Stack) error {
			_, err := st.Preview(cmd.Context(), noChange)
			return err
		})
	cmd.Flags().BoolVar(&noChange, "expect-no-changes", false, "fail with exit code 3 when the preview has changes")
	return cmd
}

func newUpCmd() *cobra.Command {
	var uo release.UpOptions
	adoptRetained := true
	cmd := stackCommand("up --stack S", "Deploy the stack; on prod, refuse to delete or replace stateful resources unless named", false,
		func(cmd *cobra.Command, st *release.Stack) error {
			dir, _ := cmd.Flags().GetString("dir")
			if err := retained.BeforeUp(cmd.Context(), dir, st, adoptRetained && !uo.ExpectNoChanges, cmd.ErrOrStderr()); err != nil {
				return err
			}
			return st.Up(cmd.Context(), uo)
		})
	fl := cmd.Flags()
	fl.BoolVar(&adoptRetained, "adopt-retained", true, "first adopt what a destroy of this stack left in the account (found by name)")
	fl.StringArrayVar(&uo.AllowReplace, "allow-replace", nil, "URN of a stateful resource that may be deleted or replaced (repeatable)")
	fl.BoolVar(&uo.ExpectNoChanges, "expect-no-changes", false, "check only: exit 3 when anything would change")
	fl.StringArrayVar(&uo.Replace, "replace", nil, "URN of a resource to replace (repeatable); on prod a stateful one also needs --allow-replace")
	fl.StringArrayVar(&uo.Target, "target", nil, "URN to limit the update to (repeatable)")
	fl.BoolVar(&uo.Refresh, "refresh", false, "read the real state of every resource before updating")
	fl.IntVar(&uo.Parallel, "parallel", 0, "most resource operations at once (default: the engine's)")
	return cmd
}

func newRefreshCmd() *cobra.Command {
	var noChange bool
	cmd := stackCommand("refresh --stack S", "Read the real state of every resource (exit 3 with --expect-no-changes on drift)", true,
		func(cmd *cobra.Command, st *release.Stack) error { return st.Refresh(cmd.Context(), noChange) })
	cmd.Flags().BoolVar(&noChange, "expect-no-changes", false, "only check for drift; exit 3 when there is any")
	return cmd
}

func newDestroyCmd() *cobra.Command {
	var yes bool
	cmd := stackCommand("destroy --stack S [--yes]", "Destroy a disposable stack (always refused for prod); asks for the stack name unless --yes", true,
		func(cmd *cobra.Command, st *release.Stack) error {
			return st.DestroyConfirmed(cmd.Context(), cmd.InOrStdin(), cmd.ErrOrStderr(), yes)
		})
	cmd.Flags().BoolVar(&yes, "yes", false, "destroy without asking (release scripts)")
	return cmd
}

func newOutputsCmd() *cobra.Command {
	var showSecrets bool
	cmd := stackCommand("outputs --stack S", "Print the stack outputs as JSON (secret outputs masked unless --show-secrets)", true,
		func(cmd *cobra.Command, st *release.Stack) error {
			return st.WriteOutputs(cmd.Context(), cmd.OutOrStdout(), showSecrets)
		})
	cmd.Flags().BoolVar(&showSecrets, "show-secrets", false, "print secret outputs in clear text")
	return cmd
}
