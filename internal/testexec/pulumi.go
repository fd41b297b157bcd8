package testexec

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// PulumiRoot finds a directory whose bin/pulumi is the pulumi CLI the tests drive:
// HUBCTL_PULUMI_ROOT, the repository's .tools (which .ci/run builds), or the one on PATH. Without
// one the test fails, unless FLIP_SKIP_PULUMI=1 says to skip it.
func PulumiRoot(tb testing.TB) string {
	tb.Helper()
	if root := os.Getenv("HUBCTL_PULUMI_ROOT"); root != "" {
		return root
	}
	_, file, _, _ := runtime.Caller(0)
	repo := filepath.Join(filepath.Dir(file), "..", "..") // internal/testexec → the repository
	if _, err := os.Stat(filepath.Join(repo, ".tools", "bin", "pulumi")); err == nil {
		return filepath.Join(repo, ".tools")
	}
	if p, err := exec.LookPath("pulumi"); err == nil {
		return filepath.Dir(filepath.Dir(p))
	}
	if os.Getenv("FLIP_SKIP_PULUMI") == "1" {
		tb.Skip("FLIP_SKIP_PULUMI=1 and no pulumi CLI")
	}
	tb.Fatal("no pulumi CLI: run .ci/run (it builds .tools/bin/pulumi) or set HUBCTL_PULUMI_ROOT")
	return ""
}
