package ssmrun

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/londonaicentre/flip-hub/internal/outcome"
)

// ReadScript reads a script from a file, or from stdin for "-", and returns its AWS-RunShellScript
// commands: as written when it starts with its own interpreter line, otherwise behind Preamble.
func ReadScript(stdin io.Reader, path string) ([]string, error) {
	var (
		b   []byte
		err error
	)
	if path == "-" {
		b, err = io.ReadAll(stdin)
	} else {
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("read script %s: %w", path, err)
	}
	text := string(b)
	if strings.TrimSpace(text) == "" {
		return nil, fmt.Errorf("script %s is empty", path)
	}
	lines := strings.Split(strings.TrimSuffix(strings.ReplaceAll(text, "\r\n", "\n"), "\n"), "\n")
	if strings.HasPrefix(lines[0], "#!") {
		return lines, nil
	}
	return Script(lines...), nil
}

// Explain names, for an operator, why a Run on instance failed; timeout is the run's own limit.
func Explain(err error, res Result, instance string, timeout time.Duration) string {
	var cmdErr *CommandError
	switch {
	case errors.Is(err, ErrSecretInScript):
		return "refused to send the script"
	case errors.Is(err, ErrNotOnline):
		return fmt.Sprintf("instance %s is not online in SSM", instance)
	case errors.Is(err, ErrThrottled):
		return "SSM throttled the requests beyond the retries"
	case errors.Is(err, ErrTimedOut) && errors.As(err, &cmdErr) && cmdErr.Local:
		return fmt.Sprintf("the command did not finish within --timeout %s", timeout)
	case errors.Is(err, ErrTimedOut):
		return "the command timed out on the host"
	case errors.Is(err, ErrCancelled):
		return "the command was cancelled"
	case errors.Is(err, ErrCommandFailed):
		return fmt.Sprintf("the script failed on %s (exit code %d)", instance, res.ResponseCode)
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return "interrupted"
	default:
		return "ssm error"
	}
}

// NewClient builds an SSM client from the default credential chain in region (endpoint, when
// set, overrides the service's). Throttling is left to the Runner, which retries it with a longer,
// logged backoff, so the SDK's retryer retries only transient network and server errors and keeps
// no client-side retry quota.
func NewClient(ctx context.Context, region, endpoint string) (*ssm.Client, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx,
		awsconfig.WithRegion(region),
		awsconfig.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.Retryables = []retry.IsErrorRetryable{
					retry.NoRetryCanceledError{},
					retry.RetryableError{},
					retry.RetryableConnectionError{},
					retry.RetryableHTTPStatusCode{Codes: retry.DefaultRetryableHTTPStatusCodes},
					retry.RetryableErrorCode{Codes: retry.DefaultRetryableErrorCodes},
				}
				o.RateLimiter = ratelimit.None
			})
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("aws config: %w", err)
	}
	return ssm.NewFromConfig(cfg, func(o *ssm.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
	}), nil
}

// LineWriter passes writes through and remembers whether the output so far ends a line, so a
// final line can always start on its own (EndLine).
type LineWriter struct {
	W       io.Writer
	written bool
	last    byte
}

func (t *LineWriter) Write(p []byte) (int, error) {
	n, err := t.W.Write(p)
	if n > 0 {
		t.written, t.last = true, p[n-1]
	}
	return n, err
}

// EndLine writes a newline unless the output is empty or already ends one.
func (t *LineWriter) EndLine() {
	if t.written && t.last != '\n' {
		_, _ = t.Write([]byte{'\n'})
	}
}

// ScriptRun is one script sent to an instance and waited for (`hubctl host run`).
type ScriptRun struct {
	// Instance and Region say where; Endpoint overrides the SSM endpoint (tests, VPC endpoints).
	Instance, Region, Endpoint string
	// Script is a file, or "-" for stdin.
	Script string
	// Comment is shown in the SSM console; LogGroup receives the full output.
	Comment, LogGroup string
	// SecretEnv names environment variables whose values must not appear in the script.
	SecretEnv []string
	// Timeout bounds the command, PingTimeout the wait for the instance, Poll the status calls.
	Timeout, PingTimeout, Poll time.Duration
	// ThrottleRetries and ThrottleBackoff tune the handling of throttled calls.
	ThrottleRetries int
	ThrottleBackoff time.Duration
}

// Do runs the script, copying its output to stdout and ending with deploy's result line, and its
// own progress to stderr. Errors carry their outcome: usage for a bad run, failed otherwise.
func (s ScriptRun) Do(ctx context.Context, stdin io.Reader, stdout, stderr io.Writer, resultLine func(id, instance, status string) string) error {
	switch {
	case strings.TrimSpace(s.Instance) == "":
		return outcome.Wrap(outcome.Usage, errors.New("host run: --instance is required"))
	case strings.TrimSpace(s.Region) == "":
		return outcome.Wrap(outcome.Usage, errors.New("host run: --region is required"))
	case s.Timeout <= 0 || s.PingTimeout <= 0 || s.Poll <= 0:
		return outcome.Wrap(outcome.Usage, errors.New("host run: --timeout, --ping-timeout and --poll must be positive"))
	}
	commands, err := ReadScript(stdin, s.Script)
	if err != nil {
		return outcome.Wrap(outcome.Usage, fmt.Errorf("host run: %w", err))
	}
	var secrets []string
	for _, name := range s.SecretEnv {
		secrets = append(secrets, os.Getenv(name))
	}
	client, err := NewClient(ctx, s.Region, s.Endpoint)
	if err != nil {
		return outcome.Wrap(outcome.Failed, fmt.Errorf("host run: %w", err))
	}
	out := &LineWriter{W: stdout}
	r := &Runner{
		API: client, Poll: s.Poll, Timeout: s.Timeout, PingTimeout: s.PingTimeout,
		ThrottleRetries: s.ThrottleRetries, ThrottleBackoff: s.ThrottleBackoff, Out: out, Heartbeat: stderr,
		Log: func(format string, args ...any) { fmt.Fprintf(stderr, "hubctl: "+format+"\n", args...) },
	}
	res, err := r.Run(ctx, s.Instance, commands, Options{
		Comment: s.Comment, ExecutionTimeout: s.Timeout, CloudWatchLogGroup: s.LogGroup, Secrets: secrets,
	})
	out.EndLine()
	if err != nil {
		return outcome.Wrap(outcome.Failed, fmt.Errorf("host run: %s: %w", Explain(err, res, s.Instance, s.Timeout), err))
	}
	_, err = fmt.Fprintln(out, resultLine(res.CommandID, s.Instance, string(res.Status)))
	return err
}
