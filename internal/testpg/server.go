package testpg

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Host is the only address a testpg server listens on.
const Host = "127.0.0.1"

// Superuser is the bootstrap role initdb creates; connections authenticate with trust, which is safe
// because the server listens only on 127.0.0.1 and on a socket inside a 0700 directory.
const Superuser = "postgres"

// osUser is the account PostgreSQL runs as when the test runs as root (initdb refuses root).
const osUser = "postgres"

// startAttempts bounds retries when the free port picked is taken by someone else before the
// postmaster binds it.
const startAttempts = 5

// commandTimeout bounds each initdb and pg_ctl invocation.
const commandTimeout = 2 * time.Minute

// serverConf is appended to postgresql.conf. Durability is traded for speed: the cluster is thrown
// away after the tests.
const serverConf = `
# testpg: throwaway test cluster
listen_addresses = '` + Host + `'
unix_socket_directories = '%s'
max_connections = 200
shared_buffers = 32MB
fsync = off
synchronous_commit = off
full_page_writes = off
max_parallel_workers_per_gather = 0
log_min_messages = warning
`

// Server is a running throwaway PostgreSQL cluster.
//
// Start and StartMain find initdb and pg_ctl, initialise the cluster in a private temporary
// directory, and start it on a free port of 127.0.0.1 with its unix socket inside that directory;
// Stop runs pg_ctl stop -m immediate before the directory is removed. When the test runs as root,
// every PostgreSQL binary runs as the postgres user through runuser.
type Server struct {
	root    string // private temporary directory holding everything below
	dataDir string
	sockDir string
	logFile string
	port    int
	bins    binaries
	runas   *account // set when the test runs as root

	dbSeq    atomic.Int64
	stopOnce sync.Once
	stopErr  error
}

// account is the unprivileged user the PostgreSQL binaries run as under root.
type account struct {
	runuser  string
	uid, gid int
}

// Port is the TCP port the server listens on at 127.0.0.1.
func (s *Server) Port() int { return s.port }

// SocketDir is the directory holding the server's unix socket.
func (s *Server) SocketDir() string { return s.sockDir }

// start finds the binaries, initialises a cluster and starts it.
func start() (*Server, error) {
	bins, err := findBinaries(os.Getenv, defaultGlobs)
	if err != nil {
		return nil, err
	}
	var runas *account
	if os.Geteuid() == 0 {
		if runas, err = lookupAccount(); err != nil {
			return nil, err
		}
	}
	root, err := os.MkdirTemp("", "testpg-")
	if err != nil {
		return nil, fmt.Errorf("testpg: temporary directory: %w", err)
	}
	s := &Server{
		root:    root,
		dataDir: filepath.Join(root, "data"),
		sockDir: filepath.Join(root, "sock"),
		logFile: filepath.Join(root, "server.log"),
		bins:    bins,
		runas:   runas,
	}
	if err := s.initdb(); err != nil {
		_ = os.RemoveAll(root)
		return nil, err
	}
	if err := s.startServer(); err != nil {
		// pg_ctl may have given up waiting on a server that did start: stop it before removing its files.
		_, _ = s.run(s.bins.pgCtl, "-D", s.dataDir, "-m", "immediate", "-w", "stop")
		_ = os.RemoveAll(root)
		return nil, err
	}
	return s, nil
}

// lookupAccount resolves the postgres user and runuser for running as root.
func lookupAccount() (*account, error) {
	u, err := user.Lookup(osUser)
	if err != nil {
		return nil, fmt.Errorf("testpg: running as root needs a %q user for initdb and the server: %w", osUser, err)
	}
	uid, err := strconv.Atoi(u.Uid)
	if err != nil {
		return nil, fmt.Errorf("testpg: uid of %q: %w", osUser, err)
	}
	gid, err := strconv.Atoi(u.Gid)
	if err != nil {
		return nil, fmt.Errorf("testpg: gid of %q: %w", osUser, err)
	}
	runuser, err := exec.LookPath("runuser")
	if err != nil {
		return nil, fmt.Errorf("testpg: running as root needs runuser (util-linux) to drop to %q: %w", osUser, err)
	}
	return &account{runuser: runuser, uid: uid, gid: gid}, nil
}

