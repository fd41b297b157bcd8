package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/londonaicentre/flip-hub/internal/compliance/planview"
	"github.com/londonaicentre/flip-hub/internal/plan"
)

func newPlanCmd() *cobra.Command {
	var (
		stack        string
		asJSON       bool
		criticalPath bool
	)
	cmd := &cobra.Command{
		Use:   "plan --stack S",
		Short: "Show the whole hub a stack would deploy, offline (no cloud account needed)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir, _ := cmd.Flags().GetString("dir")
			g, err := plan.Run(plan.Options{Stack: stack, Dir: dir})
			if err != nil {
				return fmt.Errorf("plan %s: %w", stack, err)
			}
			rep := planview.Evaluate(g)
			var cp *plan.CriticalPath
			if criticalPath {
				path, err := plan.Critical(g, nil)
				if err != nil {
					return fmt.Errorf("plan %s: %w", stack, err)
				}
				cp = &path
			}
			if err := planview.Write(cmd.OutOrStdout(), g, rep, cp, asJSON); err != nil {
				return err
			}
			return planview.Failure(stack, rep)
		},
	}
	cmd.Flags().StringVarP(&stack, "stack", "s", "", "stack to plan (stag or prod)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the whole graph and the verdicts as JSON")
	cmd.Flags().BoolVar(&criticalPath, "critical-path", false, "also print the longest chain of a full deploy, with minutes per step")
	_ = cmd.MarkFlagRequired("stack")
	return cmd
}
