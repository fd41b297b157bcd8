package registrar

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/londonaicentre/flip-hub/internal/dbtunnel"
	"github.com/londonaicentre/flip-hub/internal/outcome"
)

// Describe says what Register did, for an operator: "created", "updated, key rotated", ….
func (r Result) Describe() string {
	s := string(r.Action)
	if r.KeyRotated && r.Action != Rotated {
		s += ", key rotated"
	}
	if r.SlotClaimed && r.Action != Created {
		s += ", slot assigned"
	}
	return s
}

// WriteText prints what Deregister did.
func (d Deregistration) WriteText(w io.Writer, code string) error {
	if !d.Found {
		_, err := fmt.Fprintf(w, "trust %s is not registered; nothing to do\n", code)
		return err
	}
	freed := "none"
	if len(d.FreedSlots) > 0 {
		freed = strings.Join(d.FreedSlots, ", ")
	}
	fmt.Fprintf(w, "deregistered trust %s (trust id %s); freed slots: %s\n", code, d.TrustID, freed)
	for _, row := range d.Deleted {
		if _, err := fmt.Fprintf(w, "  deleted %s\n", row); err != nil {
			return err
		}
	}
	return nil
}

// listed is one trust as WriteList prints it in JSON.
type listed struct {
	Code          string     `json:"code"`
	Name          string     `json:"name"`
	Region        string     `json:"region"`
	TrustID       string     `json:"trustId"`
	SlotName      string     `json:"slotName,omitempty"`
	SlotNumber    int        `json:"slotNumber,omitempty"`
	CreatedAt     time.Time  `json:"createdAt"`
	LastHeartbeat *time.Time `json:"lastHeartbeat,omitempty"`
}

// WriteList prints the registered trusts as a table, or as a JSON array; never a key hash (List
// returns none).
func WriteList(w io.Writer, regs []Registered, asJSON bool) error {
	if asJSON {
		list := make([]listed, 0, len(regs))
		for _, t := range regs {
			list = append(list, listed{t.Code, t.Name, t.Region, t.TrustID, t.SlotName, t.SlotNumber, t.CreatedAt.UTC(), t.LastHeartbeat})
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(list)
	}
	dash := func(s string) string {
		if s == "" {
			return "-"
		}
		return s
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CODE\tNAME\tREGION\tSLOT\tTRUST ID\tLAST HEARTBEAT")
	for _, t := range regs {
		slot, beat := "-", "never"
		if t.HasSlot() {
			slot = fmt.Sprintf("%s (%d)", t.SlotName, t.SlotNumber)
		}
		if t.LastHeartbeat != nil {
			beat = t.LastHeartbeat.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", dash(t.Code), t.Name, dash(t.Region), slot, t.TrustID, beat)
	}
	return tw.Flush()
}

// Advise adds what an operator should do to the registrar's errors, and types the ones caused by
// the command line as usage errors.
func Advise(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrSchemaMissing):
		return fmt.Errorf("flip-api has not created its tables yet — is the hub deployed? (%w)", err)
	case errors.Is(err, ErrPoolFull):
		return fmt.Errorf("%w; list more slots in flip-hub:fl.kitSlotNames with their FL kits and redeploy the hub, whose flip-api seeds the pool at boot", err)
	case errors.Is(err, ErrReferenced):
		return fmt.Errorf("%w (hubctl trust deregister --force)", err)
	case errors.Is(err, ErrInvalidHash):
		return outcome.Wrap(outcome.Usage, fmt.Errorf("%w; want the SHA-256 hex digest of the trust API key", err))
	case errors.Is(err, ErrInvalidCode), errors.Is(err, ErrInvalidName), errors.Is(err, ErrInvalidRegion):
		return outcome.Wrap(outcome.Usage, err)
	}
	return err
}

// With opens the hub database as s says, runs fn with a Registrar on it, closes it again, and
// returns fn's error with Advise's advice.
func With(ctx context.Context, s dbtunnel.Settings, fn func(ctx context.Context, r *Registrar) error) error {
	conn, err := s.Open(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close(context.Background()) }()
	return Advise(fn(ctx, New(conn.Conn)))
}
