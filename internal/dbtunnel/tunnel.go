package dbtunnel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/londonaicentre/flip-hub/internal/awsid"
	"github.com/londonaicentre/flip-hub/internal/ssmsession"
)

// DocumentName is the Session Manager document that forwards a local port, through the target
// instance, to a host the instance can reach.
const DocumentName = "AWS-StartPortForwardingSessionToRemoteHost"

// Defaults.
const (
	DefaultAWSCLI       = "aws"
	DefaultReadyTimeout = 90 * time.Second
	// startAttempts bounds retries when the free port picked was taken before the plugin bound it.
	startAttempts = 3
)

// Errors; test with errors.Is.
var (
	// ErrSessionExited: the session process ended before its local port was open.
	ErrSessionExited = errors.New("ssm session ended")
	// ErrNotReady: the local port did not open within the ready timeout.
	ErrNotReady = errors.New("ssm session did not open its local port")
	// ErrNoCLI: the aws command could not be started.
	ErrNoCLI = errors.New("aws cli not found")
)

// SessionTerminator ends a Session Manager session; *ssm.Client satisfies it.
type SessionTerminator interface {
	TerminateSession(ctx context.Context, in *ssm.TerminateSessionInput, opts ...func(*ssm.Options)) (*ssm.TerminateSessionOutput, error)
}

// TunnelOptions describe one port-forwarding session.
type TunnelOptions struct {
	// InstanceID is the hub host, the session's target.
	InstanceID string
	// RemoteHost and RemotePort are where the hub host forwards to: the RDS endpoint.
	RemoteHost string
	RemotePort int
	// Region is the AWS region of the instance.
	Region string
	// AWSCLI is the aws command (default "aws" on PATH); it needs the session-manager-plugin.
	AWSCLI string
	// DropEnv names environment variables the session process must not inherit.
	DropEnv []string
	// ReadyTimeout bounds the wait for the local port (default DefaultReadyTimeout).
	ReadyTimeout time.Duration
	// Log, when set, receives the session's own output as it comes.
	Log io.Writer
	// Terminator, when set, also ends the session on the AWS side on Close; otherwise it ends when
	// Session Manager notices the plugin has gone.
	Terminator SessionTerminator
}

