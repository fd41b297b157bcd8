package status

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/londonaicentre/flip-hub/internal/progress"

	"github.com/londonaicentre/flip-hub/internal/outcome"
)

// Report is the outcome of every check of one hub, in the order the checks were given.
type Report struct {
	Stack     string
	CheckedAt time.Time
	Results   []Result
}

// Run runs every check concurrently, each under its own timeout, and returns the report.
func Run(ctx context.Context, stack string, checks []Check) Report {
	return RunShowing(ctx, stack, checks, nil)
}

// RunShowing is Run that, when live is a terminal, also prints each check's outcome there as it
// completes, under a heartbeat of how many are done; nothing is printed when live is nil or not
// a terminal (the report itself is the output).
func RunShowing(ctx context.Context, stack string, checks []Check, live io.Writer) Report {
	rep := Report{Stack: stack, CheckedAt: time.Now().UTC(), Results: make([]Result, len(checks))}
	beat := progress.Start(live, fmt.Sprintf("checking %s: %d checks", stack, len(checks)))
	defer beat.Stop()
	var wg sync.WaitGroup
	for i, c := range checks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := c.Run(ctx)
			if r.Name == "" {
				r.Name = c.Name()
			}
			rep.Results[i] = r
			if beat != nil {
				beat.Hide(func() { fmt.Fprintln(live, liveLine(r)) })
			}
		}()
	}
	wg.Wait()
	return rep
}

// liveLine is one check's outcome as RunShowing prints it.
func liveLine(r Result) string {
	mark := "ok  "
	switch {
	case r.Skipped:
		mark = "skip"
	case !r.OK:
		mark = "FAIL"
	}
	return fmt.Sprintf("%s %s (%s): %s", mark, r.Name, progress.Elapsed(r.Duration), r.Detail)
}

// OK reports whether every check passed or was skipped.
func (r Report) OK() bool {
	for _, res := range r.Results {
		if !res.OK {
			return false
		}
	}
	return true
}

// Counts returns how many checks passed, failed and were skipped.
func (r Report) Counts() (ok, failed, skipped int) {
	for _, res := range r.Results {
		switch {
		case res.Skipped:
			skipped++
		case res.OK:
			ok++
		default:
			failed++
		}
	}
	return ok, failed, skipped
}

// Failed returns the results of the checks that failed.
func (r Report) Failed() []Result {
	var out []Result
	for _, res := range r.Results {
		if !res.OK {
			out = append(out, res)
		}
	}
	return out
}

// WriteTable writes the report for people: one line per check, then what to do about each failure.
func (r Report) WriteTable(w io.Writer) error {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CHECK\tRESULT\tTIME\tDETAIL")
	for _, res := range r.Results {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", res.Name, verdict(res), roundDuration(res.Duration), oneLine(res.Detail))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("render status table: %w", err)
	}
	ok, failed, skipped := r.Counts()
	fmt.Fprintf(&b, "\n%s: %d ok, %d failed, %d skipped\n", r.title(), ok, failed, skipped)
	if failed > 0 {
		b.WriteString("\nWhat to do:\n")
		for _, res := range r.Failed() {
			fix := res.Fix
			if fix == "" {
				fix = "see the detail above"
			}
			fmt.Fprintf(&b, "  %s: %s\n", res.Name, oneLine(fix))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (r Report) title() string {
	if r.Stack == "" {
		return "hub"
	}
	return "hub " + r.Stack
}

// jsonReport is the --json shape; field names are part of hubctl's interface to scripts.
type jsonReport struct {
	Stack     string       `json:"stack"`
	CheckedAt time.Time    `json:"checkedAt"`
	OK        bool         `json:"ok"`
	Summary   jsonSummary  `json:"summary"`
	Checks    []jsonResult `json:"checks"`
}

type jsonSummary struct {
	OK      int `json:"ok"`
	Failed  int `json:"failed"`
	Skipped int `json:"skipped"`
}

type jsonResult struct {
	Name       string `json:"name"`
	OK         bool   `json:"ok"`
	Skipped    bool   `json:"skipped"`
	Detail     string `json:"detail"`
	Fix        string `json:"fix,omitempty"`
	DurationMS int64  `json:"durationMs"`
}

// WriteJSON writes the report as one indented JSON object.
func (r Report) WriteJSON(w io.Writer) error {
	ok, failed, skipped := r.Counts()
	out := jsonReport{
		Stack: r.Stack, CheckedAt: r.CheckedAt, OK: r.OK(),
		Summary: jsonSummary{OK: ok, Failed: failed, Skipped: skipped},
		Checks:  make([]jsonResult, 0, len(r.Results)),
	}
	for _, res := range r.Results {
		out.Checks = append(out.Checks, jsonResult{
			Name: res.Name, OK: res.OK, Skipped: res.Skipped, Detail: res.Detail, Fix: res.Fix,
			DurationMS: res.Duration.Milliseconds(),
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("render status json: %w", err)
	}
	return nil
}

func verdict(r Result) string {
	switch {
	case r.Skipped:
		return "skip"
	case r.OK:
		return "ok"
	default:
		return "FAIL"
	}
}

func roundDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return "-"
	case d < time.Millisecond:
		return "<1ms"
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	default:
		return d.Round(100 * time.Millisecond).String()
	}
}

// oneLine folds a multi-line message into one table cell.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// Write prints the report (as JSON, or as the table) and returns an outcome.Failed error when
// any check failed: the exit status of `hubctl status`.
func (r Report) Write(w io.Writer, asJSON bool) error {
	var err error
	if asJSON {
		err = r.WriteJSON(w)
	} else {
		err = r.WriteTable(w)
	}
	if err != nil {
		return err
	}
	if _, failed, _ := r.Counts(); failed > 0 {
		return outcome.Errorf(outcome.Failed, "%d of %d checks of %s failed", failed, len(r.Results), r.Stack)
	}
	return nil
}
