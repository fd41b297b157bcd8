package ssmrun_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/londonaicentre/flip-hub/internal/ssmrun"
	"github.com/londonaicentre/flip-hub/internal/testmoto"
)

const (
	instance  = "i-0123456789abcdef0"
	commandID = "11111111-2222-3333-4444-555555555555"
)

// sentinels are every error kind Run can report; exactly one (or none) must match any error.
var sentinels = []error{
	ssmrun.ErrNotOnline, ssmrun.ErrCommandFailed, ssmrun.ErrCancelled,
	ssmrun.ErrTimedOut, ssmrun.ErrThrottled, ssmrun.ErrSecretInScript,
}

// errPlain stands for "an error that matches none of the sentinels" in assertKind.
var errPlain = errors.New("an error matching no sentinel")

// assertKind fails unless err matches want and no other sentinel. want nil means err must be nil;
// want errPlain means err must be non-nil and match no sentinel.
func assertKind(t *testing.T, err, want error) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("err = %v, want nil", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("err = nil, want %v", want)
	}
	for _, s := range sentinels {
		if got := errors.Is(err, s); got != errors.Is(want, s) {
			t.Fatalf("errors.Is(err, %q) = %v; err = %v", s, got, err)
		}
	}
}

// logSink collects Runner.Log output.
type logSink struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logSink) logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(&l.b, format+"\n", args...)
}

func (l *logSink) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// newRunner returns a runner on f's real SSM client with millisecond polling and generous
// deadlines, so only tests about deadlines ever hit one.
func newRunner(f *fakeSSM) (*ssmrun.Runner, *bytes.Buffer, *logSink) {
	out, logs := &bytes.Buffer{}, &logSink{}
	return &ssmrun.Runner{
		API:             f.client(),
		Poll:            time.Millisecond,
		Timeout:         time.Minute,
		PingTimeout:     time.Minute,
		ThrottleBackoff: time.Millisecond,
		Out:             out,
		Log:             logs.logf,
	}, out, logs
}

// happy is a script where the instance is online and the command is accepted; tests add the
// GetCommandInvocation answers.
func happy(invocations ...reply) map[string][]reply {
	return map[string][]reply{
		"DescribeInstanceInformation": {online(instance)},
		"SendCommand":                 {sent(commandID)},
		"GetCommandInvocation":        invocations,
	}
}

var script = ssmrun.Script("echo deploying", "docker compose up -d")

func TestRunTerminalStatuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		invocations []reply
		wantErr     error
		wantStatus  types.CommandInvocationStatus
		wantCode    int32
		wantGets    int
		wantOut     string
		wantErrText []string
		wantDetails string
	}{
		{
			name:        "pending, in progress and delayed then success",
			invocations: []reply{inv("Pending"), inv("InProgress"), inv("Delayed"), success("deployed\n")},
			wantStatus:  "Success", wantGets: 4, wantOut: "deployed\n", wantDetails: "Success",
		},
		{
			name:        "invocation not visible yet then success",
			invocations: seq(repeat(3, apiErr("InvocationDoesNotExist")), []reply{success("ok\n")}),
			wantStatus:  "Success", wantGets: 4, wantOut: "ok\n", wantDetails: "Success",
		},
		{
			name:        "status added after this was written keeps polling",
			invocations: []reply{inv("Queued"), success("")},
			wantStatus:  "Success", wantGets: 2, wantDetails: "Success",
		},
		{
			name:        "failed with exit code",
			invocations: []reply{inv("InProgress"), invocation{status: "Failed", details: "Failed", code: 3, stdout: "pulling\n", stderr: "boom\n"}.reply()},
			wantErr:     ssmrun.ErrCommandFailed, wantStatus: "Failed", wantCode: 3, wantGets: 2,
			wantOut: "pulling\nboom\n", wantDetails: "Failed",
			wantErrText: []string{commandID, instance, "status Failed", "exit code 3"},
		},
		{
			name:        "undeliverable",
			invocations: []reply{invocation{status: "Failed", details: "Undeliverable", code: -1}.reply()},
			wantErr:     ssmrun.ErrCommandFailed, wantStatus: "Failed", wantCode: -1, wantGets: 1, wantDetails: "Undeliverable",
			wantErrText: []string{"(Undeliverable)", "exit code -1"},
		},
		{
			name:        "cancelling then cancelled",
			invocations: []reply{inv("InProgress"), inv("Cancelling"), inv("Cancelled")},
			wantErr:     ssmrun.ErrCancelled, wantStatus: "Cancelled", wantCode: -1, wantGets: 3, wantDetails: "Cancelled",
			wantErrText: []string{"status Cancelled"},
		},
		{
			name:        "timed out on the instance",
			invocations: []reply{inv("InProgress"), invocation{status: "TimedOut", details: "ExecutionTimedOut", code: -1, stdout: "half\n"}.reply()},
			wantErr:     ssmrun.ErrTimedOut, wantStatus: "TimedOut", wantCode: -1, wantGets: 2, wantOut: "half\n", wantDetails: "ExecutionTimedOut",
			wantErrText: []string{"status TimedOut (ExecutionTimedOut)"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeSSM(t, happy(tc.invocations...))
			r, out, _ := newRunner(f)

			res, err := r.Run(context.Background(), instance, script, ssmrun.Options{Comment: "deploy"})
			assertKind(t, err, tc.wantErr)
			for _, want := range tc.wantErrText {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
			if res.CommandID != commandID || res.InstanceID != instance {
				t.Errorf("result ids = %q/%q, want %q/%q", res.CommandID, res.InstanceID, commandID, instance)
			}
			if res.Status != tc.wantStatus || res.ResponseCode != tc.wantCode || res.StatusDetails != tc.wantDetails {
				t.Errorf("result = %s (%s) code %d, want %s (%s) code %d",
					res.Status, res.StatusDetails, res.ResponseCode, tc.wantStatus, tc.wantDetails, tc.wantCode)
			}
			if got := out.String(); got != tc.wantOut {
				t.Errorf("output = %q, want %q", got, tc.wantOut)
			}
			if got := f.count("GetCommandInvocation"); got != tc.wantGets {
				t.Errorf("GetCommandInvocation called %d times, want %d", got, tc.wantGets)
			}
			if got := f.count("CancelCommand"); got != 0 {
				t.Errorf("CancelCommand called %d times for a command ssm finished", got)
			}
			var cmdErr *ssmrun.CommandError
			if tc.wantErr != nil {
				if !errors.As(err, &cmdErr) || cmdErr.Local || cmdErr.ResponseCode != tc.wantCode || cmdErr.CommandID != commandID {
					t.Errorf("error %#v; want a remote *CommandError for %s with code %d", err, commandID, tc.wantCode)
				}
			}
		})
	}
}

func TestRunInvocationNeverAppears(t *testing.T) {
	t.Parallel()
	f := newFakeSSM(t, happy(apiErr("InvocationDoesNotExist")))
	r, _, _ := newRunner(f)
	r.InvocationWait = 150 * time.Millisecond

	_, err := r.Run(context.Background(), instance, script, ssmrun.Options{})
	assertKind(t, err, errPlain)
	var notExist *types.InvocationDoesNotExist
	if !errors.As(err, &notExist) {
		t.Fatalf("err = %v, want one wrapping InvocationDoesNotExist", err)
	}
	if !strings.Contains(err.Error(), commandID) {
		t.Errorf("error %q does not name the command", err)
	}
}

