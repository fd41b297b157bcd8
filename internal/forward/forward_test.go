package forward_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/londonaicentre/flip-hub/internal/forward"
	"github.com/londonaicentre/flip-hub/internal/testexec"
)

// fakeAWS writes a stand-in for the aws CLI: it records its arguments and its pid and the pid of a
// child it starts (as the real CLI starts session-manager-plugin), then behaves per mode:
//
//	ready  prints what the plugin prints once its port is open, then waits
//	exit   fails at once, as the CLI does when the instance is not connected
//	silent never says it is ready
//	die    becomes ready, then exits after a moment
func fakeAWS(t *testing.T, mode string) (cli, dir string) {
	t.Helper()
	dir = t.TempDir()
	script := fmt.Sprintf(`#!/bin/sh
dir=%q
echo "$@" >> "$dir/args"
echo $$ >> "$dir/pids"
sleep 300 &
echo $! >> "$dir/pids"
case %q in
exit)
  echo "An error occurred (TargetNotConnected) when calling the StartSession operation: i-0 is not connected." >&2
  exit 254 ;;
silent)
  wait ;;
esac
echo
echo "Starting session with SessionId: fake-session-$$"
echo "Port 12345 opened for sessionId fake-session-$$."
echo "Waiting for connections..."
if [ %q = die ]; then sleep 0.3; exit 1; fi
wait
`, dir, mode, mode)
	cli = filepath.Join(dir, "aws")
	testexec.Write(t, cli, script, 0o755)
	return cli, dir
}

