package testmoto_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/londonaicentre/flip-hub/internal/testmoto"
)

// recorder is a testing.TB that records Fatal and Skip instead of acting on the real test, so the
// failure paths of Start and Check can be asserted. Methods it does not override go to the real TB.
type recorder struct {
	testing.TB
	mu       sync.Mutex
	failed   bool
	skipped  bool
	msg      string
	cleanups []func()
}

func (r *recorder) Helper() {}

func (r *recorder) Logf(string, ...any) {}

func (r *recorder) Cleanup(f func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cleanups = append(r.cleanups, f)
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.mu.Lock()
	r.failed, r.msg = true, fmt.Sprintf(format, args...)
	r.mu.Unlock()
	runtime.Goexit()
}

func (r *recorder) Skipf(format string, args ...any) {
	r.mu.Lock()
	r.skipped, r.msg = true, fmt.Sprintf(format, args...)
	r.mu.Unlock()
	runtime.Goexit()
}

// record runs fn against a recorder on its own goroutine (Fatalf and Skipf end it with Goexit, as the
// real ones do), then runs the cleanups fn registered.
func record(t *testing.T, fn func(tb testing.TB)) *recorder {
	t.Helper()
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(r)
	}()
	<-done
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
	return r
}

func TestSharedServerAnswersAWSCalls(t *testing.T) {
	srv := testmoto.Check(t, shared, sharedErr)
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") || srv.URL != "http://127.0.0.1:"+strconv.Itoa(srv.Port) {
		t.Fatalf("URL = %q, port %d; want http://127.0.0.1:<port>", srv.URL, srv.Port)
	}
	client := ec2.NewFromConfig(srv.AWSConfig())
	out, err := client.DescribeRegions(context.Background(), &ec2.DescribeRegionsInput{})
	if err != nil {
		t.Fatalf("DescribeRegions against moto: %v", err)
	}
	var found bool
	for _, r := range out.Regions {
		found = found || aws.ToString(r.RegionName) == testmoto.Region
	}
	if !found {
		t.Fatalf("moto did not list %s among %d regions", testmoto.Region, len(out.Regions))
	}
}

func TestReset(t *testing.T) {
	srv := testmoto.Check(t, shared, sharedErr)
	ctx := context.Background()
	client := ec2.NewFromConfig(srv.AWSConfig())
	name := "testmoto-reset-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	if _, err := client.CreateKeyPair(ctx, &ec2.CreateKeyPairInput{KeyName: aws.String(name)}); err != nil {
		t.Fatalf("CreateKeyPair: %v", err)
	}
	count := func() int {
		t.Helper()
		out, err := client.DescribeKeyPairs(ctx, &ec2.DescribeKeyPairsInput{})
		if err != nil {
			t.Fatalf("DescribeKeyPairs: %v", err)
		}
		n := 0
		for _, k := range out.KeyPairs {
			if aws.ToString(k.KeyName) == name {
				n++
			}
		}
		return n
	}
	if got := count(); got != 1 {
		t.Fatalf("before reset: %d key pairs named %s, want 1", got, name)
	}
	if err := srv.Reset(ctx); err != nil {
		t.Fatalf("Reset: %v", err)
	}
	if got := count(); got != 0 {
		t.Fatalf("after reset: %d key pairs named %s, want 0", got, name)
	}
}

func TestStartStopsServerOnCleanup(t *testing.T) {
	var srv *testmoto.Server
	t.Run("owner", func(t *testing.T) {
		srv = testmoto.Start(t)
		conn, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(srv.Port), time.Second)
		if err != nil {
			t.Fatalf("moto_server not listening while its test runs: %v", err)
		}
		_ = conn.Close()
	})
	if srv == nil {
		t.Fatal("subtest did not start a server")
	}
	if !srv.Stopped() {
		t.Fatal("moto_server still running after the owning test's cleanup")
	}
	if conn, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(srv.Port), time.Second); err == nil {
		_ = conn.Close()
		t.Fatalf("port %d still accepts connections after cleanup", srv.Port)
	}
	if err := srv.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
}

