package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/londonaicentre/flip-hub/plan"
)

func newPlanCmd() *cobra.Command {
	var (
		stack  string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "plan --stack S",
		Short: "Show the whole hub a stack would deploy, offline (no cloud account needed)",
		Long: "Runs the program under recording mocks with the stack's config (secure values faked)\n" +
			"and prints the resource tree by layer, or the whole graph with --json.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir, _ := cmd.Flags().GetString("dir")
			g, err := plan.Run(plan.Options{Stack: stack, Dir: dir})
			if err != nil {
				return fmt.Errorf("plan %s: %w", stack, err)
			}
			if asJSON {
				return plan.WriteJSON(cmd.OutOrStdout(), g)
			}
			return plan.WriteTree(cmd.OutOrStdout(), g)
		},
	}
	cmd.Flags().StringVarP(&stack, "stack", "s", "", "stack to plan (stag or prod)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the whole graph as JSON")
	_ = cmd.MarkFlagRequired("stack")
	return cmd
}
