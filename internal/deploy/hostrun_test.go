package deploy_test

import (
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/londonaicentre/flip-hub/internal/deploy"
	"github.com/londonaicentre/flip-hub/internal/protocol"
)

// TestShellQuote: bash reads each quoted value back as the one word it was.
func TestShellQuote(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"plain", `a'b["c"]`, "", "two words", "$HOME `x` \\n", "'"} {
		out, err := exec.Command("bash", "-c", "printf %s "+deploy.ShellQuote(in)).Output()
		if err != nil {
			t.Fatalf("bash: %v", err)
		}
		if string(out) != in {
			t.Errorf("ShellQuote(%q) reads back as %q", in, out)
		}
	}
}

func TestHostRunCommand(t *testing.T) {
	t.Parallel()
	got := deploy.HostRunCommand("hubctl", "i-0123456789abcdef0", "eu-west-2", "/flip-stag-hub-deploy", "flip-hub deploy",
		"0123456789abcdef0123", 20*time.Minute, 10*time.Minute)
	for _, want := range []string{"'hubctl' host run", "--instance 'i-0123456789abcdef0'", "--region 'eu-west-2'", "--timeout 20m0s",
		"--ping-timeout 10m0s", "--log-group '/flip-stag-hub-deploy'", "--comment 'flip-hub deploy 0123456789ab'", "--script -", protocol.Arg()} {
		if !strings.Contains(got, want) {
			t.Errorf("command %q lacks %q", got, want)
		}
	}
}
