//go:build linux

package dbtunnel

import "syscall"

// setParentDeathSignal has the kernel kill the CLI should hubctl itself die without closing the
// tunnel (SIGKILL, a crash).
func setParentDeathSignal(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGKILL }
