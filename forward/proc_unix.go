//go:build unix

package forward

import (
	"os/exec"
	"syscall"
)

// newProcessGroup starts the session in a process group of its own, so Close stops the CLI and the
// session-manager-plugin it spawns together, and a Ctrl+C on the terminal reaches hubctl (which then
// closes every session) rather than killing plugins mid-stream.
func newProcessGroup(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	setParentDeathSignal(cmd.SysProcAttr)
}

// signalGroup sends SIGTERM (or SIGKILL) to the session's process group; a group already gone is
// not an error.
func signalGroup(cmd *exec.Cmd, kill bool) {
	if cmd.Process == nil {
		return
	}
	sig := syscall.SIGTERM
	if kill {
		sig = syscall.SIGKILL
	}
	_ = syscall.Kill(-cmd.Process.Pid, sig) // with Setpgid the group id is the leader's pid
}
