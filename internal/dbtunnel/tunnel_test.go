package dbtunnel

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/londonaicentre/flip-hub/internal/ssmsession"
	"github.com/londonaicentre/flip-hub/internal/testpg"
)

// stopGrace is how long Close lets the session exit on SIGTERM; it lives with the subprocess
// handling in ssmsession.
const stopGrace = ssmsession.StopGrace

func tunnelOptions(cli string) TunnelOptions {
	return TunnelOptions{
		InstanceID:   "i-0123456789abcdef0",
		RemoteHost:   "flip-stag.cabcdefghijk.eu-west-2.rds.amazonaws.com",
		RemotePort:   5432,
		Region:       "eu-west-2",
		AWSCLI:       cli,
		ReadyTimeout: 30 * time.Second,
	}
}

// pgTarget is host:port of the package's PostgreSQL and a fresh database on it.
func pgTarget(t *testing.T) (target, dbName string) {
	t.Helper()
	srv := testpg.Require(t, pgServer, pgErr)
	u, err := url.Parse(srv.CreateDatabase(t, t.Name()))
	if err != nil {
		t.Fatal(err)
	}
	return net.JoinHostPort(testpg.Host, strconv.Itoa(srv.Port())), strings.TrimPrefix(u.Path, "/")
}

func TestArgs(t *testing.T) {
	t.Parallel()
	got := Args(tunnelOptions("aws"), 54321)
	want := []string{"ssm", "start-session", "--target", "i-0123456789abcdef0",
		"--document-name", "AWS-StartPortForwardingSessionToRemoteHost", "--parameters", "", "--region", "eu-west-2"}
	if len(got) != len(want) {
		t.Fatalf("Args() = %q", got)
	}
	for i := range want {
		if want[i] != "" && got[i] != want[i] {
			t.Errorf("Args()[%d] = %q; want %q", i, got[i], want[i])
		}
	}
	var params map[string][]string
	if err := json.Unmarshal([]byte(got[7]), &params); err != nil {
		t.Fatalf("--parameters %q is not JSON: %v", got[7], err)
	}
	wantParams := map[string][]string{
		"host": {"flip-stag.cabcdefghijk.eu-west-2.rds.amazonaws.com"}, "portNumber": {"5432"}, "localPortNumber": {"54321"},
	}
	for k, v := range wantParams {
		if !slices.Equal(params[k], v) {
			t.Errorf("parameter %s = %q; want %q", k, params[k], v)
		}
	}
	if len(params) != len(wantParams) {
		t.Errorf("parameters %v; want only %v", params, wantParams)
	}
}

