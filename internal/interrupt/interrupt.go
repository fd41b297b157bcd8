package interrupt

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Children returns the ids of this process's direct children whose command name is name, read
// from /proc; on a system without /proc there are none.
func Children(name string) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	self := os.Getpid()
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces and parentheses, so split at the last ')'.
		s := string(b)
		open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || end < open {
			continue
		}
		fields := strings.Fields(s[end+1:])
		if len(fields) < 2 || s[open+1:end] != name {
			continue
		}
		if ppid, err := strconv.Atoi(fields[1]); err == nil && ppid == self {
			out = append(out, pid)
		}
	}
	return out
}

// Context returns a context for one hubctl run and a stop function. On the first SIGINT or
// SIGTERM it forwards one SIGINT to each running pulumi child, so the engine ends the update
// cleanly however long the operations in flight take, and says so on w; the context is cancelled
// only when no pulumi child is running, or at the second interrupt.
func Context(parent context.Context, w io.Writer) (context.Context, func()) {
	ctx, cancel := context.WithCancel(parent)
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		first := true
		for {
			select {
			case <-done:
				return
			case <-sigs:
				if first {
					first = false
					if forward(w) {
						continue
					}
				}
				cancel()
			}
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		cancel()
	}
}

func forward(w io.Writer) bool {
	pids := Children("pulumi")
	sent := false
	for _, pid := range pids {
		if syscall.Kill(pid, syscall.SIGINT) == nil {
			sent = true
		}
	}
	if sent {
		_, _ = fmt.Fprintln(w, "hubctl: interrupting: the engine finishes the operations in flight and records them; interrupt again to stop at once (and leave them pending)")
	}
	return sent
}
