//go:build unix

package ssmsession

import (
	"os/exec"
	"syscall"
)

// newProcessGroup starts the session in a process group of its own, so Stop ends the CLI and the
// session-manager-plugin it spawns together, and so a Ctrl+C on the terminal reaches hubctl (which
// then closes its sessions cleanly) rather than killing the plugin mid-stream.
func newProcessGroup(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	setParentDeathSignal(cmd.SysProcAttr)
}

// signalGroup sends SIGTERM (or SIGKILL) to the session's process group. A group that is already
// gone is not an error.
func signalGroup(cmd *exec.Cmd, kill bool) {
	if cmd.Process == nil {
		return
	}
	sig := syscall.SIGTERM
	if kill {
		sig = syscall.SIGKILL
	}
	// With Setpgid the group id is the leader's pid.
	_ = syscall.Kill(-cmd.Process.Pid, sig)
}
