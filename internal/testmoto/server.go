package testmoto

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Binary is the moto_server executable looked up on PATH.
const Binary = "moto_server"

// SkipEnv is the environment variable that, set to "1", makes tests needing moto skip instead of fail.
const SkipEnv = "FLIP_SKIP_MOTO"

// ErrSkipped is returned by StartMain when SkipEnv opts the run out of moto.
var ErrSkipped = errors.New("moto_server skipped: " + SkipEnv + "=1")

// ErrNotInstalled is wrapped by start errors when moto_server is not on PATH.
var ErrNotInstalled = errors.New("moto_server not found on PATH")

const (
	// startTimeout bounds how long a fresh moto_server may take to answer HTTP. Python start-up on a
	// busy 2-core CI box can take several seconds.
	startTimeout = 60 * time.Second
	// stopTimeout is how long moto_server gets to exit after SIGTERM before it is killed.
	stopTimeout = 5 * time.Second
	// bindAttempts is how many free ports are tried when another process wins the race for one.
	bindAttempts = 3
	// logTail is how many bytes of moto_server output are kept for error messages.
	logTail = 8 << 10
)

// Server is a running moto_server bound to 127.0.0.1.
type Server struct {
	// URL is the endpoint, http://127.0.0.1:PORT, with no trailing slash.
	URL string
	// Port is the TCP port on 127.0.0.1.
	Port int

	cmd     *exec.Cmd
	exited  chan struct{} // closed once the process has been waited for
	out     *tail
	once    sync.Once
	err     error // result of cmd.Wait, valid after exited is closed
	stopErr error
}

// Start starts a moto_server for one test (or benchmark) and stops it when tb's cleanup runs.
// It fails tb with installation advice when moto_server is missing and skips tb only when
// FLIP_SKIP_MOTO=1.
func Start(tb testing.TB) *Server {
	tb.Helper()
	if skipRequested() {
		tb.Skipf("%s=1: skipping test that needs moto_server", SkipEnv)
	}
	s, err := start()
	if err != nil {
		tb.Fatalf("testmoto: %v", err)
	}
	tb.Cleanup(func() {
		if err := s.Stop(); err != nil {
			tb.Logf("testmoto: %v", err)
		}
	})
	return s
}

// StartMain starts a moto_server shared by a whole test binary, for use from TestMain. The returned
// stop function is never nil and is safe to call more than once. When FLIP_SKIP_MOTO=1 it returns
// ErrSkipped; any other error means moto_server could not be started. Tests then call Check so the
// outcome is reported per test without TestMain needing os.Exit:
//
//	var moto *testmoto.Server
//	var motoErr error
//
//	func TestMain(m *testing.M) {
//		var stop func()
//		moto, stop, motoErr = testmoto.StartMain()
//		defer stop()
//		m.Run()
//	}
//
//	func TestSomething(t *testing.T) {
//		srv := testmoto.Check(t, moto, motoErr)
//		...
//	}
func StartMain() (*Server, func(), error) {
	if skipRequested() {
		return nil, func() {}, ErrSkipped
	}
	s, err := start()
	if err != nil {
		return nil, func() {}, err
	}
	return s, func() {
		if err := s.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "testmoto: %v\n", err)
		}
	}, nil
}

// Check turns StartMain's results into a per-test outcome: it skips tb on ErrSkipped, fails it on
// any other error, and otherwise returns s.
func Check(tb testing.TB, s *Server, err error) *Server {
	tb.Helper()
	switch {
	case errors.Is(err, ErrSkipped):
		tb.Skipf("%s=1: skipping test that needs moto_server", SkipEnv)
	case err != nil:
		tb.Fatalf("testmoto: %v", err)
	case s == nil:
		tb.Fatalf("testmoto: no server and no error; was StartMain called from TestMain?")
	}
	return s
}

// AWSConfig returns AWSConfig(s.URL).
func (s *Server) AWSConfig() aws.Config {
	return AWSConfig(s.URL)
}

