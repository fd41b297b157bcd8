//go:build unix

package ssmsession

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fakeCLI is a command standing in for the aws CLI: a shell script that starts a child (as the CLI
// starts session-manager-plugin), records both pids, prints body, and waits. sh reads the script, so
// no test executes a file that a parallel test may still hold open for writing (ETXTBSY).
func fakeCLI(t *testing.T, body string) (cli Command, pidFile string) {
	t.Helper()
	dir := t.TempDir()
	pidFile = filepath.Join(dir, "pids")
	script := "#!/bin/sh\nsleep 300 &\necho $$ $! > " + pidFile + "\n" + body + "\nwait\n"
	file := filepath.Join(dir, "aws")
	if err := os.WriteFile(file, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	return Command{CLI: "/bin/sh", Args: []string{file}}, pidFile
}

func readPids(t *testing.T, file string) []int {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, f := range strings.Fields(string(b)) {
		p, err := strconv.Atoi(f)
		if err != nil {
			t.Fatal(err)
		}
		pids = append(pids, p)
	}
	return pids
}

// gone waits until no process has pid (a zombie counts as gone only once reaped, so allow time).
func gone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			t.Fatalf("process %d survived Stop", pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestStopEndsTheWholeGroup(t *testing.T) {
	t.Parallel()
	cli, pidFile := fakeCLI(t, `echo "Starting session with SessionId: s-42."; echo "Waiting for connections..."`)
	p, err := Start(cli)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.WaitReady(context.Background(), 10*time.Second); err != nil {
		t.Fatalf("WaitReady() = %v", err)
	}
	if got := p.SessionID(); got != "s-42" {
		t.Errorf("SessionID() = %q; want s-42", got)
	}
	pids := readPids(t, pidFile)
	if pgid, err := syscall.Getpgid(pids[0]); err != nil || pgid != pids[0] {
		t.Errorf("the CLI's process group is %d (%v); want a group of its own, %d", pgid, err, pids[0])
	}
	p.Stop()
	select {
	case <-p.Done():
	default:
		t.Fatal("Stop returned before the process was reaped")
	}
	for _, pid := range pids[1:] {
		gone(t, pid) // the child, like the plugin, dies with the group
	}
	p.Stop() // a second Stop is harmless
}

func TestWaitReadyResults(t *testing.T) {
	t.Parallel()
	t.Run("exited", func(t *testing.T) {
		t.Parallel()
		p, err := Start(Command{CLI: "/bin/sh", Args: []string{"-c", "echo TargetNotConnected >&2; exit 254"}})
		if err != nil {
			t.Fatal(err)
		}
		defer p.Stop()
		if err := p.WaitReady(context.Background(), 10*time.Second); !errors.Is(err, ErrExited) {
			t.Fatalf("WaitReady() = %v; want ErrExited", err)
		}
		if p.WaitErr() == nil || !strings.Contains(p.Tail(), "TargetNotConnected") {
			t.Errorf("WaitErr() = %v, Tail() = %q; want the exit status and the CLI's words", p.WaitErr(), p.Tail())
		}
	})
	t.Run("not ready", func(t *testing.T) {
		t.Parallel()
		cli, _ := fakeCLI(t, "")
		p, err := Start(cli)
		if err != nil {
			t.Fatal(err)
		}
		defer p.Stop()
		if err := p.WaitReady(context.Background(), 200*time.Millisecond); !errors.Is(err, ErrNotReady) {
			t.Fatalf("WaitReady() = %v; want ErrNotReady", err)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		t.Parallel()
		cli, _ := fakeCLI(t, "")
		p, err := Start(cli)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		p.AfterCancel(ctx, p.Stop)
		cancel()
		if err := p.WaitReady(ctx, 10*time.Second); !errors.Is(err, context.Canceled) {
			t.Fatalf("WaitReady() = %v; want context.Canceled", err)
		}
		select {
		case <-p.Done():
		case <-time.After(StopGrace + 10*time.Second):
			t.Fatal("the process outlived its context")
		}
	})
}

func TestStartWithoutTheCLI(t *testing.T) {
	t.Parallel()
	_, err := Start(Command{CLI: filepath.Join(t.TempDir(), "no-such-aws")})
	if !NotFound(err) {
		t.Fatalf("Start() = %v; want an error NotFound recognises", err)
	}
}

func TestEnvIsPassedAsGiven(t *testing.T) {
	t.Parallel()
	p, err := Start(Command{CLI: "/bin/sh", Args: []string{"-c", `echo "v=$SSMSESSION_TEST_VAR"`}, Env: []string{"SSMSESSION_TEST_VAR=x"}})
	if err != nil {
		t.Fatal(err)
	}
	<-p.Done()
	p.Stop()
	if got := p.Tail(); got != "v=x" {
		t.Errorf("output %q; want v=x", got)
	}
}