func pids(t *testing.T, dir string) []int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "pids"))
	if err != nil {
		t.Fatal(err)
	}
	var out []int
	for _, f := range strings.Fields(string(b)) {
		n, err := strconv.Atoi(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	return out
}

// gone waits until none of the processes exists (they are reaped by the session or by init).
func gone(t *testing.T, ps []int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for _, p := range ps {
		for syscall.Kill(p, 0) == nil {
			if state, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p)); err == nil && strings.Contains(string(state), ") Z ") {
				break // a zombie waiting for its reaper has stopped running
			}
			if time.Now().After(deadline) {
				t.Fatalf("process %d still runs after the session was closed", p)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

var opts = forward.Options{InstanceID: "i-0123456789abcdef0", Region: "eu-west-2", ReadyTimeout: 10 * time.Second}

func TestArgs(t *testing.T) {
	t.Parallel()
	hub := forward.Hub(forward.HubOptions{APIPort: 8000, FLPort: 8002, DBHost: "flip-stag-db.abc.eu-west-2.rds.amazonaws.com", DBPort: 5432, DBName: "flip"})
	cases := []struct {
		name string
		want []string
	}{
		{forward.FlipAPI, []string{"ssm", "start-session", "--target", "i-0123456789abcdef0", "--document-name", "AWS-StartPortForwardingSession",
			"--parameters", `{"localPortNumber":["18000"],"portNumber":["8000"]}`, "--region", "eu-west-2"}},
		{forward.FLServer, []string{"ssm", "start-session", "--target", "i-0123456789abcdef0", "--document-name", "AWS-StartPortForwardingSession",
			"--parameters", `{"localPortNumber":["18002"],"portNumber":["8002"]}`, "--region", "eu-west-2"}},
		{forward.DB, []string{"ssm", "start-session", "--target", "i-0123456789abcdef0", "--document-name", "AWS-StartPortForwardingSessionToRemoteHost",
			"--parameters", `{"host":["flip-stag-db.abc.eu-west-2.rds.amazonaws.com"],"localPortNumber":["15432"],"portNumber":["5432"]}`, "--region", "eu-west-2"}},
	}
	for _, tc := range cases {
		target := hub[tc.name]
		if got := forward.Args(opts, target, target.LocalPort); !slices.Equal(got, tc.want) {
			t.Errorf("%s: args\n%q\nwant\n%q", tc.name, got, tc.want)
		}
	}
}

func TestSelect(t *testing.T) {
	t.Parallel()
	hub := forward.Hub(forward.HubOptions{APIPort: 8000, FLPort: 8002, DBHost: "db.example", DBPort: 5432, DBName: "flip"})
	all, err := forward.Select(hub, nil, nil)
	if err != nil || len(all) != 3 || all[0].Name != "flip-api" || all[1].Name != "fl-server" || all[2].Name != "db" {
		t.Fatalf("Select(all) = %v, %v", all, err)
	}
	one, err := forward.Select(hub, []string{"db", "db"}, map[string]int{"db": 25432})
	if err != nil || len(one) != 1 || one[0].LocalPort != 25432 {
		t.Fatalf("Select(db, port 25432) = %v, %v", one, err)
	}
	if _, err := forward.Select(hub, []string{"redis"}, nil); err == nil || !strings.Contains(err.Error(), "db, fl-server, flip-api") {
		t.Fatalf("unknown service: %v", err)
	}
	if _, err := forward.Select(hub, nil, map[string]int{"nope": 1}); err == nil {
		t.Fatal("a port for an unknown service was accepted")
	}
	noDB := forward.Hub(forward.HubOptions{APIPort: 8000})
	if got, _ := forward.Select(noDB, nil, nil); len(got) != 1 {
		t.Fatalf("with no FL port and no database, Select(all) = %v", got)
	}
}

func freeTarget(t *testing.T) forward.Target {
	t.Helper()
	return forward.Target{Name: "flip-api", RemotePort: 8000, LocalPort: 0, URL: "http://%s/api/docs"}
}

func TestStartAndClose(t *testing.T) {
	t.Parallel()
	cli, dir := fakeAWS(t, "ready")
	o := opts
	o.AWSCLI = cli
	s, err := forward.Start(context.Background(), o, freeTarget(t))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s.SessionID, "fake-session-") || s.LocalPort == 0 || s.URL() != fmt.Sprintf("http://127.0.0.1:%d/api/docs", s.LocalPort) {
		t.Fatalf("session %+v, url %s", s, s.URL())
	}
	args, _ := os.ReadFile(filepath.Join(dir, "args"))
	if !strings.Contains(string(args), fmt.Sprintf(`"localPortNumber":["%d"]`, s.LocalPort)) {
		t.Fatalf("the CLI was given %q", args)
	}
	ps := pids(t, dir)
	s.Close()
	gone(t, ps)
	select {
	case <-s.Done():
	default:
		t.Fatal("Close returned before the session ended")
	}
	s.Close() // a second close is harmless
}

func TestContextEndsSessions(t *testing.T) {
	t.Parallel()
	cli, dir := fakeAWS(t, "ready")
	o := opts
	o.AWSCLI = cli
	ctx, cancel := context.WithCancel(context.Background())
	var out testexec.Buffer
	done := make(chan error, 1)
	targets := []forward.Target{freeTarget(t), {Name: "db", RemoteHost: "db.example", RemotePort: 5432, URL: "postgres://%s/flip?sslmode=require", Note: "TLS required"}}
	go func() { done <- forward.Run(ctx, o, targets, &out) }()
	deadline := time.After(30 * time.Second)
	for !strings.Contains(out.String(), "press Ctrl+C") {
		select {
		case err := <-done:
			t.Fatalf("Run returned before its forwards opened: %v; output:\n%s", err, out.String())
		case <-deadline:
			t.Fatalf("forwards not open; output:\n%s", out.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	for _, want := range []string{"flip-api   http://127.0.0.1:", "/api/docs", "db         postgres://127.0.0.1:", "/flip?sslmode=require  (TLS required)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	ps := pids(t, dir)
	if len(ps) != 4 {
		t.Fatalf("recorded pids %v; want a CLI and a plugin per session", ps)
	}
	cancel() // Ctrl+C
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run after Ctrl+C: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	gone(t, ps)
}

func TestSessionFailures(t *testing.T) {
	t.Parallel()
	t.Run("cli fails", func(t *testing.T) {
		t.Parallel()
		cli, dir := fakeAWS(t, "exit")
		o := opts
		o.AWSCLI = cli
		_, err := forward.Start(context.Background(), o, freeTarget(t))
		if !errors.Is(err, forward.ErrSessionExited) || !strings.Contains(err.Error(), "TargetNotConnected") {
			t.Fatalf("err = %v; want ErrSessionExited with the CLI's message", err)
		}
		gone(t, pids(t, dir))
	})
	t.Run("never ready", func(t *testing.T) {
		t.Parallel()
		cli, dir := fakeAWS(t, "silent")
		o := opts
		o.AWSCLI, o.ReadyTimeout = cli, 300*time.Millisecond
		_, err := forward.Start(context.Background(), o, freeTarget(t))
		if !errors.Is(err, forward.ErrNotReady) {
			t.Fatalf("err = %v; want ErrNotReady", err)
		}
		gone(t, pids(t, dir))
	})
	t.Run("session dies while forwarding", func(t *testing.T) {
		t.Parallel()
		cli, dir := fakeAWS(t, "die")
		o := opts
		o.AWSCLI = cli
		var out bytes.Buffer
		err := forward.Run(context.Background(), o, []forward.Target{freeTarget(t)}, &out)
		if !errors.Is(err, forward.ErrSessionExited) || !strings.Contains(err.Error(), "flip-api") {
			t.Fatalf("err = %v; want ErrSessionExited naming flip-api", err)
		}
		gone(t, pids(t, dir))
	})
	t.Run("no cli", func(t *testing.T) {
		t.Parallel()
		o := opts
		o.AWSCLI = filepath.Join(t.TempDir(), "aws")
		if _, err := forward.Start(context.Background(), o, freeTarget(t)); !errors.Is(err, forward.ErrNoCLI) {
			t.Fatalf("err = %v; want ErrNoCLI", err)
		}
	})
	t.Run("local port taken", func(t *testing.T) {
		t.Parallel()
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		cli, dir := fakeAWS(t, "ready")
		o := opts
		o.AWSCLI = cli
		target := freeTarget(t)
		target.LocalPort = l.Addr().(*net.TCPAddr).Port
		_, err = forward.Start(context.Background(), o, target)
		if !errors.Is(err, forward.ErrPortInUse) || !strings.Contains(err.Error(), "--port flip-api=PORT") {
			t.Fatalf("err = %v; want ErrPortInUse", err)
		}
		if _, err := os.Stat(filepath.Join(dir, "args")); err == nil {
			t.Fatal("the CLI was started although the port was taken")
		}
	})
	t.Run("bad instance", func(t *testing.T) {
		t.Parallel()
		o := opts
		o.InstanceID = "i-1; rm -rf /"
		if _, err := forward.Start(context.Background(), o, freeTarget(t)); err == nil || !strings.Contains(err.Error(), "not an EC2 instance id") {
			t.Fatalf("err = %v", err)
		}
	})
}
