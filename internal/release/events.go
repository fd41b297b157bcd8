package release

import (
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
)

// eventSink consumes an operation's engine events: it records the planned steps and,
// in JSON mode, writes each event as one line.
type eventSink struct {
	ch    chan events.EngineEvent
	done  chan struct{}
	json  io.Writer
	onPre func(Step)

	mu     sync.Mutex
	steps  []Step
	diags  []Diagnostic
	errOut error
}

// Diagnostic is an error the engine reported about one resource.
type Diagnostic struct {
	URN     string
	Message string
}

func newEventSink(jsonOut io.Writer, onPre func(Step)) *eventSink {
	s := &eventSink{ch: make(chan events.EngineEvent), done: make(chan struct{}), json: jsonOut, onPre: onPre}
	go s.run()
	return s
}

func (s *eventSink) run() {
	defer close(s.done)
	for e := range s.ch {
		if pre := e.ResourcePreEvent; pre != nil {
			st := Step{URN: pre.Metadata.URN, Type: pre.Metadata.Type, Op: pre.Metadata.Op}
			s.mu.Lock()
			s.steps = append(s.steps, st)
			s.mu.Unlock()
			if s.onPre != nil {
				s.onPre(st)
			}
		}
		if d := e.DiagnosticEvent; d != nil && d.Severity == "error" && d.URN != "" {
			s.mu.Lock()
			s.diags = append(s.diags, Diagnostic{URN: d.URN, Message: d.Message})
			s.mu.Unlock()
		}
		if s.json != nil {
			b, err := json.Marshal(e.EngineEvent)
			if err == nil {
				_, err = fmt.Fprintf(s.json, "%s\n", b)
			}
			if err != nil {
				s.mu.Lock()
				if s.errOut == nil {
					s.errOut = fmt.Errorf("write event: %w", err)
				}
				s.mu.Unlock()
			}
		}
	}
}

// wait returns the recorded steps once the engine has closed the channel. An operation
// that failed before its event stream started never closes it, so wait gives up after
// grace.
func (s *eventSink) wait(grace time.Duration) ([]Step, error) {
	select {
	case <-s.done:
	case <-time.After(grace):
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Step(nil), s.steps...), s.errOut
}

// diagnostics returns the resource errors seen so far; call it after wait.
func (s *eventSink) diagnostics() []Diagnostic {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Diagnostic(nil), s.diags...)
}
