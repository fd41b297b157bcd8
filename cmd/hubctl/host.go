package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/londonaicentre/flip-hub/internal/deploy"
	"github.com/londonaicentre/flip-hub/internal/outcome"
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
		return outcome.Wrap(outcome.Usage, errors.New("host run: --instance is required"))
	case strings.TrimSpace(f.region) == "":
		return outcome.Wrap(outcome.Usage, errors.New("host run: --region is required"))
	case f.timeout <= 0 || f.pingTimeout <= 0 || f.poll <= 0:
		return outcome.Wrap(outcome.Usage, errors.New("host run: --timeout, --ping-timeout and --poll must be positive"))
	}
	commands, err := ssmrun.ReadScript(cmd.InOrStdin(), f.script)
	if err != nil {
		return outcome.Wrap(outcome.Usage, fmt.Errorf("host run: %w", err))
	}
	var secrets []string
	for _, name := range f.secretEnv {
		secrets = append(secrets, os.Getenv(name))
	}
	ctx := cmd.Context()
	client, err := ssmrun.NewClient(ctx, f.region, f.endpointURL)
	if err != nil {
		return outcome.Wrap(outcome.Failed, fmt.Errorf("host run: %w", err))
	}
	out := &ssmrun.LineWriter{W: cmd.OutOrStdout()}
	errOut := cmd.ErrOrStderr()
	r := &ssmrun.Runner{
		API: client, Poll: f.poll, Timeout: f.timeout, PingTimeout: f.pingTimeout,
		ThrottleRetries: f.throttleRetries, ThrottleBackoff: f.throttleBackoff, Out: out,
		Log: func(format string, args ...any) { fmt.Fprintf(errOut, "hubctl: "+format+"\n", args...) },
	}
	res, err := r.Run(ctx, f.instance, commands, ssmrun.Options{
		Comment: f.comment, ExecutionTimeout: f.timeout, CloudWatchLogGroup: f.logGroup, Secrets: secrets,
	})
	out.EndLine()
	if err != nil {
		return outcome.Wrap(outcome.Failed, fmt.Errorf("host run: %s: %w", ssmrun.Explain(err, res, f.instance, f.timeout), err))
	}
	fmt.Fprintln(out, deploy.ResultLine(res.CommandID, f.instance, string(res.Status)))
	return nil
}
