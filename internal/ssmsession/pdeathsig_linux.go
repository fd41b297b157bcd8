//go:build linux

package ssmsession

import "syscall"

// setParentDeathSignal has the kernel kill the CLI should hubctl itself die without stopping the
// session (SIGKILL, a crash).
func setParentDeathSignal(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGKILL }
