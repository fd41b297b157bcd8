package forward

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/londonaicentre/flip-hub/internal/awsid"
	"github.com/londonaicentre/flip-hub/internal/ssmsession"
)

// Session Manager documents.
const (
	// DocumentHost forwards a local port to a port on the target instance itself.
	DocumentHost = "AWS-StartPortForwardingSession"
	// DocumentRemoteHost forwards a local port, through the target instance, to a host it can reach.
	DocumentRemoteHost = "AWS-StartPortForwardingSessionToRemoteHost"
)

// Defaults.
const (
	DefaultAWSCLI       = "aws"
	DefaultReadyTimeout = 90 * time.Second
)

// Errors; match them with errors.Is.
var (
	ErrNoCLI         = errors.New("aws cli not found")
	ErrSessionExited = errors.New("ssm session ended")
	ErrNotReady      = errors.New("ssm session did not open its local port")
	ErrPortInUse     = errors.New("local port in use")
)

// Target is one forward.
type Target struct {
	// Name is how the operator asks for it: flip-api, fl-server, db.
	Name string
	// RemoteHost is where the hub host forwards to; empty means the hub host itself.
	RemoteHost string
	// RemotePort is the port on RemoteHost (or on the hub host).
	RemotePort int
	// LocalPort is the port on 127.0.0.1; 0 picks a free one.
	LocalPort int
	// URL is a fmt format with one %s for "127.0.0.1:<port>", such as "http://%s/api/docs".
	URL string
	// Note is printed after the URL (how to log in, say); never a secret.
	Note string
}

// Document is the Session Manager document the target needs.
func (t Target) Document() string {
	if t.RemoteHost == "" {
		return DocumentHost
	}
	return DocumentRemoteHost
}

// Options are what every session of one run shares.
type Options struct {
	// InstanceID is the hub host (stack output hubInstanceId); Region its region.
	InstanceID string
	Region     string
	// AWSCLI is the aws command (default "aws" on PATH); it needs the session-manager-plugin.
	AWSCLI string
	// ReadyTimeout bounds the wait for each local port (default DefaultReadyTimeout).
	ReadyTimeout time.Duration
	// Log, when set, receives the sessions' own output.
	Log io.Writer
}

