//go:build !unix

package ssmsession

import "os/exec"

// newProcessGroup has no equivalent here; Stop ends the CLI process only.
func newProcessGroup(*exec.Cmd) {}

// signalGroup stops the CLI process.
func signalGroup(cmd *exec.Cmd, _ bool) {
	if cmd.Process != nil {
		_ = cmd.Process.Kill()
	}
}