func TestRunSendsRunShellScript(t *testing.T) {
	t.Parallel()
	longComment := strings.Repeat("é", 120)
	tests := []struct {
		name         string
		timeout      time.Duration
		opts         ssmrun.Options
		wantExec     string
		wantDelivery int
		wantComment  string
		wantLogGroup string
	}{
		{
			name:     "defaults from runner timeout",
			timeout:  10 * time.Minute,
			wantExec: "600", wantDelivery: 600,
		},
		{
			name:     "explicit execution timeout rounds up, short delivery timeout raised to ssm minimum",
			timeout:  5 * time.Second,
			opts:     ssmrun.Options{ExecutionTimeout: 1500 * time.Millisecond, Comment: "deploy hub"},
			wantExec: "2", wantDelivery: 30, wantComment: "deploy hub",
		},
		{
			name:     "limits clamp and comment truncates to 100 runes",
			timeout:  24 * 40 * time.Hour,
			opts:     ssmrun.Options{ExecutionTimeout: 72 * time.Hour, Comment: longComment},
			wantExec: "172800", wantDelivery: 2592000, wantComment: strings.Repeat("é", 100),
		},
		{
			name:     "cloudwatch output",
			timeout:  time.Minute,
			opts:     ssmrun.Options{CloudWatchLogGroup: "/flip/hub/ssm"},
			wantExec: "60", wantDelivery: 60, wantLogGroup: "/flip/hub/ssm",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeSSM(t, happy(success("")))
			r, _, _ := newRunner(f)
			r.Timeout = tc.timeout

			if _, err := r.Run(context.Background(), instance, script, tc.opts); err != nil {
				t.Fatalf("Run: %v", err)
			}

			var ping struct {
				Filters []struct {
					Key    string
					Values []string
				}
			}
			f.request("DescribeInstanceInformation", 0, &ping)
			if len(ping.Filters) != 1 || ping.Filters[0].Key != "InstanceIds" || strings.Join(ping.Filters[0].Values, ",") != instance {
				t.Errorf("DescribeInstanceInformation filters = %+v, want InstanceIds=[%s]", ping.Filters, instance)
			}

			var send struct {
				DocumentName           string
				InstanceIds            []string
				Parameters             map[string][]string
				Comment                *string
				TimeoutSeconds         int
				CloudWatchOutputConfig *struct {
					CloudWatchLogGroupName  string
					CloudWatchOutputEnabled bool
				}
			}
			f.request("SendCommand", 0, &send)
			if send.DocumentName != "AWS-RunShellScript" {
				t.Errorf("DocumentName = %q", send.DocumentName)
			}
			if strings.Join(send.InstanceIds, ",") != instance {
				t.Errorf("InstanceIds = %v", send.InstanceIds)
			}
			if got := strings.Join(send.Parameters["commands"], "\n"); got != strings.Join(script, "\n") {
				t.Errorf("commands = %q, want %q", send.Parameters["commands"], script)
			}
			if got := strings.Join(send.Parameters["executionTimeout"], ","); got != tc.wantExec {
				t.Errorf("executionTimeout = %q, want %q", got, tc.wantExec)
			}
			if send.TimeoutSeconds != tc.wantDelivery {
				t.Errorf("TimeoutSeconds = %d, want %d", send.TimeoutSeconds, tc.wantDelivery)
			}
			gotComment := ""
			if send.Comment != nil {
				gotComment = *send.Comment
			}
			if gotComment != tc.wantComment {
				t.Errorf("Comment = %q, want %q", gotComment, tc.wantComment)
			}
			switch cw := send.CloudWatchOutputConfig; {
			case tc.wantLogGroup == "" && cw != nil:
				t.Errorf("CloudWatchOutputConfig = %+v, want none", *cw)
			case tc.wantLogGroup != "" && (cw == nil || !cw.CloudWatchOutputEnabled || cw.CloudWatchLogGroupName != tc.wantLogGroup):
				t.Errorf("CloudWatchOutputConfig = %+v, want enabled for %s", cw, tc.wantLogGroup)
			}

			var get struct{ CommandId, InstanceId string }
			f.request("GetCommandInvocation", 0, &get)
			if get.CommandId != commandID || get.InstanceId != instance {
				t.Errorf("GetCommandInvocation asked for %+v", get)
			}
		})
	}
}