var (
	hostRE = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$`)
)

func (o Options) validate() error {
	switch {
	case !awsid.Instance(o.InstanceID):
		return fmt.Errorf("instance %q is not an EC2 instance id such as i-0123456789abcdef0 (stack output hubInstanceId)", o.InstanceID)
	case !awsid.Region(o.Region):
		return fmt.Errorf("aws region %q is not a region such as eu-west-2", o.Region)
	}
	return nil
}

func (t Target) validate() error {
	switch {
	case t.Name == "":
		return errors.New("forward target has no name")
	case t.RemoteHost != "" && !hostRE.MatchString(t.RemoteHost):
		return fmt.Errorf("%s: remote host %q is not a host name", t.Name, t.RemoteHost)
	case t.RemotePort < 1 || t.RemotePort > 65535:
		return fmt.Errorf("%s: remote port %d is not a TCP port", t.Name, t.RemotePort)
	case t.LocalPort < 0 || t.LocalPort > 65535:
		return fmt.Errorf("%s: local port %d is not a TCP port", t.Name, t.LocalPort)
	}
	return nil
}

// Args is the aws command line of the session forwarding localPort to t: instance, document, ports
// and host only, by construction.
func Args(o Options, t Target, localPort int) []string {
	params := map[string][]string{
		"portNumber":      {strconv.Itoa(t.RemotePort)},
		"localPortNumber": {strconv.Itoa(localPort)},
	}
	if t.RemoteHost != "" {
		params["host"] = []string{t.RemoteHost}
	}
	// JSON rather than the key=value shorthand, so no value can be split or reinterpreted.
	b, _ := json.Marshal(params) // a map of string slices always marshals
	return []string{
		"ssm", "start-session",
		"--target", o.InstanceID,
		"--document-name", t.Document(),
		"--parameters", string(b),
		"--region", o.Region,
	}
}

// Session is one running port forward.
type Session struct {
	Target    Target
	LocalPort int
	// SessionID is the Session Manager session id, once the CLI has printed it.
	SessionID string

	proc *ssmsession.Process
}

// Addr is 127.0.0.1:<local port>.
func (s *Session) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.LocalPort)) }

// URL is the local URL of the forward for people.
func (s *Session) URL() string {
	if s.Target.URL == "" {
		return s.Addr()
	}
	return fmt.Sprintf(s.Target.URL, s.Addr())
}

// Done is closed once the session process has exited.
func (s *Session) Done() <-chan struct{} { return s.proc.Done() }

// Err is why the session process ended; valid once Done is closed.
func (s *Session) Err() error {
	select {
	case <-s.proc.Done():
		return fmt.Errorf("%w: %s (%w): %s", ErrSessionExited, s.Target.Name, exitErr(s.proc.WaitErr()), s.proc.Tail())
	default:
		return nil
	}
}

// Start opens one session and returns once its local port is open. It ends with Close, or when ctx
// ends.
//
// The session is an `aws ssm start-session` subprocess in a process group of its own, because the
// AWS CLI and its session-manager-plugin are the maintained implementation of the Session Manager
// stream protocol. It uses DocumentHost for the ports the hub host publishes and DocumentRemoteHost
// for RDS, carries only instance, host and port numbers on its command line (see Args), and listens
// on 127.0.0.1, the plugin's default.
func Start(ctx context.Context, o Options, t Target) (*Session, error) {
	if err := o.validate(); err != nil {
		return nil, fmt.Errorf("forward: %w", err)
	}
	if err := t.validate(); err != nil {
		return nil, fmt.Errorf("forward: %w", err)
	}
	if o.AWSCLI == "" {
		o.AWSCLI = DefaultAWSCLI
	}
	if o.ReadyTimeout <= 0 {
		o.ReadyTimeout = DefaultReadyTimeout
	}
	port, err := localPort(t)
	if err != nil {
		return nil, err
	}
	proc, err := ssmsession.Start(ssmsession.Command{CLI: o.AWSCLI, Args: Args(o, t, port), Log: o.Log})
	if err != nil {
		if ssmsession.NotFound(err) {
			return nil, fmt.Errorf("forward %s: %w: %q: install the AWS CLI v2 and the session-manager-plugin", t.Name, ErrNoCLI, o.AWSCLI)
		}
		return nil, fmt.Errorf("forward %s: start %s: %w", t.Name, o.AWSCLI, err)
	}
	s := &Session{Target: t, LocalPort: port, proc: proc}
	proc.AfterCancel(ctx, s.Close)
	switch err := proc.WaitReady(ctx, o.ReadyTimeout); {
	case err == nil:
		s.SessionID = proc.SessionID()
		return s, nil
	case errors.Is(err, ssmsession.ErrExited):
		s.Close() // the plugin may be left in the group
		return nil, fmt.Errorf("forward %s: %w before opening port %d (%w): %s", t.Name, ErrSessionExited, port, exitErr(proc.WaitErr()), proc.Tail())
	case errors.Is(err, ssmsession.ErrNotReady):
		s.Close()
		return nil, fmt.Errorf("forward %s: %w within %s: %s", t.Name, ErrNotReady, o.ReadyTimeout, proc.Tail())
	default:
		s.Close()
		return nil, fmt.Errorf("forward %s: %w", t.Name, err)
	}
}

// exitErr describes how the session process ended; a clean exit is still an end.
func exitErr(err error) error {
	if err == nil {
		return errors.New("exit status 0")
	}
	return err
}

// localPort checks that the wanted port is free on 127.0.0.1, or picks a free one.
func localPort(t Target) (int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(t.LocalPort)))
	if err != nil {
		return 0, fmt.Errorf("forward %s: %w: 127.0.0.1:%d (%w); choose another with --port %s=PORT", t.Name, ErrPortInUse, t.LocalPort, err, t.Name)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Close ends the session: SIGTERM to its process group (the CLI and its plugin), SIGKILL after a
// grace period. It is safe to call more than once and from several goroutines, and returns once the
// process has been reaped.
func (s *Session) Close() { s.proc.Stop() }

// Run opens every target, writes one line per forward to w (name, local URL, note), and keeps them
// open until ctx ends (Ctrl+C), when it closes them all and returns nil. If a session ends by itself
// it closes the others and returns that session's error.
func Run(ctx context.Context, o Options, targets []Target, w io.Writer) error {
	var sessions []*Session
	closeAll := func() {
		var wg sync.WaitGroup
		for _, s := range sessions {
			wg.Add(1)
			go func() { defer wg.Done(); s.Close() }()
		}
		wg.Wait()
	}
	defer closeAll()
	for _, t := range targets {
		s, err := Start(ctx, o, t)
		if err != nil && ctx.Err() != nil {
			return nil // interrupted while opening: the operator asked to stop
		}
		if err != nil {
			return err
		}
		sessions = append(sessions, s)
		line := fmt.Sprintf("%-10s %s", t.Name, s.URL())
		if t.Note != "" {
			line += "  (" + t.Note + ")"
		}
		fmt.Fprintln(w, line)
	}
	fmt.Fprintln(w, "forwarding; press Ctrl+C to close the sessions")
	ended := make(chan *Session, len(sessions))
	for _, s := range sessions {
		go func() {
			select {
			case <-s.Done():
				ended <- s
			case <-ctx.Done():
			}
		}()
	}
	select {
	case <-ctx.Done():
		return nil
	case s := <-ended:
		if ctx.Err() != nil {
			return nil
		}
		return s.Err()
	}
}