func TestOpenValidatesBeforeStartingAnything(t *testing.T) {
	t.Parallel()
	// A CLI that does not exist: reaching it would fail with ErrNoCLI instead of the wanted error.
	missing := filepath.Join(t.TempDir(), "no-aws")
	cases := []struct {
		name   string
		mutate func(*TunnelOptions)
		want   string
	}{
		{"instance", func(o *TunnelOptions) { o.InstanceID = "web-1" }, "not an EC2 instance id"},
		{"host with a space", func(o *TunnelOptions) { o.RemoteHost = "db host" }, "not a host name"},
		{"option-like host", func(o *TunnelOptions) { o.RemoteHost = "--profile=x" }, "not a host name"},
		{"port", func(o *TunnelOptions) { o.RemotePort = 0 }, "not a TCP port"},
		{"region", func(o *TunnelOptions) { o.Region = "London" }, "not a region"},
		{"missing cli", func(*TunnelOptions) {}, "aws cli not found"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o := tunnelOptions(missing)
			tc.mutate(&o)
			_, err := Open(context.Background(), o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Open() = %v; want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestOpenReportsASessionThatEnds(t *testing.T) {
	t.Parallel()
	f := newFake(t, "exit", "")
	_, err := Open(context.Background(), tunnelOptions(f.cli))
	if !errors.Is(err, ErrSessionExited) || !strings.Contains(err.Error(), "TargetNotConnected") {
		t.Fatalf("Open() = %v; want ErrSessionExited quoting the CLI", err)
	}
}

func TestOpenGivesUpOnASessionThatNeverOpens(t *testing.T) {
	t.Parallel()
	f := newFake(t, "hang", "")
	o := tunnelOptions(f.cli)
	o.ReadyTimeout = time.Second
	start := time.Now()
	_, err := Open(context.Background(), o)
	if !errors.Is(err, ErrNotReady) || !strings.Contains(err.Error(), fakeSession) {
		t.Fatalf("Open() = %v; want ErrNotReady with the CLI's output", err)
	}
	if d := time.Since(start); d > stopGrace+10*time.Second {
		t.Errorf("Open() took %s to give up", d)
	}
}

// refused waits until nothing accepts on the port any more.
func refused(t *testing.T, port int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), time.Second)
		if err != nil {
			return
		}
		_ = c.Close()
		if time.Now().After(deadline) {
			t.Fatalf("port %d still accepts connections: the session's plugin survived", port)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestTunnelForwardsAndCloseStopsTheWholeSession(t *testing.T) {
	t.Parallel()
	target, db := pgTarget(t)
	f := newFake(t, "plain", target)
	tun, err := Open(context.Background(), tunnelOptions(f.cli))
	if err != nil {
		t.Fatal(err)
	}
	defer tun.Close()
	if tun.SessionID != fakeSession {
		t.Errorf("SessionID = %q; want %q", tun.SessionID, fakeSession)
	}
	seen := f.seen(t)
	wantArgs := Args(tunnelOptions(f.cli), tun.LocalPort)
	if !slices.Equal(seen.Args, wantArgs) {
		t.Errorf("the CLI ran with %q; want %q", seen.Args, wantArgs)
	}

	ctx := context.Background()
	conn, err := pgx.Connect(ctx, "postgres://"+testpg.Superuser+"@127.0.0.1:"+strconv.Itoa(tun.LocalPort)+"/"+db+"?sslmode=disable")
	if err != nil {
		t.Fatalf("connect through the tunnel: %v", err)
	}
	var one int
	if err := conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("query through the tunnel: %v", err)
	}
	_ = conn.Close(ctx)

	if err := tun.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	select {
	case <-tun.Done():
	default:
		t.Fatal("Close returned before the session process exited")
	}
	// The listener belongs to the plugin, the CLI's child: it must be gone too.
	refused(t, tun.LocalPort)
	if err := tun.Close(); err != nil {
		t.Errorf("second Close() = %v", err)
	}
}

func TestCancellingTheContextEndsTheSession(t *testing.T) {
	t.Parallel()
	target, _ := pgTarget(t)
	f := newFake(t, "plain", target)
	ctx, cancel := context.WithCancel(context.Background())
	tun, err := Open(ctx, tunnelOptions(f.cli))
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	cancel()
	select {
	case <-tun.Done():
	case <-time.After(stopGrace + 10*time.Second):
		t.Fatal("the session outlived its context")
	}
	refused(t, tun.LocalPort)
}

// Not parallel: it sets a process environment variable for the CLI to inherit, or not.
func TestDroppedVariablesDoNotReachTheSession(t *testing.T) {
	target, _ := pgTarget(t)
	t.Setenv(watchedEnv, strings.Repeat("ab", 32))
	for _, tc := range []struct {
		name string
		drop []string
		want bool
	}{
		{"dropped", []string{"OTHER", watchedEnv}, false},
		{"kept when not named", nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, "plain", target)
			o := tunnelOptions(f.cli)
			o.DropEnv = tc.drop
			tun, err := Open(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			defer tun.Close()
			if got := f.seen(t).SawWatched; got != tc.want {
				t.Errorf("the session saw %s: %v; want %v", watchedEnv, got, tc.want)
			}
		})
	}
}

func TestFilterEnv(t *testing.T) {
	t.Parallel()
	env := []string{"A=1", "FLIP_TRUST_API_KEY_HASH=x", "FLIP_TRUST_API_KEY_HASH_OTHER=y", "B=a=b"}
	got := filterEnv(env, []string{"FLIP_TRUST_API_KEY_HASH"})
	want := []string{"A=1", "FLIP_TRUST_API_KEY_HASH_OTHER=y", "B=a=b"}
	if !slices.Equal(got, want) {
		t.Fatalf("filterEnv() = %q; want %q", got, want)
	}
}