func TestRunWaitsForOnline(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		pings []reply
	}{
		{name: "connection lost then online", pings: []reply{ping(instance, "ConnectionLost"), ping(instance, "Inactive"), online(instance)}},
		{name: "not registered yet then online", pings: []reply{unregistered(), unregistered(), online(instance)}},
		{name: "invalid instance id while registering", pings: []reply{apiErr("InvalidInstanceId"), online(instance)}},
		{name: "other instances listed are ignored", pings: []reply{ping("i-other", "Online"), online(instance)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := happy(success(""))
			s["DescribeInstanceInformation"] = tc.pings
			f := newFakeSSM(t, s)
			r, _, logs := newRunner(f)

			if _, err := r.Run(context.Background(), instance, script, ssmrun.Options{}); err != nil {
				t.Fatalf("Run: %v", err)
			}
			if got := f.count("DescribeInstanceInformation"); got != len(tc.pings) {
				t.Errorf("DescribeInstanceInformation called %d times, want %d", got, len(tc.pings))
			}
			if !strings.Contains(logs.String(), "waiting for "+instance) {
				t.Errorf("log does not say it waited for the instance:\n%s", logs)
			}
		})
	}
}

func TestRunNotOnline(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		ping           reply
		wantErr        error
		wantLastStatus string
		wantText       []string
		wantAPIErr     bool
		wantPings      int // exact DescribeInstanceInformation calls; 0 = any
	}{
		{
			name: "connection lost", ping: ping(instance, "ConnectionLost"), wantErr: ssmrun.ErrNotOnline,
			wantLastStatus: "ConnectionLost",
			wantText:       []string{instance, "last ping status ConnectionLost", "SSM agent", "instance profile", "VPC endpoints"},
		},
		{
			name: "unknown instance", ping: unregistered(), wantErr: ssmrun.ErrNotOnline,
			wantText: []string{instance, "not registered with ssm", "SSM agent"},
		},
		{
			name: "invalid instance id", ping: apiErr("InvalidInstanceId"), wantErr: ssmrun.ErrNotOnline,
			wantText: []string{instance, "not registered with ssm"}, wantAPIErr: true,
		},
		{
			name: "access denied fails at once", ping: apiErr("AccessDeniedException"), wantErr: errPlain,
			wantText: []string{"AccessDeniedException", instance}, wantPings: 1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeSSM(t, map[string][]reply{"DescribeInstanceInformation": {tc.ping}})
			r, _, _ := newRunner(f)
			r.PingTimeout = 150 * time.Millisecond

			res, err := r.Run(context.Background(), instance, script, ssmrun.Options{})
			assertKind(t, err, tc.wantErr)
			for _, want := range tc.wantText {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
			if res.CommandID != "" || f.count("SendCommand") != 0 {
				t.Errorf("a command was sent to an instance that is not online")
			}
			if pings := f.count("DescribeInstanceInformation"); tc.wantPings != 0 && pings != tc.wantPings {
				t.Errorf("DescribeInstanceInformation called %d times, want %d", pings, tc.wantPings)
			}
			var notOnline *ssmrun.NotOnlineError
			if errors.Is(tc.wantErr, ssmrun.ErrNotOnline) {
				if !errors.As(err, &notOnline) || notOnline.LastPingStatus != tc.wantLastStatus || notOnline.InstanceID != instance {
					t.Fatalf("err = %#v, want *NotOnlineError for %s with last status %q", err, instance, tc.wantLastStatus)
				}
			}
			var invalid *types.InvalidInstanceId
			if got := errors.As(err, &invalid); got != tc.wantAPIErr {
				t.Errorf("errors.As(err, *InvalidInstanceId) = %v, want %v", got, tc.wantAPIErr)
			}
		})
	}
}

