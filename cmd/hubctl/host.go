package main

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
	"github.com/spf13/cobra"

	"github.com/londonaicentre/flip-hub/internal/deploy"
	"github.com/londonaicentre/flip-hub/internal/release"
	"github.com/londonaicentre/flip-hub/internal/ssmrun"
)

func newHostCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "host",
		Short: "Work on the hub host over SSM (it has no SSH)",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newHostRunCmd())
	return cmd
}

// hostRunFlags are the settings of `hubctl host run`.
type hostRunFlags struct {
	instance    string
	region      string
	script      string
	comment     string
	logGroup    string
	endpointURL string
	secretEnv   []string
	timeout     time.Duration
	pingTimeout time.Duration
	poll        time.Duration
	// throttleRetries and throttleBackoff tune ssmrun's handling of throttled calls.
	throttleRetries int
	throttleBackoff time.Duration
}

func newHostRunCmd() *cobra.Command {
	var f hostRunFlags
	cmd := &cobra.Command{
		Use:   "run --instance ID --region R [--script FILE|-]",
		Short: "Run a shell script on the hub host through SSM Run Command and wait for it",
		Long: "Waits until the instance's SSM agent is Online, sends the script as an AWS-RunShellScript\n" +
			"command, polls it to a terminal status, prints its output and a final line\n" +
			"`hubctl: ssm command <id> on <instance>: Success`.\n\n" +
			"Exit code 0 when the command succeeded; 1 when the instance is not online, the script\n" +
			"failed, the command was cancelled or timed out, or SSM kept throttling; 2 for a bad\n" +
			"command line. SSM stores the script and its output, so never put a secret in it: read\n" +
			"secrets on the host from Secrets Manager with the instance role.\n\n" +
			"The SSM endpoint can be overridden with --endpoint-url or AWS_ENDPOINT_URL_SSM.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runHost(cmd, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.instance, "instance", "", "EC2 instance ID of the hub host (i-…)")
	fl.StringVar(&f.region, "region", "", "AWS region of the instance")
	fl.StringVar(&f.script, "script", "-", "script file to run, or - for standard input")
	fl.StringVar(&f.comment, "comment", "hubctl host run", "comment shown in the SSM console (no secrets)")
	fl.StringVar(&f.logGroup, "log-group", "", "CloudWatch log group for the command's full output (SSM returns only 24000 characters)")
	fl.StringArrayVar(&f.secretEnv, "secret-env", nil, "name of an environment variable whose value must not appear in the script (repeatable)")
	fl.DurationVar(&f.timeout, "timeout", 20*time.Minute, "how long the command may run before it is cancelled")
	fl.DurationVar(&f.pingTimeout, "ping-timeout", 10*time.Minute, "how long to wait for the instance to be Online in SSM")
	fl.DurationVar(&f.poll, "poll", ssmrun.DefaultPoll, "interval between SSM status calls")
	fl.StringVar(&f.endpointURL, "endpoint-url", "", "SSM endpoint override (tests and VPC endpoints)")
	fl.IntVar(&f.throttleRetries, "throttle-retries", ssmrun.DefaultThrottleRetries, "retries of a throttled SSM call (negative: none)")
	fl.DurationVar(&f.throttleBackoff, "throttle-backoff", ssmrun.DefaultThrottleBackoff, "first delay after a throttled SSM call; doubles each retry")
	_ = fl.MarkHidden("endpoint-url")
	_ = fl.MarkHidden("throttle-retries")
	_ = fl.MarkHidden("throttle-backoff")
	return cmd
}

func runHost(cmd *cobra.Command, f hostRunFlags) error {
	switch {
	case strings.TrimSpace(f.instance) == "":
		return withCode(exitUsage, errors.New("host run: --instance is required"))
	case strings.TrimSpace(f.region) == "":
		return withCode(exitUsage, errors.New("host run: --region is required"))
	case f.timeout <= 0 || f.pingTimeout <= 0 || f.poll <= 0:
		return withCode(exitUsage, errors.New("host run: --timeout, --ping-timeout and --poll must be positive"))
	}
	script, err := readScript(cmd.InOrStdin(), f.script)
	if err != nil {
		return withCode(exitUsage, fmt.Errorf("host run: %w", err))
	}
	var secrets []string
	for _, name := range f.secretEnv {
		secrets = append(secrets, os.Getenv(name))
	}

	ctx := cmd.Context()
	client, err := newSSMClient(ctx, f.region, f.endpointURL)
	if err != nil {
		return withCode(int(release.Failed), fmt.Errorf("host run: %w", err))
	}
	out := &trackingWriter{w: cmd.OutOrStdout()}
	errOut := cmd.ErrOrStderr()
	r := &ssmrun.Runner{
		API:             client,
		Poll:            f.poll,
		Timeout:         f.timeout,
		PingTimeout:     f.pingTimeout,
		ThrottleRetries: f.throttleRetries,
		ThrottleBackoff: f.throttleBackoff,
		Out:             out,
		Log:             func(format string, args ...any) { fmt.Fprintf(errOut, "hubctl: "+format+"\n", args...) },
	}
	res, err := r.Run(ctx, f.instance, commandsOf(script), ssmrun.Options{
		Comment:            f.comment,
		ExecutionTimeout:   f.timeout,
		CloudWatchLogGroup: f.logGroup,
		Secrets:            secrets,
	})
	out.endLine()
	if err != nil {
		return withCode(int(release.Failed), fmt.Errorf("host run: %s: %w", cause(err, res, f), err))
	}
	fmt.Fprintln(out, deploy.ResultLine(res.CommandID, f.instance, string(res.Status)))
	return nil
}

// readScript reads the script from a file, or from stdin for "-".
func readScript(stdin io.Reader, path string) (string, error) {
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
		return "", fmt.Errorf("read script %s: %w", path, err)
	}
	if strings.TrimSpace(string(b)) == "" {
		return "", fmt.Errorf("script %s is empty", path)
	}
	return string(b), nil
}

