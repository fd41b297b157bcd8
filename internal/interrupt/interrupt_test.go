package interrupt

import (
	"os/exec"
	"runtime"
	"slices"
	"testing"
)

// Children finds a direct child by its command name, and nothing else.
func TestChildren(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	if got := Children("sleep"); !slices.Contains(got, cmd.Process.Pid) || len(got) != 1 {
		t.Errorf("Children(sleep) = %v; want [%d]", got, cmd.Process.Pid)
	}
	if got := Children("pulumi"); len(got) != 0 {
		t.Errorf("Children(pulumi) = %v; want none", got)
	}
}