// initdb creates the socket directory and the cluster, then appends serverConf.
func (s *Server) initdb() error {
	if err := os.Mkdir(s.sockDir, 0o700); err != nil {
		return fmt.Errorf("testpg: socket directory: %w", err)
	}
	if s.runas != nil {
		for _, dir := range []string{s.root, s.sockDir} {
			if err := os.Chown(dir, s.runas.uid, s.runas.gid); err != nil {
				return fmt.Errorf("testpg: chown %s to %s: %w", dir, osUser, err)
			}
		}
	}
	if out, err := s.run(s.bins.initdb, "-D", s.dataDir, "-U", Superuser, "--auth=trust",
		"--encoding=UTF8", "--locale=C", "--no-sync"); err != nil {
		return fmt.Errorf("testpg: initdb: %w\n%s", err, out)
	}
	f, err := os.OpenFile(filepath.Join(s.dataDir, "postgresql.conf"), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return fmt.Errorf("testpg: postgresql.conf: %w", err)
	}
	if _, err := fmt.Fprintf(f, serverConf, s.sockDir); err != nil {
		_ = f.Close()
		return fmt.Errorf("testpg: postgresql.conf: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("testpg: postgresql.conf: %w", err)
	}
	return nil
}

// startServer starts the postmaster on a free loopback port, retrying with a new port when the one
// picked was taken in the meantime.
func (s *Server) startServer() error {
	var lastErr error
	for range startAttempts {
		port, err := freePort()
		if err != nil {
			return err
		}
		out, err := s.run(s.bins.pgCtl, "-D", s.dataDir, "-l", s.logFile, "-w", "-t", "60",
			"-o", "-p "+strconv.Itoa(port), "start")
		if err == nil {
			s.port = port
			return nil
		}
		logTail := s.LogTail()
		lastErr = fmt.Errorf("testpg: pg_ctl start on %s:%d: %w\n%s\n%s", Host, port, err, out, logTail)
		if !strings.Contains(logTail, "could not bind") && !strings.Contains(logTail, "already in use") {
			return lastErr
		}
	}
	return lastErr
}

// freePort asks the kernel for a free TCP port on 127.0.0.1.
func freePort() (int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(Host, "0"))
	if err != nil {
		return 0, fmt.Errorf("testpg: pick a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// run executes a PostgreSQL binary, through runuser when running as root, with the caller's
// PG* variables removed so they cannot redirect it, and returns its combined output.
func (s *Server) run(bin string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	name := bin
	if s.runas != nil {
		args = append([]string{"-u", osUser, "--", bin}, args...)
		name = s.runas.runuser
	}
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = s.root
	cmd.Env = cleanEnv(os.Environ())
	cmd.WaitDelay = 5 * time.Second
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	return out.Bytes(), err
}

// cleanEnv drops libpq and server variables (PGDATA, PGPORT, PGHOST, ...) and forces the C locale.
func cleanEnv(env []string) []string {
	kept := make([]string, 0, len(env)+1)
	for _, kv := range env {
		if strings.HasPrefix(kv, "PG") || strings.HasPrefix(kv, "LC_ALL=") {
			continue
		}
		kept = append(kept, kv)
	}
	return append(kept, "LC_ALL=C")
}

// LogTail returns the last few kilobytes of the server log, for failure messages.
func (s *Server) LogTail() string {
	b, err := os.ReadFile(s.logFile)
	if err != nil {
		return ""
	}
	const limit = 4096
	if len(b) > limit {
		b = b[len(b)-limit:]
	}
	return string(b)
}

// Stop stops the server with pg_ctl stop -m immediate and removes its directory. It is safe to call
// more than once; later calls return the first result.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		var errs []error
		if out, err := s.run(s.bins.pgCtl, "-D", s.dataDir, "-m", "immediate", "-w", "stop"); err != nil {
			errs = append(errs, fmt.Errorf("testpg: pg_ctl stop: %w\n%s", err, out))
		}
		if err := os.RemoveAll(s.root); err != nil {
			errs = append(errs, fmt.Errorf("testpg: remove %s: %w", s.root, err))
		}
		s.stopErr = errors.Join(errs...)
	})
	return s.stopErr
}
