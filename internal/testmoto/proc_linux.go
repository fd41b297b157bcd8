//go:build linux

package testmoto

import "syscall"

// setParentDeathSignal asks the kernel to SIGTERM moto_server if the test binary dies without
// running its cleanups (for example when `go test -timeout` kills it).
func setParentDeathSignal(a *syscall.SysProcAttr) {
	a.Pdeathsig = syscall.SIGTERM
}
