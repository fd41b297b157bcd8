package testpg

import (
	"errors"
	"fmt"
	"os"
	"testing"
)

// Start starts a server for one test (or benchmark) and registers tb.Cleanup to stop it and remove
// its directory. Missing binaries fail tb, or skip it when FLIP_SKIP_PG=1; any other failure fails
// tb. Prefer StartMain when several tests in a package need a database.
func Start(tb testing.TB) *Server {
	tb.Helper()
	s, err := start()
	if err != nil {
		report(tb, err)
		return nil
	}
	tb.Cleanup(func() {
		if err := s.Stop(); err != nil {
			tb.Errorf("%v", err)
		}
	})
	return s
}

// StartMain starts one server for a whole test package, from TestMain. The returned stop function is
// never nil; it stops the server and removes its directory, printing any failure to stderr. The
// error is kept and handed to Require by each test, so a missing installation fails (or, with
// FLIP_SKIP_PG=1, skips) every test that needs the database with a clear message:
//
//	var pg *testpg.Server
//	var pgErr error
//
//	func TestMain(m *testing.M) {
//		var stop func()
//		pg, stop, pgErr = testpg.StartMain()
//		defer stop()
//		m.Run()
//	}
//
//	func TestX(t *testing.T) {
//		dsn := testpg.Require(t, pg, pgErr).CreateDatabase(t, t.Name())
//		...
//	}
func StartMain() (*Server, func(), error) {
	s, err := start()
	if err != nil {
		return nil, func() {}, err
	}
	return s, func() {
		if err := s.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}, nil
}

// Require returns s when err is nil. Otherwise it fails tb with err, or skips tb when the binaries
// are missing and FLIP_SKIP_PG=1.
func Require(tb testing.TB, s *Server, err error) *Server {
	tb.Helper()
	if err != nil {
		report(tb, err)
		return nil
	}
	if s == nil {
		tb.Fatalf("testpg: no server: StartMain was not called from TestMain")
		return nil
	}
	return s
}

// report fails tb with err, unless the binaries are missing and the run opted out with
// FLIP_SKIP_PG=1, in which case it skips tb and says why.
func report(tb testing.TB, err error) {
	tb.Helper()
	if errors.Is(err, ErrNotInstalled) && os.Getenv(SkipEnv) == "1" {
		tb.Skipf("%s=1: skipping test that needs PostgreSQL: %v", SkipEnv, err)
		return
	}
	tb.Fatalf("%v", err)
}
