package registrar

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/londonaicentre/flip-hub/internal/testpg"
)

//go:embed testdata/schema.sql
var schemaSQL string

// One PostgreSQL server for the package; each test gets its own database on it.
var (
	pgServer *testpg.Server
	pgErr    error
)

func TestMain(m *testing.M) {
	var stop func()
	pgServer, stop, pgErr = testpg.StartMain()
	defer stop()
	if errors.Is(pgErr, testpg.ErrNotInstalled) && os.Getenv(testpg.SkipEnv) == "1" {
		// Tests report the skip themselves through testpg.Require; runnable examples cannot, so
		// they are excluded here, loudly.
		fmt.Fprintf(os.Stderr, "%s=1 and PostgreSQL is not installed: skipping the runnable examples\n", testpg.SkipEnv)
		_ = flag.Set("test.skip", "^Example")
	}
	m.Run()
}

// testDB is a fresh hub database for one test: the schema fixture loaded, the pool seeded with 10
// slots, a pool for the registrar and a separate admin pool for setup and assertions.
type testDB struct {
	t     *testing.T
	dsn   string
	pool  *pgxpool.Pool // used by the registrar under test
	admin *pgxpool.Pool // used by the test itself
}

// newTestDB creates a database with the fixture schema. maxConns bounds the registrar's pool.
func newTestDB(t *testing.T, maxConns int32) *testDB {
	t.Helper()
	db := newEmptyDB(t, maxConns)
	db.exec(schemaSQL)
	return db
}

// newEmptyDB creates a database without any schema.
func newEmptyDB(t *testing.T, maxConns int32) *testDB {
	t.Helper()
	srv := testpg.Require(t, pgServer, pgErr)
	dsn := srv.CreateDatabase(t, t.Name())
	db := &testDB{t: t, dsn: dsn, pool: newPool(t, dsn, maxConns), admin: newPool(t, dsn, 4)}
	return db
}

func newPool(t *testing.T, dsn string, maxConns int32) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = maxConns
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// exec runs setup SQL (several statements allowed when there are no arguments).
func (db *testDB) exec(sql string, args ...any) {
	db.t.Helper()
	if _, err := db.admin.Exec(ctx(db.t), sql, args...); err != nil {
		db.t.Fatalf("%s: %v", firstLine(sql), err)
	}
}

// int64 runs a query returning one integer.
func (db *testDB) int64(sql string, args ...any) int64 {
	db.t.Helper()
	var n int64
	if err := db.admin.QueryRow(ctx(db.t), sql, args...).Scan(&n); err != nil {
		db.t.Fatalf("%s: %v", firstLine(sql), err)
	}
	return n
}

// strings runs a query returning one text column.
func (db *testDB) strings(sql string, args ...any) []string {
	db.t.Helper()
	rows, err := db.admin.Query(ctx(db.t), sql, args...)
	if err != nil {
		db.t.Fatalf("%s: %v", firstLine(sql), err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		db.t.Fatalf("%s: %v", firstLine(sql), err)
	}
	return out
}

// seedSlots replaces the slot pool with n unassigned slots Trust_1..Trust_n.
func (db *testDB) seedSlots(n int) {
	db.t.Helper()
	db.exec("UPDATE fl_kit_slot SET assigned_to_trust_id = NULL")
	db.exec("DELETE FROM fl_kit_slot")
	db.exec("INSERT INTO fl_kit_slot (slot_name, slot_number) SELECT 'Trust_' || n, n FROM generate_series(1, $1::int) AS n", n)
}

// auditActions lists the audit actions recorded for a trust code's current or past trust names,
// oldest first.
func (db *testDB) auditActions(trustID string) []string {
	db.t.Helper()
	return db.strings("SELECT action::text FROM trusts_audit WHERE trust_id = $1 ORDER BY audit_date, action::text", trustID)
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}

// hashOf is the SHA-256 hex digest of a made-up key, as hubctl would compute it.
func hashOf(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// assertNoSecret fails when err's text, or any error in its chain, contains secret.
func assertNoSecret(t *testing.T, err error, secret string) {
	t.Helper()
	if err == nil || secret == "" {
		return
	}
	if strings.Contains(err.Error(), secret) || strings.Contains(fmt.Sprintf("%+v", err), secret) {
		t.Errorf("error text reveals a key hash: %v", err)
	}
}
