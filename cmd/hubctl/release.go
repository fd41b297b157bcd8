package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/londonaicentre/flip-hub/internal/release"
)

func newPreviewCmd() *cobra.Command {
	var (
		f        stackFlags
		noChange bool
	)
	cmd := &cobra.Command{
		Use:   "preview --stack S",
		Short: "Show what an up would change (exit 3 with --expect-no-changes when anything would)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := f.open(cmd, false)
			if err != nil {
				return err
			}
			_, err = st.Preview(cmd.Context(), noChange)
			return err
		},
	}
	f.registerRelease(cmd)
	cmd.Flags().BoolVar(&noChange, "expect-no-changes", false, "fail with exit code 3 when the preview has changes")
	return cmd
}

func newUpCmd() *cobra.Command {
	var (
		f  stackFlags
		uo release.UpOptions
	)
	cmd := &cobra.Command{
		Use:   "up --stack S",
		Short: "Deploy the stack; on prod, refuse to delete or replace stateful resources unless named",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := f.open(cmd, false)
			if err != nil {
				return err
			}
			return st.Up(cmd.Context(), uo)
		},
	}
	f.registerRelease(cmd)
	cmd.Flags().StringArrayVar(&uo.AllowReplace, "allow-replace", nil, "URN of a stateful resource that may be deleted or replaced (repeatable)")
	cmd.Flags().BoolVar(&uo.ExpectNoChanges, "expect-no-changes", false, "check only: exit 3 when anything would change")
	cmd.Flags().StringArrayVar(&uo.Replace, "replace", nil, "URN of a resource to replace (repeatable); on prod a stateful one also needs --allow-replace")
	cmd.Flags().StringArrayVar(&uo.Target, "target", nil, "URN to limit the update to (repeatable)")
	cmd.Flags().BoolVar(&uo.Refresh, "refresh", false, "read the real state of every resource before updating")
	cmd.Flags().IntVar(&uo.Parallel, "parallel", 0, "most resource operations at once (default: the engine's)")
	return cmd
}

func newRefreshCmd() *cobra.Command {
	var (
		f        stackFlags
		noChange bool
	)
	cmd := &cobra.Command{
		Use:   "refresh --stack S",
		Short: "Read the real state of every resource (exit 3 with --expect-no-changes on drift)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := f.open(cmd, true)
			if err != nil {
				return err
			}
			return st.Refresh(cmd.Context(), noChange)
		},
	}
	f.registerRelease(cmd)
	cmd.Flags().BoolVar(&noChange, "expect-no-changes", false, "only check for drift; exit 3 when there is any")
	return cmd
}

func newDestroyCmd() *cobra.Command {
	var (
		f   stackFlags
		yes bool
	)
	cmd := &cobra.Command{
		Use:   "destroy --stack S [--yes]",
		Short: "Destroy a disposable stack (always refused for prod); asks for the stack name unless --yes",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := f.open(cmd, true)
			if err != nil {
				return err
			}
			prod, err := st.IsProd(cmd.Context())
			if err != nil {
				return err
			}
			// Prod is refused by Destroy itself (exit 4), asked or not.
			if !prod && !yes {
				if err := release.ConfirmDestroy(cmd.InOrStdin(), cmd.ErrOrStderr(), f.stack); err != nil {
					return err
				}
			}
			return st.Destroy(cmd.Context())
		},
	}
	f.registerRelease(cmd)
	cmd.Flags().BoolVar(&yes, "yes", false, "destroy without asking (release scripts)")
	return cmd
}

func newOutputsCmd() *cobra.Command {
	var (
		f           stackFlags
		showSecrets bool
	)
	cmd := &cobra.Command{
		Use:   "outputs --stack S",
		Short: "Print the stack outputs as JSON (secret outputs masked unless --show-secrets)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := f.open(cmd, true)
			if err != nil {
				return err
			}
			outs, err := st.Outputs(cmd.Context(), showSecrets)
			if err != nil {
				return err
			}
			enc := json.NewEncoder(cmd.OutOrStdout())
			enc.SetIndent("", "  ")
			if err := enc.Encode(outs); err != nil {
				return fmt.Errorf("print outputs: %w", err)
			}
			return nil
		},
	}
	f.registerRelease(cmd)
	cmd.Flags().BoolVar(&showSecrets, "show-secrets", false, "print secret outputs in clear text")
	return cmd
}
