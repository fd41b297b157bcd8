package ssmrun_test

import (
	"context"
	"strings"
	"testing"

	"github.com/londonaicentre/flip-hub/internal/ssmrun"
)

func TestRunRefusesBadInput(t *testing.T) {
	t.Parallel()
	const secret = "s3cr3t-db-password-value"
	tests := []struct {
		name     string
		noAPI    bool
		instance string
		commands []string
		opts     ssmrun.Options
		wantErr  error
		wantText string
	}{
		{name: "no client", noAPI: true, instance: instance, commands: script, wantText: "no ssm api client"},
		{name: "no instance", instance: " ", commands: script, wantText: "instance id is empty"},
		{name: "no commands", instance: instance, wantText: "no commands"},
		{
			name: "secret in commands", instance: instance,
			commands: ssmrun.Script("export PGPASSWORD=" + secret),
			opts:     ssmrun.Options{Secrets: []string{secret}},
			wantErr:  ssmrun.ErrSecretInScript, wantText: "secret 1 of 1",
		},
		{
			name: "secret in comment", instance: instance, commands: script,
			opts:    ssmrun.Options{Comment: "deploy with " + secret, Secrets: []string{"x-unused-x", secret}},
			wantErr: ssmrun.ErrSecretInScript, wantText: "secret 2 of 2",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeSSM(t, nil)
			r, _, _ := newRunner(f)
			if tc.noAPI {
				r.API = nil
			}
			res, err := r.Run(context.Background(), tc.instance, tc.commands, tc.opts)
			want := tc.wantErr
			if want == nil {
				want = errPlain
			}
			assertKind(t, err, want)
			if !strings.Contains(err.Error(), tc.wantText) {
				t.Errorf("error %q does not mention %q", err, tc.wantText)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error %q repeats the secret", err)
			}
			if f.total() != 0 || res.CommandID != "" {
				t.Fatalf("%d ssm calls made for input that should be refused", f.total())
			}
		})
	}
}

func TestRunNeverShowsScriptText(t *testing.T) {
	t.Parallel()
	const marker = "SCRIPT-BODY-MARKER-4f2a"
	tests := []struct {
		name    string
		final   reply
		wantErr error
	}{
		{name: "success", final: success("done\n")},
		{name: "failure", final: invocation{status: "Failed", code: 1, stderr: "exit 1\n"}.reply(), wantErr: ssmrun.ErrCommandFailed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := happy(inv("InProgress"), tc.final)
			s["DescribeInstanceInformation"] = []reply{ping(instance, "ConnectionLost"), online(instance)}
			f := newFakeSSM(t, s)
			r, out, logs := newRunner(f)

			_, err := r.Run(context.Background(), instance, ssmrun.Script("echo "+marker), ssmrun.Options{Comment: "deploy"})
			assertKind(t, err, tc.wantErr)
			if logs.String() == "" {
				t.Fatal("nothing logged; the check below would prove nothing")
			}
			for name, text := range map[string]string{"log": logs.String(), "output": out.String(), "error": errString(err)} {
				if strings.Contains(text, marker) {
					t.Errorf("%s shows the script text:\n%s", name, text)
				}
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
