package testpg

import (
	"context"
	"errors"
	"net"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

var (
	pkgServer *Server
	pkgErr    error
)

func TestMain(m *testing.M) {
	var stop func()
	pkgServer, stop, pkgErr = StartMain()
	defer stop()
	m.Run()
}

func connect(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func queryString(t *testing.T, conn *pgx.Conn, sql string) string {
	t.Helper()
	var s string
	if err := conn.QueryRow(context.Background(), sql).Scan(&s); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return s
}

func TestServerListensOnlyOnLoopback(t *testing.T) {
	t.Parallel()
	s := Require(t, pkgServer, pkgErr)
	conn := connect(t, s.DSN("postgres"))

	tests := []struct {
		sql  string
		want string
	}{
		{sql: "SHOW listen_addresses", want: "127.0.0.1"},
		{sql: "SHOW unix_socket_directories", want: s.SocketDir()},
		{sql: "SELECT host(inet_server_addr())", want: "127.0.0.1"},
		{sql: "SELECT current_user", want: Superuser},
		{sql: "SHOW server_encoding", want: "UTF8"},
		{sql: "SHOW port", want: strconv.Itoa(s.Port())},
	}
	for _, tc := range tests {
		t.Run(tc.sql, func(t *testing.T) {
			if got := queryString(t, conn, tc.sql); got != tc.want {
				t.Errorf("%s = %q, want %q", tc.sql, got, tc.want)
			}
		})
	}

	t.Run("socket directory is private", func(t *testing.T) {
		fi, err := os.Stat(s.SocketDir())
		if err != nil {
			t.Fatal(err)
		}
		if perm := fi.Mode().Perm(); perm != 0o700 {
			t.Errorf("socket directory mode = %o, want 700", perm)
		}
	})

	t.Run("not reachable on a non-loopback address", func(t *testing.T) {
		addrs, err := net.InterfaceAddrs()
		if err != nil {
			t.Fatal(err)
		}
		tried := 0
		for _, a := range addrs {
			ipn, ok := a.(*net.IPNet)
			if !ok || ipn.IP.IsLoopback() || ipn.IP.To4() == nil {
				continue
			}
			tried++
			c, err := net.DialTimeout("tcp", net.JoinHostPort(ipn.IP.String(), strconv.Itoa(s.Port())), 2*time.Second)
			if err == nil {
				c.Close()
				t.Errorf("server accepted a connection on %s", ipn.IP)
			}
		}
		t.Logf("checked %d non-loopback IPv4 addresses", tried)
	})
}

func TestServerRunsAsPostgresWhenRoot(t *testing.T) {
	t.Parallel()
	s := Require(t, pkgServer, pkgErr)
	fi, err := os.Stat(s.dataDir)
	if err != nil {
		t.Fatal(err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		t.Fatalf("no owner information for %s", s.dataDir)
	}
	wantUID := os.Geteuid()
	if wantUID == 0 {
		if s.runas == nil {
			t.Fatal("running as root but no account to drop to")
		}
		wantUID = s.runas.uid
	}
	if int(st.Uid) != wantUID {
		t.Errorf("data directory owner uid = %d, want %d", st.Uid, wantUID)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		t.Errorf("data directory mode = %o, want no group or other access", perm)
	}
}

func TestCreateDatabaseIsolatesTests(t *testing.T) {
	t.Parallel()
	s := Require(t, pkgServer, pkgErr)
	admin := connect(t, s.DSN("postgres"))

	var dsnA, dsnB, nameA string
	var leak *pgx.Conn
	t.Cleanup(func() {
		if leak != nil {
			leak.Close(context.Background())
		}
	})
	t.Run("create", func(t *testing.T) {
		dsnA = s.CreateDatabase(t, "Same Name!")
		dsnB = s.CreateDatabase(t, "Same Name!")
		if dsnA == dsnB {
			t.Fatalf("two databases share a DSN: %s", dsnA)
		}
		cfg, err := pgx.ParseConfig(dsnA)
		if err != nil {
			t.Fatal(err)
		}
		nameA = cfg.Database
		a, b := connect(t, dsnA), connect(t, dsnB)
		if _, err := a.Exec(context.Background(), "CREATE TABLE only_in_a (x int)"); err != nil {
			t.Fatal(err)
		}
		_, err = b.Exec(context.Background(), "SELECT * FROM only_in_a")
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "42P01" {
			t.Fatalf("table created in one database is visible in the other: err = %v", err)
		}
		// A connection left open must not stop the cleanup from dropping the database.
		if leak, err = pgx.Connect(context.Background(), dsnA); err != nil {
			t.Fatal(err)
		}
	})

	var n int
	if err := admin.QueryRow(context.Background(), "SELECT count(*) FROM pg_database WHERE datname = $1", nameA).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("database %s still exists after its test's cleanup", nameA)
	}
}

func TestStartStopsAndRemovesOnCleanup(t *testing.T) {
	t.Parallel()
	var s *Server
	ok := t.Run("start", func(t *testing.T) {
		s = Start(t)
		conn := connect(t, s.DSN("postgres"))
		if got := queryString(t, conn, "SELECT 'up'"); got != "up" {
			t.Fatalf("SELECT 'up' = %q", got)
		}
		if s.Port() == pkgServerPort() {
			t.Fatalf("second server reused port %d", s.Port())
		}
	})
	if !ok {
		return // the subtest reported why
	}
	if s == nil {
		t.Skip("no server was started: the subtest was skipped")
	}
	if _, err := os.Stat(s.root); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("server directory %s still there after cleanup (stat err = %v)", s.root, err)
	}
	c, err := net.DialTimeout("tcp", net.JoinHostPort(Host, strconv.Itoa(s.Port())), time.Second)
	if err == nil {
		c.Close()
		t.Errorf("port %d still accepts connections after cleanup", s.Port())
	}
	if err := s.Stop(); err != nil {
		t.Errorf("second Stop() = %v, want the first (nil) result", err)
	}
}

func pkgServerPort() int {
	if pkgServer == nil {
		return -1
	}
	return pkgServer.Port()
}

func TestDSN(t *testing.T) {
	t.Parallel()
	s := &Server{port: 54321}
	tests := []struct {
		dbname string
		want   string
	}{
		{dbname: "postgres", want: "postgres://postgres@127.0.0.1:54321/postgres?sslmode=disable"},
		{dbname: "with space", want: "postgres://postgres@127.0.0.1:54321/with%20space?sslmode=disable"},
		{dbname: "q?x#y", want: "postgres://postgres@127.0.0.1:54321/q%3Fx%23y?sslmode=disable"},
	}
	for _, tc := range tests {
		t.Run(tc.dbname, func(t *testing.T) {
			got := s.DSN(tc.dbname)
			if got != tc.want {
				t.Errorf("DSN(%q) = %q, want %q", tc.dbname, got, tc.want)
			}
			cfg, err := pgx.ParseConfig(got)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Database != tc.dbname || cfg.Host != Host || cfg.Port != 54321 || cfg.User != Superuser {
				t.Errorf("DSN(%q) parses to db=%q host=%q port=%d user=%q", tc.dbname, cfg.Database, cfg.Host, cfg.Port, cfg.User)
			}
		})
	}
}

func TestDatabaseName(t *testing.T) {
	t.Parallel()
	long := "TestRegister/concurrent_registrations_of_many_distinct_trusts_on_a_small_pool"
	tests := []struct {
		name string
		seq  int64
		want string
	}{
		{name: "TestRegister", seq: 1, want: "testregister_1"},
		{name: "TestX/sub case#01", seq: 12, want: "testx_sub_case_01_12"},
		{name: "9lives", seq: 3, want: "db_9lives_3"},
		{name: "", seq: 4, want: "db__4"},
		{name: "Ünïcode ✓", seq: 5, want: "n_code_5"},
		{name: long, seq: 123, want: "testregister_concurrent_registrations_of_many_distinct_trus_123"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			got := databaseName(tc.name, tc.seq)
			if got != tc.want {
				t.Errorf("databaseName(%q, %d) = %q, want %q", tc.name, tc.seq, got, tc.want)
			}
			if len(got) > maxIdentifier {
				t.Errorf("databaseName(%q) is %d bytes, over PostgreSQL's %d", tc.name, len(got), maxIdentifier)
			}
		})
	}
}
