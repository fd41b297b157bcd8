package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/londonaicentre/flip-hub/internal/compliance"
	"github.com/londonaicentre/flip-hub/internal/compliance/planview"
	"github.com/londonaicentre/flip-hub/internal/outcome"
	"github.com/londonaicentre/flip-hub/internal/plan"
)

// planJSON is `hubctl plan --json`: the graph's own fields, then the compliance verdicts
// and, when asked for, the critical path.
type planJSON struct {
	*plan.Graph
	Compliance   compliance.Report  `json:"compliance"`
	CriticalPath *plan.CriticalPath `json:"criticalPath,omitempty"`
}

func newPlanCmd() *cobra.Command {
	var (
		stack        string
		asJSON       bool
		criticalPath bool
	)
	cmd := &cobra.Command{
		Use:   "plan --stack S",
		Short: "Show the whole hub a stack would deploy, offline (no cloud account needed)",
		Long: "Runs the program under recording mocks with the stack's config (secure values faked)\n" +
			"and prints the resource tree by layer and the compliance verdicts, or the whole graph\n" +
			"with the verdicts with --json. --critical-path adds the longest chain of a full deploy,\n" +
			"timed from typical creation minutes per resource type. Exits 1 when a rule fails.",
		Args: cobra.NoArgs,
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
			if err := writePlan(cmd.OutOrStdout(), g, rep, cp, asJSON); err != nil {
				return err
			}
			return complianceError(stack, rep)
		},
	}
	cmd.Flags().StringVarP(&stack, "stack", "s", "", "stack to plan (stag or prod)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the whole graph and the verdicts as JSON")
	cmd.Flags().BoolVar(&criticalPath, "critical-path", false, "also print the longest chain of a full deploy, with minutes per step")
	_ = cmd.MarkFlagRequired("stack")
	return cmd
}

// complianceError fails the command, with exit code 1, when a rule fails.
func complianceError(stack string, rep compliance.Report) error {
	failed := rep.Failed()
	if len(failed) == 0 {
		return nil
	}
	ids := make([]string, len(failed))
	for i, f := range failed {
		ids[i] = f.ID
	}
	return outcome.Wrap(outcome.Failed, fmt.Errorf("plan %s: %d compliance rules fail: %s", stack, len(failed), strings.Join(ids, ", ")))
}

func writePlan(w io.Writer, g *plan.Graph, rep compliance.Report, cp *plan.CriticalPath, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(planJSON{Graph: g, Compliance: rep, CriticalPath: cp}); err != nil {
			return fmt.Errorf("write plan json: %w", err)
		}
		return nil
	}
	if err := plan.WriteTree(w, g); err != nil {
		return err
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("write plan: %w", err)
	}
	if err := compliance.WriteText(w, rep); err != nil {
		return err
	}
	if cp == nil {
		return nil
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("write plan: %w", err)
	}
	return plan.WriteCriticalPath(w, *cp)
}
