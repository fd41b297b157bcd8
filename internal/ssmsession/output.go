package ssmsession

import (
	"io"
	"regexp"
	"strings"
	"sync"
)

// readyRE matches what session-manager-plugin prints once its listener is bound.
var (
	readyRE   = regexp.MustCompile(`(?i)^(port \d+ opened for session|waiting for connections)`)
	sessionRE = regexp.MustCompile(`SessionId: ([A-Za-z0-9._@-]+?)\.?$`)
)

// tailLines is how many lines of output Tail keeps.
const tailLines = 20

// Output collects a session's stdout and stderr: the last lines for error messages, the session
// id, and the readiness line.
//
// It copies the session's output only to the caller's log writer, and errors quote only that
// output.
type Output struct {
	mu      sync.Mutex
	partial []byte
	lines   []string
	id      string
	ready   chan struct{}
	isReady bool
	log     io.Writer
}

// NewOutput is an Output that also copies what it is written to log, when log is not nil.
func NewOutput(log io.Writer) *Output {
	return &Output{ready: make(chan struct{}), log: log}
}

func (s *Output) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.log != nil {
		_, _ = s.log.Write(p)
	}
	s.partial = append(s.partial, p...)
	for {
		i := strings.IndexByte(string(s.partial), '\n')
		if i < 0 {
			break
		}
		s.line(strings.TrimSpace(string(s.partial[:i])))
		s.partial = s.partial[i+1:]
	}
	return len(p), nil
}

func (s *Output) line(l string) {
	if l == "" {
		return
	}
	if m := sessionRE.FindStringSubmatch(l); m != nil && s.id == "" {
		s.id = m[1]
	}
	if !s.isReady && readyRE.MatchString(l) {
		s.isReady = true
		close(s.ready)
	}
	s.lines = append(s.lines, l)
	if len(s.lines) > tailLines {
		s.lines = s.lines[len(s.lines)-tailLines:]
	}
}

// Ready is closed once the plugin has reported its local port open.
func (s *Output) Ready() <-chan struct{} { return s.ready }

// SessionID is the first session id the output named, or "".
func (s *Output) SessionID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.id
}

// Tail is the last lines of output joined by " | ", or "no output".
func (s *Output) Tail() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	lines := s.lines
	if p := strings.TrimSpace(string(s.partial)); p != "" {
		lines = append(lines[:len(lines):len(lines)], p)
	}
	if len(lines) == 0 {
		return "no output"
	}
	return strings.Join(lines, " | ")
}
