package ssmrun

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/londonaicentre/flip-hub/internal/progress"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// WaitOnline polls DescribeInstanceInformation until instanceID reports PingStatus Online. After
// PingTimeout it returns a *NotOnlineError. An instance SSM does not know yet (absent from the list,
// or InvalidInstanceId) is waited for like an offline one, since a new instance registers only once
// its agent starts; any other error ends the wait at once.
func (r *Runner) WaitOnline(ctx context.Context, instanceID string) error {
	if err := r.validate(instanceID); err != nil {
		return err
	}
	start := time.Now()
	deadline := start.Add(r.pingTimeout())
	beat := progress.Start(r.Heartbeat, "waiting for "+instanceID+" to come online in SSM")
	defer beat.Stop()
	last, reported := "", false
	var lastErr error
	for {
		status, err := r.PingStatus(ctx, instanceID)
		var invalid *types.InvalidInstanceId
		switch {
		case err == nil:
			lastErr = nil
		case errors.As(err, &invalid):
			status, lastErr = "", err
		default:
			return err
		}
		if status == string(types.PingStatusOnline) {
			return nil
		}
		if status != last || !reported {
			beat.Hide(func() { r.logf("ssm: waiting for %s to come online (%s)", instanceID, pingDescription(status)) })
			last, reported = status, true
		}
		if !time.Now().Before(deadline) {
			return &NotOnlineError{InstanceID: instanceID, LastPingStatus: last, Waited: time.Since(start), Err: lastErr}
		}
		if err := sleep(ctx, min(r.poll(), time.Until(deadline))); err != nil {
			return fmt.Errorf("wait for %s to come online in ssm: %w", instanceID, err)
		}
	}
}

// PingStatus returns instanceID's current SSM PingStatus (Online, ConnectionLost or Inactive), or ""
// when SSM does not list the instance. Throttled calls are retried.
func (r *Runner) PingStatus(ctx context.Context, instanceID string) (string, error) {
	if err := r.validate(instanceID); err != nil {
		return "", err
	}
	var out *ssm.DescribeInstanceInformationOutput
	err := r.call(ctx, "DescribeInstanceInformation", func(ctx context.Context) (err error) {
		out, err = r.API.DescribeInstanceInformation(ctx, &ssm.DescribeInstanceInformationInput{
			Filters: []types.InstanceInformationStringFilter{{Key: aws.String("InstanceIds"), Values: []string{instanceID}}},
		})
		return err
	})
	if err != nil {
		return "", fmt.Errorf("ssm ping status of %s: %w", instanceID, err)
	}
	for _, info := range out.InstanceInformationList {
		if aws.ToString(info.InstanceId) == instanceID {
			return string(info.PingStatus), nil
		}
	}
	return "", nil
}

func pingDescription(status string) string {
	if status == "" {
		return "not registered with ssm yet"
	}
	return "ping status " + status
}

// firstPoll is the first interval between sending a command and asking for its status; each
// interval after it doubles, up to the Runner's Poll. A command that finishes at once (a
// registration, an idempotent re-run) is seen within a fraction of a second, and a long one
// (a deploy takes minutes) costs no more calls than polling at Poll would, plus a few.
const firstPoll = 250 * time.Millisecond

// wait polls GetCommandInvocation until the command reaches a terminal status, filling res and
// copying new output to r.Out as it appears.
func (r *Runner) wait(ctx context.Context, res *Result, opts Options) error {
	sent := time.Now()
	var printed outputCursor
	last := types.CommandInvocationStatus("")
	beat := progress.Start(r.Heartbeat, "ssm command "+res.CommandID+" on "+res.InstanceID)
	defer beat.Stop()
	interval := min(firstPoll, r.poll())
	for {
		if err := sleep(ctx, interval); err != nil {
			return err
		}
		interval = min(2*interval, r.poll())
		var out *ssm.GetCommandInvocationOutput
		err := r.call(ctx, "GetCommandInvocation", func(ctx context.Context) (err error) {
			out, err = r.API.GetCommandInvocation(ctx, &ssm.GetCommandInvocationInput{
				CommandId:  aws.String(res.CommandID),
				InstanceId: aws.String(res.InstanceID),
			})
			return err
		})
		var notYet *types.InvocationDoesNotExist
		switch {
		case errors.As(err, &notYet) && time.Since(sent) < r.invocationWait():
			continue
		case err != nil:
			return fmt.Errorf("ssm command %s on %s: %w", res.CommandID, res.InstanceID, err)
		}

		res.Status = out.Status
		res.StatusDetails = aws.ToString(out.StatusDetails)
		res.ResponseCode = out.ResponseCode
		res.Stdout = aws.ToString(out.StandardOutputContent)
		res.Stderr = aws.ToString(out.StandardErrorContent)
		if res.Status != last {
			beat.Hide(func() { r.logf("ssm: command %s on %s: %s", res.CommandID, res.InstanceID, res.Status) })
			last = res.Status
		}

		switch res.Status {
		case types.CommandInvocationStatusSuccess,
			types.CommandInvocationStatusFailed,
			types.CommandInvocationStatusCancelled,
			types.CommandInvocationStatusTimedOut:
			beat.Stop()
			printed.flush(r.out(), res)
			r.warnTruncated(res, opts)
			if res.Status == types.CommandInvocationStatusSuccess {
				return nil
			}
			return &CommandError{
				CommandID:     res.CommandID,
				InstanceID:    res.InstanceID,
				Status:        res.Status,
				StatusDetails: res.StatusDetails,
				ResponseCode:  res.ResponseCode,
			}
		default:
			// Pending, InProgress, Delayed, Cancelling, and any status added after this was
			// written: keep polling until a terminal status or the deadline.
			beat.Hide(func() { printed.stdout(r.out(), res.Stdout) })
		}
	}
}

// warnTruncated logs when SSM has cut the output short and no log group holds the rest.
func (r *Runner) warnTruncated(res *Result, opts Options) {
	if opts.CloudWatchLogGroup != "" {
		return
	}
	if len([]rune(res.Stdout)) >= outputLimit || len([]rune(res.Stderr)) >= outputLimit {
		r.logf("ssm: command %s output reached ssm's %d-character limit and may be truncated; set a CloudWatch log group for the full output",
			res.CommandID, outputLimit)
	}
}

// outputCursor remembers how much of each stream has been written, so output is copied once.
type outputCursor struct{ out, err int }

// stdout writes the part of s not yet written.
func (c *outputCursor) stdout(w io.Writer, s string) {
	if len(s) > c.out {
		_, _ = io.WriteString(w, s[c.out:])
		c.out = len(s)
	}
}

// flush writes whatever of both streams has not been written yet, stdout first.
func (c *outputCursor) flush(w io.Writer, res *Result) {
	c.stdout(w, res.Stdout)
	if len(res.Stderr) > c.err {
		_, _ = io.WriteString(w, res.Stderr[c.err:])
		c.err = len(res.Stderr)
	}
}