var (
	hostRE = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$`)
)

func (o TunnelOptions) validate() error {
	switch {
	case !awsid.Instance(o.InstanceID):
		return fmt.Errorf("instance %q is not an EC2 instance id such as i-0123456789abcdef0 (stack output hubInstanceId)", o.InstanceID)
	case !hostRE.MatchString(o.RemoteHost):
		return fmt.Errorf("database host %q is not a host name (stack output dbAddress)", o.RemoteHost)
	case o.RemotePort < 1 || o.RemotePort > 65535:
		return fmt.Errorf("database port %d is not a TCP port", o.RemotePort)
	case !awsid.Region(o.Region):
		return fmt.Errorf("aws region %q is not a region such as eu-west-2", o.Region)
	}
	return nil
}

// Tunnel is a running port-forwarding session: connect to 127.0.0.1:LocalPort.
type Tunnel struct {
	LocalPort int
	// SessionID is the Session Manager session, once the CLI has reported it.
	SessionID string

	proc      *ssmsession.Process
	term      SessionTerminator
	region    string
	closeOnce sync.Once
	closeErr  error
}

// Open starts a session and returns once its local port is open. The session ends with Close, or
// when ctx ends.
//
// The session is an `aws ssm start-session` subprocess running DocumentName through the hub host,
// because the AWS CLI and its session-manager-plugin are the maintained implementation of the
// Session Manager stream protocol.
func Open(ctx context.Context, o TunnelOptions) (*Tunnel, error) {
	if err := o.validate(); err != nil {
		return nil, fmt.Errorf("ssm tunnel: %w", err)
	}
	if o.AWSCLI == "" {
		o.AWSCLI = DefaultAWSCLI
	}
	if o.ReadyTimeout <= 0 {
		o.ReadyTimeout = DefaultReadyTimeout
	}
	var lastErr error
	for range startAttempts {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		t, err := start(ctx, o, port)
		if err == nil {
			return t, nil
		}
		lastErr = err
		// The port picked can be taken between picking and binding; anything else is final.
		if !strings.Contains(err.Error(), "address already in use") {
			break
		}
	}
	return nil, lastErr
}

// Args is the aws command line of a session forwarding localPort: no secret, by construction.
func Args(o TunnelOptions, localPort int) []string {
	// JSON rather than the key=value shorthand, so no value can be split or reinterpreted.
	params, _ := json.Marshal(map[string][]string{ // a map of strings always marshals
		"host":            {o.RemoteHost},
		"portNumber":      {strconv.Itoa(o.RemotePort)},
		"localPortNumber": {strconv.Itoa(localPort)},
	})
	return []string{
		"ssm", "start-session",
		"--target", o.InstanceID,
		"--document-name", DocumentName,
		"--parameters", string(params),
		"--region", o.Region,
	}
}

func start(ctx context.Context, o TunnelOptions, port int) (*Tunnel, error) {
	proc, err := ssmsession.Start(ssmsession.Command{
		CLI:  o.AWSCLI,
		Args: Args(o, port),
		Env:  filterEnv(os.Environ(), o.DropEnv),
		Log:  o.Log,
	})
	if err != nil {
		if ssmsession.NotFound(err) {
			return nil, fmt.Errorf("ssm tunnel: %w: %q: install the AWS CLI and the session-manager-plugin, or connect with --dsn", ErrNoCLI, o.AWSCLI)
		}
		return nil, fmt.Errorf("ssm tunnel: start %s: %w", o.AWSCLI, err)
	}
	t := &Tunnel{LocalPort: port, proc: proc, term: o.Terminator, region: o.Region}
	proc.AfterCancel(ctx, func() { _ = t.Close() })

	switch err := proc.WaitReady(ctx, o.ReadyTimeout); {
	case err == nil:
		t.SessionID = proc.SessionID()
		return t, nil
	case errors.Is(err, ssmsession.ErrExited):
		return nil, fmt.Errorf("ssm tunnel to %s via %s: %w before opening port %d (%w): %s",
			o.RemoteHost, o.InstanceID, ErrSessionExited, port, proc.WaitErr(), proc.Tail())
	case errors.Is(err, ssmsession.ErrNotReady):
		_ = t.Close()
		return nil, fmt.Errorf("ssm tunnel to %s via %s: %w within %s: %s",
			o.RemoteHost, o.InstanceID, ErrNotReady, o.ReadyTimeout, proc.Tail())
	default:
		_ = t.Close()
		return nil, fmt.Errorf("ssm tunnel: %w", err)
	}
}

// Close ends the session: SIGTERM to its process group (the CLI and its plugin), SIGKILL after a
// grace period, then, with a Terminator, TerminateSession on the AWS side. It is safe to call more
// than once and from several goroutines.
func (t *Tunnel) Close() error {
	t.closeOnce.Do(func() {
		t.proc.Stop()
		if id := t.proc.SessionID(); t.term != nil && id != "" {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if _, err := t.term.TerminateSession(ctx, &ssm.TerminateSessionInput{SessionId: aws.String(id)},
				func(o *ssm.Options) { o.Region = t.region }); err != nil {
				t.closeErr = fmt.Errorf("terminate ssm session %s: %w", id, err)
			}
		}
	})
	return t.closeErr
}

// Done is closed once the session process has exited.
func (t *Tunnel) Done() <-chan struct{} { return t.proc.Done() }

// freePort asks the kernel for a port free on 127.0.0.1, for the plugin to bind.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("ssm tunnel: pick a local port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// filterEnv drops the named variables from env.
func filterEnv(env, drop []string) []string {
	if len(drop) == 0 {
		return env
	}
	out := make([]string, 0, len(env))
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		dropped := false
		for _, d := range drop {
			if name == d {
				dropped = true
				break
			}
		}
		if !dropped {
			out = append(out, kv)
		}
	}
	return out
}
