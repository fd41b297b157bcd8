package schemareset

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/londonaicentre/flip-hub/internal/outcome"
)

// Report prints each trust's registration before (o.Trusts: the ids and slots the stack recorded)
// and after the reset, and fails (outcome.Failed, with what the operator must do) when a trust did
// not get its previous id and FL kit slot back, since its kit then no longer matches.
func Report(w io.Writer, o Options, res Result) error {
	fmt.Fprintf(w, "\nreset of %s done: schema of database %s recreated", o.Stack, res.Database)
	if res.Snapshot != "" {
		fmt.Fprintf(w, " (snapshot %s)", res.Snapshot)
	}
	fmt.Fprintln(w)
	if len(res.Registered) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TRUST\tOLD ID\tNEW ID\tOLD SLOT\tNEW SLOT")
	oldID, oldSlot := map[string]string{}, map[string]string{}
	for _, t := range o.Trusts {
		oldID[t.Code], oldSlot[t.Code] = t.ID, t.Slot
	}
	var moved []string
	for _, r := range res.Registered {
		id, slot := oldID[r.Code], oldSlot[r.Code]
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Code, dash(id), r.TrustID, dash(slot), r.SlotName)
		if (slot != "" && slot != r.SlotName) || (id != "" && id != r.TrustID) {
			moved = append(moved, r.Code)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(moved) > 0 {
		return outcome.Errorf(outcome.Failed, "db reset-schema: trust(s) %s did not get their previous id and FL kit slot back; "+
			"run `hubctl up --stack %s` (the register commands record the new ones), then `hubctl kits --stack %s` and send those trusts their kits",
			strings.Join(moved, ", "), o.Stack, o.Stack)
	}
	fmt.Fprintln(w, "\nEvery trust kept its id and FL kit slot: the stack outputs and the trusts' kits stay valid.")
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
