package planview

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/londonaicentre/flip-hub/internal/compliance"
	"github.com/londonaicentre/flip-hub/internal/outcome"
	"github.com/londonaicentre/flip-hub/internal/plan"
)

// planJSON is `hubctl plan --json`: the graph's own fields, then the compliance verdicts and,
// when asked for, the critical path.
type planJSON struct {
	*plan.Graph
	Compliance   compliance.Report  `json:"compliance"`
	CriticalPath *plan.CriticalPath `json:"criticalPath,omitempty"`
}

// Write prints an offline plan: the resource tree by layer, the compliance verdicts and the
// critical path when cp is set; or all of them as one JSON object.
func Write(w io.Writer, g *plan.Graph, rep compliance.Report, cp *plan.CriticalPath, asJSON bool) error {
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

// Failure is the plan's outcome: nil, or an outcome.Failed error naming every failing rule.
func Failure(stack string, rep compliance.Report) error {
	failed := rep.Failed()
	if len(failed) == 0 {
		return nil
	}
	ids := make([]string, len(failed))
	for i, f := range failed {
		ids[i] = f.ID
	}
	return outcome.Errorf(outcome.Failed, "plan %s: %d compliance rules fail: %s", stack, len(failed), strings.Join(ids, ", "))
}