// Reset wipes every resource moto holds, so tests sharing one server start from nothing.
func (s *Server) Reset(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL+"/moto-api/reset", nil)
	if err != nil {
		return fmt.Errorf("moto reset: %w", err)
	}
	resp, err := loopbackHTTPClient().Do(req)
	if err != nil {
		return fmt.Errorf("moto reset: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("moto reset: status %s", resp.Status)
	}
	return nil
}

// Stop terminates the server: SIGTERM to its process group, then SIGKILL if it has not exited within
// a few seconds, which is reported as an error. It is safe to call more than once.
func (s *Server) Stop() error {
	s.once.Do(func() {
		select {
		case <-s.exited:
			return
		default:
		}
		_ = terminate(s.cmd)
		select {
		case <-s.exited:
		case <-time.After(stopTimeout):
			_ = kill(s.cmd)
			<-s.exited
			s.stopErr = fmt.Errorf("moto_server pid %d ignored SIGTERM for %s and was killed", s.cmd.Process.Pid, stopTimeout)
		}
	})
	return s.stopErr
}

// Stopped reports whether the moto_server process has exited.
func (s *Server) Stopped() bool {
	select {
	case <-s.exited:
		return true
	default:
		return false
	}
}

// Output returns the tail of moto_server's combined stdout and stderr, for debugging failed tests.
func (s *Server) Output() string {
	return s.out.String()
}

func skipRequested() bool {
	return os.Getenv(SkipEnv) == "1"
}

// start launches moto_server on a free loopback port, retrying on a lost port race.
func start() (*Server, error) {
	path, err := exec.LookPath(Binary)
	if err != nil {
		return nil, fmt.Errorf("%w: install it with `pip install 'moto[server]'` (CI does this when it is missing), "+
			"or set %s=1 to skip the tests that need it", ErrNotInstalled, SkipEnv)
	}
	var errs []error
	for range bindAttempts {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		s, err := launch(path, port)
		if err == nil {
			return s, nil
		}
		errs = append(errs, err)
		if !errors.Is(err, errExitedEarly) {
			break
		}
	}
	return nil, errors.Join(errs...)
}

var errExitedEarly = errors.New("moto_server exited before answering")

// launch starts one moto_server on 127.0.0.1:port and waits until it answers HTTP.
func launch(path string, port int) (*Server, error) {
	out := &tail{max: logTail}
	cmd := exec.Command(path, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Stdout = out
	cmd.Stderr = out
	cmd.Stdin = nil
	setProcAttr(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", path, err)
	}
	s := &Server{
		URL:    "http://127.0.0.1:" + strconv.Itoa(port),
		Port:   port,
		cmd:    cmd,
		exited: make(chan struct{}),
		out:    out,
	}
	go func() {
		s.err = cmd.Wait()
		close(s.exited)
	}()
	if err := s.waitReady(startTimeout); err != nil {
		_ = s.Stop()
		return nil, err
	}
	return s, nil
}

// waitReady polls the server until any HTTP response arrives, the process exits, or timeout passes.
func (s *Server) waitReady(timeout time.Duration) error {
	client := &http.Client{Transport: &http.Transport{Proxy: nil, DialContext: dialLoopback}, Timeout: time.Second}
	defer client.CloseIdleConnections()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		resp, err := client.Get(s.URL + "/moto-api/")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("moto_server on %s did not answer within %s: %w; output:\n%s", s.URL, timeout, err, s.out)
		}
		select {
		case <-s.exited:
			return fmt.Errorf("%w on port %d (%w); output:\n%s", errExitedEarly, s.Port, s.err, s.out)
		case <-tick.C:
		}
	}
}

// freePort asks the kernel for a free TCP port on 127.0.0.1.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find free loopback port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// tail is an io.Writer that keeps only the last max bytes written to it.
type tail struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.TrimSpace(string(t.buf))
}
