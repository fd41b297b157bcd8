package ssmrun

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// API is the part of the SSM client the runner uses. *ssm.Client satisfies it.
type API interface {
	DescribeInstanceInformation(ctx context.Context, in *ssm.DescribeInstanceInformationInput, optFns ...func(*ssm.Options)) (*ssm.DescribeInstanceInformationOutput, error)
	SendCommand(ctx context.Context, in *ssm.SendCommandInput, optFns ...func(*ssm.Options)) (*ssm.SendCommandOutput, error)
	GetCommandInvocation(ctx context.Context, in *ssm.GetCommandInvocationInput, optFns ...func(*ssm.Options)) (*ssm.GetCommandInvocationOutput, error)
	CancelCommand(ctx context.Context, in *ssm.CancelCommandInput, optFns ...func(*ssm.Options)) (*ssm.CancelCommandOutput, error)
}

var _ API = (*ssm.Client)(nil)

// DocumentName is the SSM document every command is sent with.
const DocumentName = "AWS-RunShellScript"

// Defaults for zero Runner fields.
const (
	DefaultPoll            = 2 * time.Second
	DefaultTimeout         = 30 * time.Minute
	DefaultPingTimeout     = 5 * time.Minute
	DefaultInvocationWait  = time.Minute
	DefaultThrottleRetries = 8
	DefaultThrottleBackoff = time.Second
)

// SSM limits the runner keeps within.
const (
	maxCommentLen       = 100     // SendCommand Comment
	maxExecutionTimeout = 172800  // AWS-RunShellScript executionTimeout, seconds
	minDeliveryTimeout  = 30      // SendCommand TimeoutSeconds
	maxDeliveryTimeout  = 2592000 // SendCommand TimeoutSeconds
	outputLimit         = 24000   // characters of output GetCommandInvocation returns
	maxThrottleBackoff  = 30 * time.Second
	cancelTimeout       = 30 * time.Second
)

// Runner runs scripts on instances through SSM. Zero fields take the Default values; only API is
// required. A Runner holds no state between calls and may be used concurrently.
type Runner struct {
	// API is the SSM client.
	API API
	// Poll is the interval between DescribeInstanceInformation calls, and the longest between
	// GetCommandInvocation calls (which start at a quarter of a second and double up to it).
	Poll time.Duration
	// Timeout bounds the wait for the command to finish, counted from when SSM accepted it. When it
	// passes, the runner asks SSM to cancel the command and returns an error matching ErrTimedOut.
	// It is also the default for Options.ExecutionTimeout and the command's delivery timeout.
	Timeout time.Duration
	// PingTimeout bounds the wait for the instance to report PingStatus Online.
	PingTimeout time.Duration
	// InvocationWait is how long after sending GetCommandInvocation may keep answering
	// InvocationDoesNotExist before the runner gives up.
	InvocationWait time.Duration
	// ThrottleRetries is how many times a throttled call is retried; negative means never.
	ThrottleRetries int
	// ThrottleBackoff is the first delay after a throttled call; it doubles each retry up to 30s.
	ThrottleBackoff time.Duration
	// Heartbeat, when a terminal, shows the elapsed time of the waits (for the instance, for the
	// command) on a line of its own; nothing is shown when it is nil or not a terminal.
	Heartbeat io.Writer
	// Out receives the script's standard output and then its standard error. Nil discards them.
	Out io.Writer
	// Log receives progress messages (never the script text). Nil discards them.
	Log func(format string, args ...any)
}

// Options are per-command settings.
type Options struct {
	// Comment is shown in the SSM console and ListCommands; truncated to 100 characters.
	Comment string
	// ExecutionTimeout is the executionTimeout parameter: how long the agent lets the script run
	// before killing it. Zero means Runner.Timeout. It is rounded up to whole seconds, 1 to 172800.
	ExecutionTimeout time.Duration
	// CloudWatchLogGroup, when set, makes SSM also send the full output to this log group;
	// GetCommandInvocation returns only the first 24000 characters.
	CloudWatchLogGroup string
	// Secrets are values that must not appear in the commands or the comment. Run refuses to send
	// a command that contains any of them (see CheckNoSecrets).
	Secrets []string
}

// Result is what SSM reported about one command invocation.
type Result struct {
	CommandID     string
	InstanceID    string
	Status        types.CommandInvocationStatus
	StatusDetails string
	// ResponseCode is the script's exit code; -1 when it did not run to completion.
	ResponseCode int32
	Stdout       string
	Stderr       string
}