// commandsOf turns a script into AWS-RunShellScript commands: as written when it starts with
// its own interpreter line, otherwise behind ssmrun's bash preamble (errexit, nounset, pipefail).
func commandsOf(script string) []string {
	lines := strings.Split(strings.TrimSuffix(strings.ReplaceAll(script, "\r\n", "\n"), "\n"), "\n")
	if strings.HasPrefix(lines[0], "#!") {
		return lines
	}
	return ssmrun.Script(lines...)
}

// cause names, for an operator, why the run failed.
func cause(err error, res ssmrun.Result, f hostRunFlags) string {
	var cmdErr *ssmrun.CommandError
	switch {
	case errors.Is(err, ssmrun.ErrSecretInScript):
		return "refused to send the script"
	case errors.Is(err, ssmrun.ErrNotOnline):
		return fmt.Sprintf("instance %s is not online in SSM", f.instance)
	case errors.Is(err, ssmrun.ErrThrottled):
		return "SSM throttled the requests beyond the retries"
	case errors.Is(err, ssmrun.ErrTimedOut) && errors.As(err, &cmdErr) && cmdErr.Local:
		return fmt.Sprintf("the command did not finish within --timeout %s", f.timeout)
	case errors.Is(err, ssmrun.ErrTimedOut):
		return "the command timed out on the host"
	case errors.Is(err, ssmrun.ErrCancelled):
		return "the command was cancelled"
	case errors.Is(err, ssmrun.ErrCommandFailed):
		return fmt.Sprintf("the script failed on %s (exit code %d)", f.instance, res.ResponseCode)
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return "interrupted"
	default:
		return "ssm error"
	}
}

// newSSMClient builds the SSM client from the default credential chain. Throttling is left to
// ssmrun, which retries it with a longer, logged backoff, so the SDK's retryer retries only
// transient network and server errors and keeps no client-side retry quota.
func newSSMClient(ctx context.Context, region, endpoint string) (*ssm.Client, error) {
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

// trackingWriter remembers whether the output so far ends a line, so the result line always
// starts on its own.
type trackingWriter struct {
	w       io.Writer
	written bool
	last    byte
}

func (t *trackingWriter) Write(p []byte) (int, error) {
	n, err := t.w.Write(p)
	if n > 0 {
		t.written, t.last = true, p[n-1]
	}
	return n, err
}

func (t *trackingWriter) endLine() {
	if t.written && t.last != '\n' {
		_, _ = t.Write([]byte{'\n'})
	}
}
