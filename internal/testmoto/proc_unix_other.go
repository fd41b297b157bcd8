//go:build unix && !linux

package testmoto

import "syscall"

// setParentDeathSignal is a no-op where the kernel offers no parent-death signal.
func setParentDeathSignal(*syscall.SysProcAttr) {}
