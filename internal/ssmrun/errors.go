package ssmrun

import (
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// Sentinel errors; match them with errors.Is. The concrete errors carry the details.
var (
	// ErrNotOnline means the instance's SSM agent did not report Online within PingTimeout.
	ErrNotOnline = errors.New("instance not online in ssm")
	// ErrCommandFailed means the command ended with status Failed (non-zero exit code, or the
	// command could not be delivered or run).
	ErrCommandFailed = errors.New("ssm command failed")
	// ErrCancelled means the command ended with status Cancelled.
	ErrCancelled = errors.New("ssm command cancelled")
	// ErrTimedOut means the command ended with status TimedOut, or Runner.Timeout passed first.
	ErrTimedOut = errors.New("ssm command timed out")
	// ErrThrottled means an SSM call was still throttled after every retry.
	ErrThrottled = errors.New("throttled beyond retries")
	// ErrSecretInScript means a script or comment contains one of the secrets it was checked against.
	ErrSecretInScript = errors.New("script contains a secret")
)

// NotOnlineError reports an instance whose SSM agent never reported Online. It matches ErrNotOnline.
type NotOnlineError struct {
	InstanceID string
	// LastPingStatus is the last PingStatus SSM reported (Online, ConnectionLost, Inactive), or ""
	// when the instance never appeared in DescribeInstanceInformation at all.
	LastPingStatus string
	// Waited is how long the runner waited.
	Waited time.Duration
	// Err is the last error SSM returned while waiting (for example InvalidInstanceId), if any.
	Err error
}

func (e *NotOnlineError) Error() string {
	last := "it is not registered with ssm"
	if e.LastPingStatus != "" {
		last = "last ping status " + e.LastPingStatus
	}
	return fmt.Sprintf("instance %s not online in ssm after %s (%s): check that the SSM agent is running on it, "+
		"that its instance profile grants AmazonSSMManagedInstanceCore, and that it can reach SSM "+
		"(VPC endpoints for ssm, ssmmessages and ec2messages, or a NAT route)",
		e.InstanceID, e.Waited.Round(time.Millisecond), last)
}

// Is reports whether target is ErrNotOnline.
func (e *NotOnlineError) Is(target error) bool { return target == ErrNotOnline }

// Unwrap returns the last SSM error seen while waiting.
func (e *NotOnlineError) Unwrap() error { return e.Err }

// CommandError reports a command that ended other than in Success, or that outlived Runner.Timeout.
// It matches ErrCommandFailed, ErrCancelled or ErrTimedOut.
type CommandError struct {
	CommandID  string
	InstanceID string
	// Status is the last invocation status SSM reported.
	Status types.CommandInvocationStatus
	// StatusDetails is SSM's detail for Status, such as ExecutionTimedOut or Undeliverable.
	StatusDetails string
	// ResponseCode is the script's exit code; -1 when it never ran to completion.
	ResponseCode int32
	// Local is true when Runner.Timeout passed before SSM reported a terminal status.
	Local bool
	// CancelErr is why CancelCommand failed after a local timeout; nil if it succeeded.
	CancelErr error
}

func (e *CommandError) Error() string {
	if e.Local {
		msg := fmt.Sprintf("ssm command %s on %s: timed out waiting (last status %s)", e.CommandID, e.InstanceID, orUnknown(string(e.Status)))
		if e.CancelErr != nil {
			return msg + fmt.Sprintf("; cancel failed, it may still be running: %v", e.CancelErr)
		}
		return msg + "; cancel requested"
	}
	msg := fmt.Sprintf("ssm command %s on %s: status %s", e.CommandID, e.InstanceID, e.Status)
	if e.StatusDetails != "" && e.StatusDetails != string(e.Status) {
		msg += " (" + e.StatusDetails + ")"
	}
	return msg + fmt.Sprintf(", exit code %d", e.ResponseCode)
}

// Is reports whether target is the sentinel for this outcome.
func (e *CommandError) Is(target error) bool {
	switch {
	case e.Local || e.Status == types.CommandInvocationStatusTimedOut:
		return target == ErrTimedOut
	case e.Status == types.CommandInvocationStatusCancelled:
		return target == ErrCancelled
	default:
		return target == ErrCommandFailed
	}
}

// ThrottledError reports an SSM call that stayed throttled through every retry. It matches
// ErrThrottled and unwraps to the last throttling error.
type ThrottledError struct {
	// Op is the SSM operation, such as GetCommandInvocation.
	Op string
	// Attempts is how many times it was tried.
	Attempts int
	Err      error
}

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("ssm %s: throttled beyond retries (%d attempts): %v", e.Op, e.Attempts, e.Err)
}

// Is reports whether target is ErrThrottled.
func (e *ThrottledError) Is(target error) bool { return target == ErrThrottled }

// Unwrap returns the last throttling error.
func (e *ThrottledError) Unwrap() error { return e.Err }

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
