//go:build unix && !linux

package dbtunnel

import "syscall"

// setParentDeathSignal has no equivalent outside Linux.
func setParentDeathSignal(*syscall.SysProcAttr) {}