func TestStartWithoutMoto(t *testing.T) {
	tests := []struct {
		name        string
		skipEnv     string
		wantSkipped bool
		wantErr     error
		wantMsg     []string
	}{
		{
			name:    "missing binary fails with advice",
			wantErr: testmoto.ErrNotInstalled,
			wantMsg: []string{"moto_server not found on PATH", "pip install", "FLIP_SKIP_MOTO=1"},
		},
		{
			name:    "only the value 1 opts out",
			skipEnv: "true",
			wantErr: testmoto.ErrNotInstalled,
			wantMsg: []string{"moto_server not found on PATH"},
		},
		{
			name:        "FLIP_SKIP_MOTO=1 skips",
			skipEnv:     "1",
			wantSkipped: true,
			wantErr:     testmoto.ErrSkipped,
			wantMsg:     []string{"FLIP_SKIP_MOTO=1"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("PATH", t.TempDir())
			t.Setenv(testmoto.SkipEnv, tc.skipEnv)

			var got *testmoto.Server
			r := record(t, func(tb testing.TB) { got = testmoto.Start(tb) })
			if r.skipped != tc.wantSkipped || r.failed == tc.wantSkipped {
				t.Fatalf("Start: skipped=%v failed=%v, want skipped=%v failed=%v (msg %q)",
					r.skipped, r.failed, tc.wantSkipped, !tc.wantSkipped, r.msg)
			}
			if got != nil {
				t.Fatal("Start returned a server without moto_server on PATH")
			}
			for _, want := range tc.wantMsg {
				if !strings.Contains(r.msg, want) {
					t.Errorf("Start message %q does not mention %q", r.msg, want)
				}
			}

			srv, stop, err := testmoto.StartMain()
			if stop == nil {
				t.Fatal("StartMain returned a nil stop function")
			}
			stop()
			if srv != nil || !errors.Is(err, tc.wantErr) {
				t.Fatalf("StartMain = %v, %v; want nil, %v", srv, err, tc.wantErr)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	someServer := &testmoto.Server{URL: "http://127.0.0.1:1", Port: 1}
	tests := []struct {
		name        string
		srv         *testmoto.Server
		err         error
		wantFailed  bool
		wantSkipped bool
		wantMsg     string
	}{
		{name: "started", srv: someServer},
		{name: "skipped", err: fmt.Errorf("wrapped: %w", testmoto.ErrSkipped), wantSkipped: true, wantMsg: "FLIP_SKIP_MOTO=1"},
		{name: "start failed", err: errors.New("boom"), wantFailed: true, wantMsg: "boom"},
		{name: "never started", wantFailed: true, wantMsg: "TestMain"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got *testmoto.Server
			r := record(t, func(tb testing.TB) { got = testmoto.Check(tb, tc.srv, tc.err) })
			if r.failed != tc.wantFailed || r.skipped != tc.wantSkipped {
				t.Fatalf("failed=%v skipped=%v, want %v %v (msg %q)", r.failed, r.skipped, tc.wantFailed, tc.wantSkipped, r.msg)
			}
			if !strings.Contains(r.msg, tc.wantMsg) {
				t.Errorf("message %q does not contain %q", r.msg, tc.wantMsg)
			}
			if !tc.wantFailed && !tc.wantSkipped && got != tc.srv {
				t.Errorf("Check returned %v, want %v", got, tc.srv)
			}
		})
	}
}

func TestAWSConfig(t *testing.T) {
	t.Parallel()
	cfg := testmoto.AWSConfig("http://127.0.0.1:4566")
	if cfg.Region != "eu-west-2" {
		t.Errorf("Region = %q, want eu-west-2", cfg.Region)
	}
	if got := aws.ToString(cfg.BaseEndpoint); got != "http://127.0.0.1:4566" {
		t.Errorf("BaseEndpoint = %q", got)
	}
	creds, err := cfg.Credentials.Retrieve(context.Background())
	if err != nil {
		t.Fatalf("Retrieve credentials: %v", err)
	}
	if creds.AccessKeyID != "testing" || creds.SecretAccessKey != "testing" {
		t.Errorf("credentials = %q/%q, want fake testing credentials", creds.AccessKeyID, creds.SecretAccessKey)
	}
	if got := cfg.Retryer().MaxAttempts(); got != testmoto.MaxAttempts {
		t.Errorf("retryer MaxAttempts = %d, want %d", got, testmoto.MaxAttempts)
	}
}

func TestAWSConfigRefusesNonLoopback(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		endpoint string
		wantErr  string
	}{
		{name: "documentation address", endpoint: "http://192.0.2.10:4566", wantErr: "refusing to dial non-loopback"},
		{name: "real aws hostname", endpoint: "https://ec2.eu-west-2.amazonaws.com", wantErr: "refusing to dial non-loopback"},
		{name: "private address", endpoint: "http://10.0.0.1", wantErr: "refusing to dial non-loopback"},
		{name: "unspecified address", endpoint: "http://0.0.0.0:4566", wantErr: "refusing to dial non-loopback"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			client := ec2.NewFromConfig(testmoto.AWSConfig(tc.endpoint))
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_, err := client.DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("DescribeRegions via %s: err = %v, want one containing %q", tc.endpoint, err, tc.wantErr)
			}
		})
	}
}

func TestAWSConfigAllowsLoopbackAndKeepsRetriesSmall(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	hits := 0
	srv := newLoopbackServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits++
		mu.Unlock()
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
	}))
	tests := []struct {
		name     string
		endpoint string
	}{
		{name: "ipv4 literal", endpoint: srv},
		{name: "localhost name", endpoint: strings.Replace(srv, "127.0.0.1", "localhost", 1)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mu.Lock()
			hits = 0
			mu.Unlock()
			client := ec2.NewFromConfig(testmoto.AWSConfig(tc.endpoint))
			_, err := client.DescribeRegions(context.Background(), &ec2.DescribeRegionsInput{})
			if err == nil {
				t.Fatal("DescribeRegions succeeded against a server that always answers 503")
			}
			if strings.Contains(err.Error(), "refusing") {
				t.Fatalf("loopback endpoint refused: %v", err)
			}
			mu.Lock()
			defer mu.Unlock()
			if hits != testmoto.MaxAttempts {
				t.Fatalf("server saw %d attempts, want %d", hits, testmoto.MaxAttempts)
			}
		})
	}
}
