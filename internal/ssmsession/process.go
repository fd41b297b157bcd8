package ssmsession

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"sync"
	"time"
)

// StopGrace is how long the session gets to exit on SIGTERM before its group is killed.
const StopGrace = 5 * time.Second

// Results of WaitReady; test with errors.Is.
var (
	// ErrExited: the session process ended before the plugin reported its local port open.
	ErrExited = errors.New("ssm session process exited")
	// ErrNotReady: the plugin did not report its local port open within the timeout.
	ErrNotReady = errors.New("ssm session not ready in time")
)

// Command is one session subprocess.
type Command struct {
	// CLI is the aws command; Args its arguments (no secret, by the caller's construction).
	CLI  string
	Args []string
	// Env is the subprocess's environment; nil inherits hubctl's.
	Env []string
	// Log, when set, receives the session's own output as it comes.
	Log io.Writer
}

// Process is a running session subprocess and its process group.
type Process struct {
	cmd      *exec.Cmd
	out      *Output
	exited   chan struct{}
	waitErr  error
	stopOnce sync.Once
}

// Start starts c in a process group of its own, its stdout and stderr parsed by an Output. The
// error is the one exec gave; NotFound tells a missing CLI.
//
// The subprocess gets a parent-death signal where the platform has one, so it does not outlive
// hubctl, and never reads hubctl's stdin.
func Start(c Command) (*Process, error) {
	out := NewOutput(c.Log)
	cmd := exec.Command(c.CLI, c.Args...)
	cmd.Env = c.Env
	// The session's chatter ("Starting session…", "Waiting for connections…") must not reach
	// hubctl's stdout, which carries only the command's result.
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Stdin = nil
	// Bound the wait for output pipes after the CLI exits: the plugin it started may linger.
	cmd.WaitDelay = 2 * time.Second
	newProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &Process{cmd: cmd, out: out, exited: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

// NotFound reports whether err from Start means the CLI could not be found.
func NotFound(err error) bool {
	return errors.Is(err, exec.ErrNotFound) || errors.Is(err, os.ErrNotExist)
}

// AfterCancel runs stop should ctx end before the process exits: whatever happens to the caller
// (Ctrl+C cancels the context), the session dies with it.
func (p *Process) AfterCancel(ctx context.Context, stop func()) {
	go func() {
		select {
		case <-ctx.Done():
			stop()
		case <-p.exited:
		}
	}()
}

// WaitReady waits until the plugin reports its local port open (nil), the process exits
// (ErrExited), timeout passes (ErrNotReady) or ctx ends (ctx.Err()). It stops nothing itself.
func (p *Process) WaitReady(ctx context.Context, timeout time.Duration) error {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-p.out.ready:
		return nil
	case <-p.exited:
		return ErrExited
	case <-timer.C:
		return ErrNotReady
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Stop ends the session: SIGTERM to its process group (the CLI and its plugin), SIGKILL after
// StopGrace, and SIGKILL to the group again once the CLI is reaped, for a plugin it left behind. It is
// safe to call more than once and from several goroutines, and returns once the process has been
// reaped.
func (p *Process) Stop() {
	p.stopOnce.Do(func() {
		select {
		case <-p.exited:
		default:
			signalGroup(p.cmd, false)
			select {
			case <-p.exited:
			case <-time.After(StopGrace):
				signalGroup(p.cmd, true)
				<-p.exited
			}
		}
		// The CLI may have exited on its own and left the plugin behind in the group.
		signalGroup(p.cmd, true)
	})
}

// Done is closed once the session process has exited.
func (p *Process) Done() <-chan struct{} { return p.exited }

// WaitErr is how the session process ended; valid once Done is closed.
func (p *Process) WaitErr() error { return p.waitErr }

// SessionID is the Session Manager session id, once the CLI has printed it.
func (p *Process) SessionID() string { return p.out.SessionID() }

// Tail is the last lines of the session's output, for an error message.
func (p *Process) Tail() string { return p.out.Tail() }
