//go:build linux

package forward

import "syscall"

// setParentDeathSignal has the kernel kill the CLI should hubctl die without closing the session.
func setParentDeathSignal(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGKILL }
