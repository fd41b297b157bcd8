package main

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/londonaicentre/flip-hub/internal/deploy"
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

func newHostRunCmd() *cobra.Command {
	var r ssmrun.ScriptRun
	cmd := &cobra.Command{
		Use:   "run --instance ID --region R [--script FILE|-]",
		Short: "Run a shell script on the hub host through SSM Run Command and wait for it",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return r.Do(cmd.Context(), cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr(), deploy.ResultLine)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&r.Instance, "instance", "", "EC2 instance ID of the hub host (i-…)")
	fl.StringVar(&r.Region, "region", "", "AWS region of the instance")
	fl.StringVar(&r.Script, "script", "-", "script file to run, or - for standard input")
	fl.StringVar(&r.Comment, "comment", "hubctl host run", "comment shown in the SSM console (no secrets)")
	fl.StringVar(&r.LogGroup, "log-group", "", "CloudWatch log group for the command's full output (SSM returns only 24000 characters)")
	fl.StringArrayVar(&r.SecretEnv, "secret-env", nil, "name of an environment variable whose value must not appear in the script (repeatable)")
	fl.DurationVar(&r.Timeout, "timeout", 20*time.Minute, "how long the command may run before it is cancelled")
	fl.DurationVar(&r.PingTimeout, "ping-timeout", 10*time.Minute, "how long to wait for the instance to be Online in SSM")
	fl.DurationVar(&r.Poll, "poll", ssmrun.DefaultPoll, "longest interval between SSM status calls")
	fl.StringVar(&r.Endpoint, "endpoint-url", "", "SSM endpoint override (tests and VPC endpoints)")
	fl.IntVar(&r.ThrottleRetries, "throttle-retries", ssmrun.DefaultThrottleRetries, "retries of a throttled SSM call (negative: none)")
	fl.DurationVar(&r.ThrottleBackoff, "throttle-backoff", ssmrun.DefaultThrottleBackoff, "first delay after a throttled SSM call; doubles each retry")
	for _, hidden := range []string{"endpoint-url", "throttle-retries", "throttle-backoff"} {
		_ = fl.MarkHidden(hidden)
	}
	return cmd
}
