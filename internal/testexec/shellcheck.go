package testexec

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// ShellcheckBin is the shellcheck binary. A missing one fails the test (it is installed by
// .ci/run), unless FLIP_SKIP_SHELLCHECK=1 opts the run out, which skips it with that reason.
func ShellcheckBin(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("shellcheck")
	if err == nil {
		return path
	}
	if os.Getenv("FLIP_SKIP_SHELLCHECK") == "1" {
		t.Skip("FLIP_SKIP_SHELLCHECK=1: skipping shellcheck")
	}
	t.Fatalf("shellcheck is not on PATH (apt-get install shellcheck), or set FLIP_SKIP_SHELLCHECK=1: %v", err)
	return ""
}

// Shellcheck runs shellcheck, every default check down to style, over a bash script, failing
// the test with its findings.
func Shellcheck(t testing.TB, name, script string) {
	t.Helper()
	bin := ShellcheckBin(t)
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "--shell=bash", "--severity=style", path).CombinedOutput(); err != nil {
		t.Errorf("shellcheck %s: %v\n%s", name, err, out)
	}
}
