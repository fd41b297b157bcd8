package ssmrun_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/londonaicentre/flip-hub/internal/ssmrun"
	"github.com/londonaicentre/flip-hub/internal/testmoto"
)

// Facts about moto 5.x's SSM, found by running it (see TestMotoSSMBehaviour):
//   - SendCommand and GetCommandInvocation are implemented. Commands are never executed: SendCommand
//     answers Status Success and every invocation is Success, ResponseCode 0, empty output.
//   - SendCommand does not check that the instances exist; with no Targets it also adds every EC2
//     instance in the region to the command.
//   - GetCommandInvocation answers InvocationDoesNotExist for an instance the command does not
//     target and InvalidCommandId for an unknown command.
//   - DescribeInstanceInformation, CancelCommand and ListCommandInvocations are not implemented
//     (HTTP 500 "NotImplementedError").
//
// So the moto tests put a small proxy in front of moto that answers DescribeInstanceInformation
// from moto's own EC2 state (running: Online; stopping or stopped: ConnectionLost; otherwise not
// listed) and forwards every other call to moto untouched.

// motoEnv holds clients for one moto_server.
type motoEnv struct {
	url string
	ec2 *ec2.Client
	// raw talks to moto directly.
	raw *ssm.Client
	// ssm talks to moto through the DescribeInstanceInformation proxy.
	ssm *ssm.Client
}

func newMotoEnv(t *testing.T) *motoEnv {
	t.Helper()
	srv := testmoto.Check(t, moto, motoErr)
	cfg := srv.AWSConfig()
	e := &motoEnv{url: srv.URL, ec2: ec2.NewFromConfig(cfg), raw: ssm.NewFromConfig(cfg)}
	e.ssm = ssm.NewFromConfig(testmoto.AWSConfig(testmoto.SSMProxy(t, srv.URL)))
	return e
}

// launch starts an EC2 instance in moto and returns its ID.
func (e *motoEnv) launch(t *testing.T) string {
	t.Helper()
	return testmoto.LaunchInstance(t, e.url)
}

// commandCount is how many commands moto has recorded.
func (e *motoEnv) commandCount(t *testing.T) int {
	t.Helper()
	out, err := e.raw.ListCommands(context.Background(), &ssm.ListCommandsInput{})
	if err != nil {
		t.Fatalf("moto ListCommands: %v", err)
	}
	return len(out.Commands)
}

func motoRunner(api ssmrun.API, out io.Writer) *ssmrun.Runner {
	return &ssmrun.Runner{
		API:         api,
		Poll:        10 * time.Millisecond,
		Timeout:     30 * time.Second,
		PingTimeout: 300 * time.Millisecond,
		Out:         out,
	}
}

func TestRunAgainstMoto(t *testing.T) {
	env := newMotoEnv(t)
	ctx := context.Background()

	t.Run("happy path", func(t *testing.T) {
		id := env.launch(t)
		var out bytes.Buffer
		lines := ssmrun.Script("echo hello from the hub", "docker compose ps")
		res, err := motoRunner(env.ssm, &out).Run(ctx, id, lines, ssmrun.Options{
			Comment:            "flip-hub deploy",
			ExecutionTimeout:   90 * time.Second,
			CloudWatchLogGroup: "/flip/hub/ssm",
		})
		if err != nil {
			t.Fatalf("Run against moto: %v", err)
		}
		if res.Status != types.CommandInvocationStatusSuccess || res.ResponseCode != 0 || res.CommandID == "" || res.InstanceID != id {
			t.Fatalf("result = %+v, want Success with exit code 0 and a command id for %s", res, id)
		}

		listed, err := env.raw.ListCommands(ctx, &ssm.ListCommandsInput{CommandId: aws.String(res.CommandID)})
		if err != nil || len(listed.Commands) != 1 {
			t.Fatalf("moto ListCommands(%s) = %v, %v", res.CommandID, listed, err)
		}
		cmd := listed.Commands[0]
		checks := []struct{ name, got, want string }{
			{"document", aws.ToString(cmd.DocumentName), "AWS-RunShellScript"},
			{"comment", aws.ToString(cmd.Comment), "flip-hub deploy"},
			{"commands", strings.Join(cmd.Parameters["commands"], "\n"), strings.Join(lines, "\n")},
			{"executionTimeout", strings.Join(cmd.Parameters["executionTimeout"], ","), "90"},
			{"targets instance", boolString(slices.Contains(cmd.InstanceIds, id)), "true"},
		}
		for _, c := range checks {
			if c.got != c.want {
				t.Errorf("moto recorded %s = %q, want %q", c.name, c.got, c.want)
			}
		}
	})

	t.Run("not online", func(t *testing.T) {
		stopped := env.launch(t)
		if _, err := env.ec2.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{stopped}}); err != nil {
			t.Fatalf("moto StopInstances: %v", err)
		}
		tests := []struct {
			name       string
			instance   string
			wantStatus string
		}{
			{name: "unknown instance", instance: "i-0000000000000dead"},
			{name: "stopped instance", instance: stopped, wantStatus: "ConnectionLost"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				before := env.commandCount(t)
				_, err := motoRunner(env.ssm, io.Discard).Run(ctx, tc.instance, ssmrun.Script("true"), ssmrun.Options{})
				var notOnline *ssmrun.NotOnlineError
				if !errors.Is(err, ssmrun.ErrNotOnline) || !errors.As(err, &notOnline) || notOnline.LastPingStatus != tc.wantStatus {
					t.Fatalf("err = %v, want ErrNotOnline with last ping status %q", err, tc.wantStatus)
				}
				if after := env.commandCount(t); after != before {
					t.Fatalf("moto recorded %d new commands for an instance that is not online", after-before)
				}
			})
		}
	})

	t.Run("moto alone cannot answer the ping", func(t *testing.T) {
		id := env.launch(t)
		before := env.commandCount(t)
		_, err := motoRunner(env.raw, io.Discard).Run(ctx, id, ssmrun.Script("true"), ssmrun.Options{})
		if err == nil {
			t.Fatal("Run succeeded against bare moto, which does not implement DescribeInstanceInformation; update the facts above and drop the proxy")
		}
		if !strings.Contains(err.Error(), id) {
			t.Errorf("error %q does not name the instance", err)
		}
		if after := env.commandCount(t); after != before {
			t.Fatalf("a command was sent although the ping failed")
		}
	})
}

