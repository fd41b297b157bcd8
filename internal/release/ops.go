package release

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
)

// eventGrace is how long to wait for the engine to close an event stream after an
// operation returned.
const eventGrace = 10 * time.Second

// Masked is how a secret output is shown unless secrets are asked for.
const Masked = "[secret]"

// PreviewResult summarises a preview.
type PreviewResult struct {
	Changes bool
	Summary map[string]int
	Steps   []Step
	// Diagnostics are the engine's errors about single resources (a failed preview's causes).
	Diagnostics []Diagnostic
}

func (s *Stack) sink(onPre func(Step)) *eventSink {
	if s.opts.JSON {
		return newEventSink(s.opts.Out, onPre)
	}
	return newEventSink(nil, onPre)
}

// Preview shows what an up would do. With expectNoChanges, pending changes are an error
// with code ChangesPending.
func (s *Stack) Preview(ctx context.Context, expectNoChanges bool) (PreviewResult, error) {
	return s.preview(ctx, expectNoChanges)
}

// preview is Preview with extra options (a plan file to save).
func (s *Stack) preview(ctx context.Context, expectNoChanges bool, extra ...optpreview.Option) (PreviewResult, error) {
	sink := s.sink(nil)
	opts := []optpreview.Option{optpreview.EventStreams(sink.ch), optpreview.ErrorProgressStreams(s.opts.Err)}
	if s.opts.Message != "" {
		opts = append(opts, optpreview.Message(s.opts.Message))
	}
	opts = append(opts, extra...)
	if s.opts.JSON {
		opts = append(opts, optpreview.SuppressProgress())
	} else {
		opts = append(opts, optpreview.ProgressStreams(s.opts.Out), optpreview.Diff())
	}
	res, err := s.stack.Preview(ctx, opts...)
	steps, sinkErr := sink.wait(eventGrace)
	if err != nil {
		diags := sink.diagnostics()
		return PreviewResult{Steps: steps, Diagnostics: diags}, classify(brief("preview "+s.opts.Stack, err, diags))
	}
	if sinkErr != nil {
		return PreviewResult{Steps: steps}, sinkErr
	}
	out := PreviewResult{Changes: HasChanges(res.ChangeSummary), Summary: map[string]int{}, Steps: steps}
	for op, n := range res.ChangeSummary {
		out.Summary[string(op)] = n
	}
	if expectNoChanges && out.Changes {
		return out, fail(ChangesPending, "%s has pending changes: %s", s.opts.Stack, describeSummary(out.Summary))
	}
	return out, nil
}

// UpOptions guard an up.
type UpOptions struct {
	// AllowReplace names the URNs of stateful resources that may be deleted or replaced.
	AllowReplace []string
	// ExpectNoChanges turns the up into a check: it previews and fails with
	// ChangesPending when anything would change, and changes nothing.
	ExpectNoChanges bool
	// Replace forces the replacement of these URNs (pulumi up --replace); on prod a stateful one
	// must also be allowed by AllowReplace.
	Replace []string
	// Target limits the up to these URNs (pulumi up --target).
	Target []string
	// Refresh reads the real state of every resource first (pulumi up --refresh).
	Refresh bool
	// Parallel bounds the engine's concurrent operations (0: the engine's default).
	Parallel int
}

// previewOptions are the options the up's own preview shares with it, so its plan is the up's.
func (o UpOptions) previewOptions() []optpreview.Option {
	var opts []optpreview.Option
	if len(o.Replace) > 0 {
		opts = append(opts, optpreview.Replace(o.Replace))
	}
	if len(o.Target) > 0 {
		opts = append(opts, optpreview.Target(o.Target))
	}
	if o.Refresh {
		opts = append(opts, optpreview.Refresh())
	}
	if o.Parallel > 0 {
		opts = append(opts, optpreview.Parallel(o.Parallel))
	}
	return opts
}

func (o UpOptions) upOptions() []optup.Option {
	var opts []optup.Option
	if len(o.Replace) > 0 {
		opts = append(opts, optup.Replace(o.Replace))
	}
	if len(o.Target) > 0 {
		opts = append(opts, optup.Target(o.Target))
	}
	if o.Refresh {
		opts = append(opts, optup.Refresh())
	}
	if o.Parallel > 0 {
		opts = append(opts, optup.Parallel(o.Parallel))
	}
	return opts
}

