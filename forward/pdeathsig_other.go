//go:build unix && !linux

package forward

import "syscall"

// setParentDeathSignal: only Linux has a parent-death signal.
func setParentDeathSignal(*syscall.SysProcAttr) {}