func TestRunLocalTimeoutCancelsCommand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		cancel     reply
		wantText   string
		wantCancel bool
	}{
		{name: "cancel accepted", cancel: ok(map[string]any{}), wantText: "cancel requested"},
		{name: "cancel refused", cancel: apiErr("AccessDeniedException"), wantText: "cancel failed, it may still be running", wantCancel: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := happy(inv("InProgress"))
			s["CancelCommand"] = []reply{tc.cancel}
			f := newFakeSSM(t, s)
			r, _, logs := newRunner(f)
			r.Timeout = 500 * time.Millisecond

			res, err := r.Run(context.Background(), instance, script, ssmrun.Options{})
			assertKind(t, err, ssmrun.ErrTimedOut)
			var cmdErr *ssmrun.CommandError
			if !errors.As(err, &cmdErr) || !cmdErr.Local || cmdErr.CommandID != commandID {
				t.Fatalf("err = %#v, want a local *CommandError for %s", err, commandID)
			}
			if (cmdErr.CancelErr != nil) != tc.wantCancel {
				t.Errorf("CancelErr = %v, want error: %v", cmdErr.CancelErr, tc.wantCancel)
			}
			if !strings.Contains(err.Error(), tc.wantText) {
				t.Errorf("error %q does not mention %q", err, tc.wantText)
			}
			// The runner asks again only after an answer, so two calls mean one InProgress was seen;
			// on a machine so loaded that none came back in time there is no status to check.
			if f.count("GetCommandInvocation") >= 2 {
				if res.Status != types.CommandInvocationStatusInProgress || !strings.Contains(err.Error(), "last status InProgress") {
					t.Errorf("result status %q, error %q; want the last status seen, InProgress", res.Status, err)
				}
			}
			if got := f.count("CancelCommand"); got != 1 {
				t.Fatalf("CancelCommand called %d times, want 1", got)
			}
			var cancel struct {
				CommandId   string
				InstanceIds []string
			}
			f.request("CancelCommand", 0, &cancel)
			if cancel.CommandId != commandID || strings.Join(cancel.InstanceIds, ",") != instance {
				t.Errorf("CancelCommand request = %+v", cancel)
			}
			if !strings.Contains(logs.String(), "cancelling") {
				t.Errorf("log does not record the cancel:\n%s", logs)
			}
		})
	}
}

func TestRunRespectsContext(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		script   map[string][]reply
		cancelAt string // cancel once this operation has been called twice
		wantText string
	}{
		{
			name:     "while waiting for the command",
			script:   happy(inv("InProgress")),
			cancelAt: "GetCommandInvocation",
			wantText: "may still be running",
		},
		{
			name:     "while waiting for the instance",
			script:   map[string][]reply{"DescribeInstanceInformation": {ping(instance, "ConnectionLost")}},
			cancelAt: "DescribeInstanceInformation",
			wantText: instance,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeSSM(t, tc.script)
			r, _, _ := newRunner(f)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			go func() {
				for f.count(tc.cancelAt) < 2 {
					time.Sleep(time.Millisecond)
				}
				cancel()
			}()

			_, err := r.Run(ctx, instance, script, ssmrun.Options{})
			assertKind(t, err, errPlain)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v, want context.Canceled", err)
			}
			if !strings.Contains(err.Error(), tc.wantText) {
				t.Errorf("error %q does not mention %q", err, tc.wantText)
			}
			if got := f.count("CancelCommand"); got != 0 {
				t.Errorf("CancelCommand called %d times; the caller's cancellation must not cancel the remote command", got)
			}
		})
	}
}