// Up deploys the stack. On prod it first previews, saving the engine's update plan, and refuses
// (code Refused) when the plan deletes or replaces a stateful resource not named in
// AllowReplace; the up then runs constrained to that plan, so the engine itself refuses any
// step the preview did not show (an error naming the resource that "violates plan"), before
// taking it. Nothing is cancelled mid-operation.
func (s *Stack) Up(ctx context.Context, o UpOptions) error {
	if o.ExpectNoChanges {
		_, err := s.preview(ctx, true, o.previewOptions()...)
		return err
	}
	prod, err := s.IsProd(ctx)
	if err != nil {
		return classify(err)
	}
	upOpts := o.upOptions()
	planned := false
	if prod {
		dir, err := os.MkdirTemp("", "hubctl-plan-")
		if err != nil {
			return fmt.Errorf("plan directory: %w", err)
		}
		defer os.RemoveAll(dir)
		// The plan holds the previewed inputs, secrets encrypted by the stack's secrets
		// provider; it lives in a private temporary directory for this up only.
		planFile := filepath.Join(dir, "plan.json")
		res, err := s.preview(ctx, false, append(o.previewOptions(), optpreview.Plan(planFile))...)
		if vs := CheckSteps(res.Steps, o.AllowReplace); len(vs) > 0 {
			return describeViolations(s.opts.Stack, vs)
		}
		// The engine refuses to plan the replacement of a protected resource, so such a plan
		// never reaches the steps: its error diagnostic, which names the resource, does.
		if vs := CheckProtected(res.Diagnostics, o.AllowReplace); len(vs) > 0 {
			return describeViolations(s.opts.Stack, vs)
		}
		if err != nil {
			return err
		}
		upOpts = append(upOpts, optup.Plan(planFile))
		planned = true
	}

	sink := s.sink(nil)
	opts := append([]optup.Option{optup.EventStreams(sink.ch), optup.ErrorProgressStreams(s.opts.Err)}, upOpts...)
	if s.opts.Message != "" {
		opts = append(opts, optup.Message(s.opts.Message))
	}
	if s.opts.JSON {
		opts = append(opts, optup.SuppressProgress())
	} else {
		opts = append(opts, optup.ProgressStreams(s.opts.Out))
	}
	_, err = s.stack.Up(ctx, opts...)
	_, sinkErr := sink.wait(eventGrace)
	if err != nil && planned && planRefusal(err) {
		// The engine refused a step outside the plan before taking it (the program or the
		// cloud changed between the preview and the up).
		return &Error{Code: Refused, Err: fmt.Errorf("the engine refused a step the preview did not show, before taking it; "+
			"run hubctl up again to preview and check the new plan: %w", brief("up "+s.opts.Stack, err, sink.diagnostics()))}
	}
	if err != nil {
		return classify(brief("up "+s.opts.Stack, err, sink.diagnostics()))
	}
	return sinkErr
}

// planRefusal reports whether the engine stopped an up for a step outside its plan: its two
// wordings (pkg/resource/deploy step_generator.go and step_executor.go) are "violates plan"
// and "is not allowed by the plan".
func planRefusal(err error) bool {
	msg := fullText(err)
	return strings.Contains(msg, "violates plan") || strings.Contains(msg, "is not allowed by the plan")
}

// Refresh reads the real state of every resource into the stack. With expectNoChanges,
// drift is an error with code ChangesPending.
func (s *Stack) Refresh(ctx context.Context, expectNoChanges bool) error {
	sink := s.sink(nil)
	opts := []optrefresh.Option{optrefresh.EventStreams(sink.ch), optrefresh.ErrorProgressStreams(s.opts.Err)}
	if s.opts.Message != "" {
		opts = append(opts, optrefresh.Message(s.opts.Message))
	}
	if s.opts.JSON {
		opts = append(opts, optrefresh.SuppressProgress())
	} else {
		opts = append(opts, optrefresh.ProgressStreams(s.opts.Out))
	}
	if expectNoChanges {
		res, err := s.stack.PreviewRefresh(ctx, opts...)
		_, sinkErr := sink.wait(eventGrace)
		if err != nil {
			return classify(brief("refresh preview "+s.opts.Stack, err, sink.diagnostics()))
		}
		if HasChanges(res.ChangeSummary) {
			summary := map[string]int{}
			for op, n := range res.ChangeSummary {
				summary[string(op)] = n
			}
			return fail(ChangesPending, "%s has drifted from its state: %s", s.opts.Stack, describeSummary(summary))
		}
		return sinkErr
	}
	_, err := s.stack.Refresh(ctx, opts...)
	_, sinkErr := sink.wait(eventGrace)
	if err != nil {
		return classify(brief("refresh "+s.opts.Stack, err, sink.diagnostics()))
	}
	return sinkErr
}

// Destroy removes a disposable stack's resources. It always refuses a prod stack;
// persistent resources are retained on delete in every stack anyway.
func (s *Stack) Destroy(ctx context.Context) error {
	prod, err := s.IsProd(ctx)
	if err != nil {
		return classify(err)
	}
	if prod {
		return fail(Refused, "refusing to destroy %s: production hubs are never destroyed by hubctl", s.opts.Stack)
	}
	sink := s.sink(nil)
	opts := []optdestroy.Option{optdestroy.EventStreams(sink.ch), optdestroy.ErrorProgressStreams(s.opts.Err)}
	if s.opts.Message != "" {
		opts = append(opts, optdestroy.Message(s.opts.Message))
	}
	if s.opts.JSON {
		opts = append(opts, optdestroy.SuppressProgress())
	} else {
		opts = append(opts, optdestroy.ProgressStreams(s.opts.Out))
	}
	_, err = s.stack.Destroy(ctx, opts...)
	_, sinkErr := sink.wait(eventGrace)
	if err != nil {
		return classify(brief("destroy "+s.opts.Stack, err, sink.diagnostics()))
	}
	return sinkErr
}

// Outputs returns the stack outputs; secret ones are Masked unless showSecrets.
func (s *Stack) Outputs(ctx context.Context, showSecrets bool) (map[string]any, error) {
	outs, err := s.stack.Outputs(ctx)
	if err != nil {
		return nil, classify(fmt.Errorf("outputs of %s: %w", s.opts.Stack, err))
	}
	res := make(map[string]any, len(outs))
	for k, v := range outs {
		if v.Secret && !showSecrets {
			res[k] = Masked
			continue
		}
		res[k] = v.Value
	}
	return res, nil
}

// WriteOutputs writes the stack outputs to w as indented JSON (secret ones masked unless
// showSecrets).
func (s *Stack) WriteOutputs(ctx context.Context, w io.Writer, showSecrets bool) error {
	outs, err := s.Outputs(ctx, showSecrets)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(outs)
}

func describeSummary(summary map[string]int) string {
	ops := make([]string, 0, len(summary))
	for op, n := range summary {
		if op != string(apitype.OpSame) && n > 0 {
			ops = append(ops, fmt.Sprintf("%d to %s", n, op))
		}
	}
	sort.Strings(ops)
	if len(ops) == 0 {
		return "none"
	}
	return fmt.Sprint(slices.Clip(ops))
}
