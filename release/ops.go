package release

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
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
	sink := s.sink(nil)
	opts := []optpreview.Option{optpreview.EventStreams(sink.ch), optpreview.ErrorProgressStreams(s.opts.Err)}
	if s.opts.JSON {
		opts = append(opts, optpreview.SuppressProgress())
	} else {
		opts = append(opts, optpreview.ProgressStreams(s.opts.Out), optpreview.Diff())
	}
	res, err := s.stack.Preview(ctx, opts...)
	steps, sinkErr := sink.wait(eventGrace)
	if err != nil {
		return PreviewResult{Steps: steps, Diagnostics: sink.diagnostics()}, classify(fmt.Errorf("preview %s: %w", s.opts.Stack, err))
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
}

// Up deploys the stack. On prod it first previews and refuses (code Refused) when the
// plan deletes or replaces a stateful resource not named in AllowReplace; during the up
// it cancels the operation should such a step appear anyway.
func (s *Stack) Up(ctx context.Context, o UpOptions) error {
	if o.ExpectNoChanges {
		_, err := s.Preview(ctx, true)
		return err
	}
	prod, err := s.IsProd(ctx)
	if err != nil {
		return classify(err)
	}
	if prod {
		res, err := s.Preview(ctx, false)
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
	}

	upCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu     sync.Mutex
		caught []Violation
	)
	sink := s.sink(func(st Step) {
		if !prod {
			return
		}
		if vs := CheckSteps([]Step{st}, o.AllowReplace); len(vs) > 0 {
			mu.Lock()
			caught = append(caught, vs...)
			mu.Unlock()
			cancel()
		}
	})
	opts := []optup.Option{optup.EventStreams(sink.ch), optup.ErrorProgressStreams(s.opts.Err)}
	if s.opts.JSON {
		opts = append(opts, optup.SuppressProgress())
	} else {
		opts = append(opts, optup.ProgressStreams(s.opts.Out))
	}
	_, err = s.stack.Up(upCtx, opts...)
	_, sinkErr := sink.wait(eventGrace)
	mu.Lock()
	defer mu.Unlock()
	if len(caught) > 0 {
		return describeViolations(s.opts.Stack, caught)
	}
	if err != nil {
		return classify(fmt.Errorf("up %s: %w", s.opts.Stack, err))
	}
	return sinkErr
}

// Refresh reads the real state of every resource into the stack. With expectNoChanges,
// drift is an error with code ChangesPending.
func (s *Stack) Refresh(ctx context.Context, expectNoChanges bool) error {
	sink := s.sink(nil)
	opts := []optrefresh.Option{optrefresh.EventStreams(sink.ch), optrefresh.ErrorProgressStreams(s.opts.Err)}
	if s.opts.JSON {
		opts = append(opts, optrefresh.SuppressProgress())
	} else {
		opts = append(opts, optrefresh.ProgressStreams(s.opts.Out))
	}
	if expectNoChanges {
		res, err := s.stack.PreviewRefresh(ctx, opts...)
		_, sinkErr := sink.wait(eventGrace)
		if err != nil {
			return classify(fmt.Errorf("refresh preview %s: %w", s.opts.Stack, err))
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
		return classify(fmt.Errorf("refresh %s: %w", s.opts.Stack, err))
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
	if s.opts.JSON {
		opts = append(opts, optdestroy.SuppressProgress())
	} else {
		opts = append(opts, optdestroy.ProgressStreams(s.opts.Out))
	}
	_, err = s.stack.Destroy(ctx, opts...)
	_, sinkErr := sink.wait(eventGrace)
	if err != nil {
		return classify(fmt.Errorf("destroy %s: %w", s.opts.Stack, err))
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