func TestRunThrottling(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		op        string
		replies   []reply
		retries   int
		wantErr   error
		wantCalls int
	}{
		{name: "describe throttled then online", op: "DescribeInstanceInformation",
			replies: seq(repeat(3, throttled()), []reply{online(instance)}), wantCalls: 4},
		{name: "send throttled then accepted", op: "SendCommand",
			replies: seq(repeat(2, apiErr("TooManyRequestsException")), []reply{sent(commandID)}), wantCalls: 3},
		{name: "get invocation throttled then success", op: "GetCommandInvocation",
			replies: seq(repeat(3, throttled()), []reply{success("")}), wantCalls: 4},
		{name: "get invocation throttled beyond retries", op: "GetCommandInvocation",
			replies: []reply{throttled()}, retries: 2, wantErr: ssmrun.ErrThrottled, wantCalls: 3},
		{name: "send throttled beyond retries", op: "SendCommand",
			replies: []reply{apiErr("Throttling")}, retries: 1, wantErr: ssmrun.ErrThrottled, wantCalls: 2},
		{name: "describe throttled with retries disabled", op: "DescribeInstanceInformation",
			replies: []reply{throttled()}, retries: -1, wantErr: ssmrun.ErrThrottled, wantCalls: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := happy(success(""))
			s[tc.op] = tc.replies
			f := newFakeSSM(t, s)
			r, _, _ := newRunner(f)
			r.ThrottleRetries = tc.retries

			_, err := r.Run(context.Background(), instance, script, ssmrun.Options{})
			assertKind(t, err, tc.wantErr)
			if got := f.count(tc.op); got != tc.wantCalls {
				t.Errorf("%s called %d times, want %d", tc.op, got, tc.wantCalls)
			}
			if tc.wantErr == nil {
				return
			}
			var thr *ssmrun.ThrottledError
			if !errors.As(err, &thr) || thr.Op != tc.op || thr.Attempts != tc.wantCalls {
				t.Fatalf("err = %#v, want *ThrottledError for %s after %d attempts", err, tc.op, tc.wantCalls)
			}
			if !strings.Contains(err.Error(), "throttled beyond retries") {
				t.Errorf("error %q does not say it was throttled beyond retries", err)
			}
		})
	}
}

func TestRunThrottleRetriesComposeWithSDKRetryer(t *testing.T) {
	t.Parallel()
	f := newFakeSSM(t, map[string][]reply{"DescribeInstanceInformation": {throttled()}})
	r, _, _ := newRunner(f)
	r.API = ssm.NewFromConfig(testmoto.AWSConfig(f.URL)) // SDK retryer on: MaxAttempts per call
	r.ThrottleRetries = 2

	_, err := r.Run(context.Background(), instance, script, ssmrun.Options{})
	assertKind(t, err, ssmrun.ErrThrottled)
	if got, want := f.count("DescribeInstanceInformation"), 3*testmoto.MaxAttempts; got != want {
		t.Fatalf("DescribeInstanceInformation called %d times, want %d (3 runner attempts × %d sdk attempts)", got, want, testmoto.MaxAttempts)
	}
}

func TestRunOtherErrorsAreNotRetried(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		op      string
		reply   reply
		wantErr string
	}{
		{name: "send to unknown instance", op: "SendCommand", reply: apiErr("InvalidInstanceId"), wantErr: "send ssm command to " + instance},
		{name: "invocation of unknown command", op: "GetCommandInvocation", reply: apiErr("InvalidCommandId"), wantErr: "InvalidCommandId"},
		{name: "server error", op: "GetCommandInvocation", reply: reply{status: 500, body: map[string]string{"__type": "InternalServerError"}}, wantErr: "InternalServerError"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := happy(success(""))
			s[tc.op] = []reply{tc.reply}
			f := newFakeSSM(t, s)
			r, _, _ := newRunner(f)

			_, err := r.Run(context.Background(), instance, script, ssmrun.Options{})
			assertKind(t, err, errPlain)
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %q does not mention %q", err, tc.wantErr)
			}
			if got := f.count(tc.op); got != 1 {
				t.Errorf("%s called %d times, want 1: only throttling is retried", tc.op, got)
			}
		})
	}
}

// TestStatusPollingStartsShort: the first status call comes a fraction of a second after the
// command is sent and the intervals grow towards Poll, so a command that finishes at once is
// seen long before one Poll has passed (here Poll is a minute; three calls arrive in under 2 s).
func TestStatusPollingStartsShort(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		invocations []reply
	}{
		{"done at the first call", []reply{success("ok\n")}},
		{"done at the third call", []reply{inv("Pending"), inv("InProgress"), success("ok\n")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeSSM(t, happy(tc.invocations...))
			r, _, _ := newRunner(f)
			r.Poll = time.Minute
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if _, err := r.Run(ctx, instance, script, ssmrun.Options{}); err != nil {
				t.Fatalf("Run: %v (a status call waited for Poll)", err)
			}
			if got := f.count("GetCommandInvocation"); got != len(tc.invocations) {
				t.Errorf("%d status calls; want %d", got, len(tc.invocations))
			}
		})
	}
}