// Run waits until instanceID is Online in SSM, sends commands as an AWS-RunShellScript command and
// waits for it to finish, copying its output to r.Out. It returns nil only when the command ends in
// Success. Otherwise the error matches one of ErrNotOnline, ErrCommandFailed, ErrCancelled,
// ErrTimedOut, ErrThrottled or ErrSecretInScript, or wraps the SDK error or the context's error.
// Result holds whatever was learnt before the failure, including CommandID once the command was sent.
//
// If ctx ends while the command runs, Run returns at once without cancelling it; the command may
// still be running and can be found by its ID. Commands and the comment must not contain plaintext
// secrets: SSM keeps them.
func (r *Runner) Run(ctx context.Context, instanceID string, commands []string, opts Options) (Result, error) {
	res := Result{InstanceID: instanceID}
	if err := r.validate(instanceID); err != nil {
		return res, err
	}
	if len(commands) == 0 {
		return res, fmt.Errorf("ssmrun: no commands to run on %s", instanceID)
	}
	if err := CheckNoSecrets(strings.Join(commands, "\n")+"\n"+opts.Comment, opts.Secrets...); err != nil {
		return res, fmt.Errorf("ssm command for %s: %w", instanceID, err)
	}
	if err := r.WaitOnline(ctx, instanceID); err != nil {
		return res, err
	}

	id, err := r.send(ctx, instanceID, commands, opts)
	if err != nil {
		return res, err
	}
	res.CommandID = id
	r.logf("ssm: sent command %s to %s (%s)", id, instanceID, orUnknown(opts.Comment))

	runCtx, cancel := context.WithTimeout(ctx, r.timeout())
	defer cancel()
	err = r.wait(runCtx, &res, opts)
	var cmdErr *CommandError
	switch {
	case err == nil, errors.As(err, &cmdErr), runCtx.Err() == nil:
		return res, err
	case ctx.Err() != nil:
		return res, fmt.Errorf("ssm command %s on %s: stopped waiting, the command may still be running: %w", id, instanceID, ctx.Err())
	default:
		return res, r.cancelAfterTimeout(ctx, &res)
	}
}

// validate rejects calls that cannot work before any request is made.
func (r *Runner) validate(instanceID string) error {
	switch {
	case r.API == nil:
		return errors.New("ssmrun: runner has no ssm api client")
	case strings.TrimSpace(instanceID) == "":
		return errors.New("ssmrun: instance id is empty")
	}
	return nil
}

// send issues SendCommand and returns the command ID.
func (r *Runner) send(ctx context.Context, instanceID string, commands []string, opts Options) (string, error) {
	in := &ssm.SendCommandInput{
		DocumentName: aws.String(DocumentName),
		InstanceIds:  []string{instanceID},
		Parameters: map[string][]string{
			"commands":         commands,
			"executionTimeout": {strconv.Itoa(clampSeconds(r.executionTimeout(opts), 1, maxExecutionTimeout))},
		},
		TimeoutSeconds: aws.Int32(int32(clampSeconds(r.timeout(), minDeliveryTimeout, maxDeliveryTimeout))),
	}
	if opts.Comment != "" {
		in.Comment = aws.String(truncate(opts.Comment, maxCommentLen))
	}
	if opts.CloudWatchLogGroup != "" {
		in.CloudWatchOutputConfig = &types.CloudWatchOutputConfig{
			CloudWatchOutputEnabled: true,
			CloudWatchLogGroupName:  aws.String(opts.CloudWatchLogGroup),
		}
	}
	var out *ssm.SendCommandOutput
	err := r.call(ctx, "SendCommand", func(ctx context.Context) (err error) {
		out, err = r.API.SendCommand(ctx, in)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("send ssm command to %s: %w", instanceID, err)
	}
	if out.Command == nil || aws.ToString(out.Command.CommandId) == "" {
		return "", fmt.Errorf("send ssm command to %s: response has no command id", instanceID)
	}
	return aws.ToString(out.Command.CommandId), nil
}

// cancelAfterTimeout asks SSM to cancel the command after Runner.Timeout passed and returns the
// timeout error. It uses a fresh deadline because the run's context has already expired.
func (r *Runner) cancelAfterTimeout(ctx context.Context, res *Result) error {
	r.logf("ssm: command %s on %s still %s after %s; cancelling", res.CommandID, res.InstanceID, orUnknown(string(res.Status)), r.timeout())
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cancelTimeout)
	defer cancel()
	cerr := r.call(cctx, "CancelCommand", func(ctx context.Context) error {
		_, err := r.API.CancelCommand(ctx, &ssm.CancelCommandInput{
			CommandId:   aws.String(res.CommandID),
			InstanceIds: []string{res.InstanceID},
		})
		return err
	})
	if cerr != nil {
		r.logf("ssm: cancel command %s: %v", res.CommandID, cerr)
	}
	return &CommandError{
		CommandID:     res.CommandID,
		InstanceID:    res.InstanceID,
		Status:        res.Status,
		StatusDetails: res.StatusDetails,
		ResponseCode:  res.ResponseCode,
		Local:         true,
		CancelErr:     cerr,
	}
}

func (r *Runner) logf(format string, args ...any) {
	if r.Log != nil {
		r.Log(format, args...)
	}
}

func (r *Runner) out() io.Writer {
	if r.Out == nil {
		return io.Discard
	}
	return r.Out
}

func (r *Runner) poll() time.Duration        { return orDefault(r.Poll, DefaultPoll) }
func (r *Runner) timeout() time.Duration     { return orDefault(r.Timeout, DefaultTimeout) }
func (r *Runner) pingTimeout() time.Duration { return orDefault(r.PingTimeout, DefaultPingTimeout) }
func (r *Runner) invocationWait() time.Duration {
	return orDefault(r.InvocationWait, DefaultInvocationWait)
}

func (r *Runner) executionTimeout(opts Options) time.Duration {
	return orDefault(opts.ExecutionTimeout, r.timeout())
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// clampSeconds rounds d up to whole seconds and clamps it to [lo, hi].
func clampSeconds(d time.Duration, lo, hi int) int {
	s := math.Ceil(d.Seconds())
	return int(max(float64(lo), min(float64(hi), s)))
}

// truncate shortens s to at most n runes.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
