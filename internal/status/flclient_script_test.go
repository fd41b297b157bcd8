package status_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/londonaicentre/flip-hub/internal/status"
	"github.com/londonaicentre/flip-hub/internal/testexec"
)

// TestFLClientScriptPassesShellcheck: the trust's FL client check script, as SSM runs it.
func TestFLClientScriptPassesShellcheck(t *testing.T) {
	t.Parallel()
	bin := testexec.ShellcheckBin(t)
	path := filepath.Join(t.TempDir(), "check.sh")
	if err := os.WriteFile(path, []byte(strings.Join(status.FLClientScript(3, 8002), "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "--severity=style", path).CombinedOutput(); err != nil {
		t.Errorf("shellcheck: %v\n%s", err, out)
	}
}