// TestMotoSSMBehaviour pins down the moto behaviour the tests above rely on. Gaps that only limit
// what can be tested against moto are logged, not failed, so a newer moto does not break the build.
func TestMotoSSMBehaviour(t *testing.T) {
	env := newMotoEnv(t)
	ctx := context.Background()
	id := env.launch(t)

	sent, err := env.raw.SendCommand(ctx, &ssm.SendCommandInput{
		DocumentName: aws.String("AWS-RunShellScript"),
		InstanceIds:  []string{id},
		Parameters:   map[string][]string{"commands": {"echo hi", "exit 3"}},
	})
	if err != nil {
		t.Fatalf("moto SendCommand: %v", err)
	}
	commandID := aws.ToString(sent.Command.CommandId)

	t.Run("invocation completes at once without running the script", func(t *testing.T) {
		got, err := env.raw.GetCommandInvocation(ctx, &ssm.GetCommandInvocationInput{CommandId: &commandID, InstanceId: &id})
		if err != nil {
			t.Fatalf("GetCommandInvocation: %v", err)
		}
		if got.Status != types.CommandInvocationStatusSuccess || got.ResponseCode != 0 || aws.ToString(got.StandardOutputContent) != "" {
			t.Fatalf("invocation = %s code %d stdout %q; moto used to report Success, 0, \"\" for a script that exits 3",
				got.Status, got.ResponseCode, aws.ToString(got.StandardOutputContent))
		}
	})

	errorCases := []struct {
		name     string
		in       *ssm.GetCommandInvocationInput
		wantType any
	}{
		{
			name:     "instance not targeted gives InvocationDoesNotExist",
			in:       &ssm.GetCommandInvocationInput{CommandId: &commandID, InstanceId: aws.String("i-00000000000000bad")},
			wantType: new(*types.InvocationDoesNotExist),
		},
		{
			name:     "unknown command gives InvalidCommandId",
			in:       &ssm.GetCommandInvocationInput{CommandId: aws.String("00000000-0000-0000-0000-000000000000"), InstanceId: &id},
			wantType: new(*types.InvalidCommandId),
		},
	}
	for _, tc := range errorCases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := env.raw.GetCommandInvocation(ctx, tc.in)
			if !errors.As(err, tc.wantType) {
				t.Fatalf("err = %v, want %T", err, tc.wantType)
			}
		})
	}

	t.Run("gaps", func(t *testing.T) {
		if _, err := env.raw.DescribeInstanceInformation(ctx, &ssm.DescribeInstanceInformationInput{}); err == nil {
			t.Logf("moto now implements DescribeInstanceInformation; the proxy in moto_test.go may be unnecessary")
		}
		if _, err := env.raw.CancelCommand(ctx, &ssm.CancelCommandInput{CommandId: &commandID}); err == nil {
			t.Logf("moto now implements CancelCommand; a local-timeout test against moto is possible")
		}
		if !slices.Equal(sent.Command.InstanceIds, []string{id}) {
			t.Logf("moto targeted %v for a command sent to %s only (it adds every EC2 instance when Targets is empty)", sent.Command.InstanceIds, id)
		}
	})
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
