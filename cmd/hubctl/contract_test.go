package main

import (
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/londonaicentre/flip-hub/compute"
	"github.com/londonaicentre/flip-hub/trusthost"
	"github.com/londonaicentre/flip-hub/trusts"
)

// shellWords splits a command line the way the shell that pulumi-command starts does: bash
// itself prints the words, NUL-separated.
func shellWords(t *testing.T, line string) []string {
	t.Helper()
	out, err := exec.Command("bash", "-c", "set -- "+line+`; printf '%s\0' "$@"`).Output()
	if err != nil {
		t.Fatalf("bash cannot split %q: %v", line, err)
	}
	return strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
}

// TestProgramCommandLinesParse: every hubctl command line the program's layers build is
// parsed by hubctl's real command tree, so a renamed command or flag fails here, not in an up.
func TestProgramCommandLinesParse(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		line    string
		command string            // the path of the command it must reach
		flags   map[string]string // flags it must set, with their values as hubctl reads them
	}{
		{"hub deploy", compute.DeployCommand(compute.DefaultHubctl, "i-0123456789abcdef0", "eu-west-2", "/flip-prod-hub-deploy",
			strings.Repeat("ab", 32), compute.DefaultDeployTimeout, compute.DefaultPingTimeout),
			"hubctl host run", map[string]string{
				"instance": "i-0123456789abcdef0", "region": "eu-west-2", "log-group": "/flip-prod-hub-deploy",
				"timeout": compute.DefaultDeployTimeout.String(), "ping-timeout": compute.DefaultPingTimeout.String(),
				"script": "-", "comment": "flip-hub deploy abababababab", "protocol": "1",
			}},
		{"trust host deploy", trusthost.DeployCommand(compute.DefaultHubctl, "gstt", "i-0123456789abcdef0", "eu-west-2",
			"/flip-stag-trust-gstt-deploy", strings.Repeat("cd", 32), trusthost.DefaultDeployTimeout, trusthost.DefaultPingTimeout),
			"hubctl host run", map[string]string{
				"instance": "i-0123456789abcdef0", "region": "eu-west-2", "log-group": "/flip-stag-trust-gstt-deploy",
				"timeout": trusthost.DefaultDeployTimeout.String(), "ping-timeout": trusthost.DefaultPingTimeout.String(),
				"script": "-", "comment": "flip-hub trust gstt deploy cdcdcdcdcdcd", "protocol": "1",
			}},
		{"trust register", trusts.RegisterCommand(compute.DefaultHubctl, "gstt"), "hubctl trust register",
			map[string]string{"code": "gstt", "protocol": "1"}},
		{"trust deregister", trusts.DeregisterCommand(compute.DefaultHubctl, "gstt", false), "hubctl trust deregister",
			map[string]string{"code": "gstt", "force": "false", "protocol": "1"}},
		{"trust deregister --force", trusts.DeregisterCommand(compute.DefaultHubctl, "KCH-1", true), "hubctl trust deregister",
			map[string]string{"code": "KCH-1", "force": "true", "protocol": "1"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			words := shellWords(t, tc.line)
			if words[0] != compute.DefaultHubctl {
				t.Fatalf("%q does not run %s", tc.line, compute.DefaultHubctl)
			}
			root := newRoot()
			cmd, rest, err := root.Find(words[1:])
			if err != nil {
				t.Fatalf("hubctl has no command for %q: %v", tc.line, err)
			}
			if cmd.CommandPath() != tc.command {
				t.Fatalf("%q reaches %q; want %q", tc.line, cmd.CommandPath(), tc.command)
			}
			if err := cmd.ParseFlags(rest); err != nil {
				t.Fatalf("hubctl %s refuses the flags of %q: %v", tc.command, tc.line, err)
			}
			if args := cmd.Flags().Args(); len(args) > 0 {
				if err := cmd.ValidateArgs(args); err != nil {
					t.Fatalf("hubctl %s refuses the arguments %v: %v", tc.command, args, err)
				}
			}
			if err := cmd.ValidateRequiredFlags(); err != nil {
				t.Fatalf("%q misses a required flag: %v", tc.line, err)
			}
			for name, want := range tc.flags {
				f := cmd.Flags().Lookup(name)
				if f == nil {
					t.Errorf("hubctl %s has no --%s", tc.command, name)
					continue
				}
				if got := f.Value.String(); got != want {
					t.Errorf("--%s = %q; want %q", name, got, want)
				}
			}
		})
	}
	// The hubctl path is quoted: one with a space and a quote stays one word.
	if w := shellWords(t, compute.DeployCommand("/opt/hub ctl's/hubctl", "i-1", "eu-west-2", "g", "h", time.Minute, time.Minute)); w[0] != "/opt/hub ctl's/hubctl" {
		t.Errorf("a hubctl path with a space and a quote splits as %q", w[0])
	}
}

// TestProtocolSkew: a command line built for another protocol is refused before anything runs,
// with the fix; one without the flag (an operator's) and one with this protocol go on.
func TestProtocolSkew(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"newer program", []string{"trust", "list", "--dsn", "postgres://127.0.0.1:1/x", "--protocol", "99"}, 1, "rebuild hubctl"},
		{"same protocol", []string{"trust", "list", "--dsn", "postgres://127.0.0.1:1/x", "--protocol", "1", "--timeout", "2s"}, 1, "connect"},
		{"operator's own line", []string{"trust", "list", "--dsn", "postgres://127.0.0.1:1/x", "--timeout", "2s"}, 1, "connect"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := trustRun(t, "", tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.want) || (tc.want != "rebuild hubctl" && strings.Contains(stderr, "protocol")) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, stderr, tc.code, tc.want)
			}
		})
	}
}
