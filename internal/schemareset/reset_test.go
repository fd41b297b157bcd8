package schemareset_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/jackc/pgx/v5"

	"github.com/londonaicentre/flip-hub/internal/registrar"
	"github.com/londonaicentre/flip-hub/internal/schemareset"
	"github.com/londonaicentre/flip-hub/internal/testmoto"
	"github.com/londonaicentre/flip-hub/internal/testpg"
)

var (
	moto    *testmoto.Server
	motoErr error
	pg      *testpg.Server
	pgErr   error
)

func TestMain(m *testing.M) {
	var stopMoto, stopPG func()
	moto, stopMoto, motoErr = testmoto.StartMain()
	pg, stopPG, pgErr = testpg.StartMain()
	defer stopMoto()
	defer stopPG()
	m.Run()
}

// flipAPISchema is what flip-api creates and seeds at start: the registrar's fixture, the one place
// the project writes the hub tables down.
func flipAPISchema(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../registrar/testdata/schema.sql")
	if err != nil {
		t.Fatalf("read the hub schema fixture: %v", err)
	}
	return string(b)
}

// hub is one test's hub: a database standing in for RDS, an RDS instance in moto, and a fake flip-api
// whose restart recreates the tables.
type hub struct {
	t        *testing.T
	dsn      string
	rds      *rds.Client
	instance string
	schema   string
	restarts atomic.Int32
	// events records, in order, "snapshot-available" and "restart" as they happen.
	mu     sync.Mutex
	events []string
}

var instanceSeq atomic.Int32

func newHub(t *testing.T) *hub {
	t.Helper()
	srv := testpg.Require(t, pg, pgErr)
	m := testmoto.Check(t, moto, motoErr)
	h := &hub{
		t: t, dsn: srv.CreateDatabase(t, t.Name()), rds: rds.NewFromConfig(m.AWSConfig()),
		instance: fmt.Sprintf("flip-test-db-%d", instanceSeq.Add(1)), schema: flipAPISchema(t),
	}
	_, err := h.rds.CreateDBInstance(context.Background(), &rds.CreateDBInstanceInput{
		DBInstanceIdentifier: aws.String(h.instance), Engine: aws.String("postgres"), DBInstanceClass: aws.String("db.t4g.small"),
		AllocatedStorage: aws.Int32(20), MasterUsername: aws.String("flip_admin"), MasterUserPassword: aws.String("not-a-real-password"),
	})
	if err != nil {
		t.Fatalf("moto CreateDBInstance: %v", err)
	}
	// The hub as it runs today: flip-api's tables, one registered trust, a project row.
	h.exec(h.schema)
	h.exec(`INSERT INTO trust (id, name, code, api_key_hash, created_at) VALUES (gen_random_uuid(), 'Old Trust', 'old', repeat('a', 64), now());
		INSERT INTO projects (id, name, description, owner_id) VALUES (gen_random_uuid(), 'p', 'd', gen_random_uuid())`)
	return h
}

func (h *hub) exec(sql string) {
	h.t.Helper()
	conn, err := pgx.Connect(context.Background(), h.dsn)
	if err != nil {
		h.t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), sql); err != nil {
		h.t.Fatalf("exec: %v", err)
	}
}

func (h *hub) count(sql string) int {
	h.t.Helper()
	conn, err := pgx.Connect(context.Background(), h.dsn)
	if err != nil {
		h.t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(context.Background(), sql).Scan(&n); err != nil {
		h.t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// untouched fails the test unless the hub's data is still there.
func (h *hub) untouched() {
	h.t.Helper()
	if n := h.count(`SELECT count(*) FROM trust WHERE code = 'old'`); n != 1 {
		h.t.Fatalf("the old trust row is gone (%d rows): the schema was dropped", n)
	}
	if n := h.count(`SELECT count(*) FROM projects`); n != 1 {
		h.t.Fatalf("projects has %d rows; want the 1 it had", n)
	}
	if n := h.restarts.Load(); n != 0 {
		h.t.Fatalf("flip-api was restarted %d times", n)
	}
}

// snapshots lists the instance's manual snapshots. (moto, like RDS, also makes an automated one when
// the instance is created.)
func (h *hub) snapshots() []string {
	h.t.Helper()
	return h.snapshotsOfType("manual")
}

func (h *hub) snapshotsOfType(typ string) []string {
	h.t.Helper()
	out, err := h.rds.DescribeDBSnapshots(context.Background(), &rds.DescribeDBSnapshotsInput{
		DBInstanceIdentifier: aws.String(h.instance), SnapshotType: aws.String(typ),
	})
	if err != nil {
		h.t.Fatal(err)
	}
	var ids []string
	for _, s := range out.DBSnapshots {
		ids = append(ids, aws.ToString(s.DBSnapshotIdentifier))
	}
	return ids
}

func (h *hub) record(e string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.events = append(h.events, e)
}

func (h *hub) deps() schemareset.Deps {
	return schemareset.Deps{
		RDS: h.rds,
		Connect: func(ctx context.Context) (schemareset.DB, error) {
			return pgx.Connect(ctx, h.dsn)
		},
		// flip-api restarting: it creates its tables a moment later, as SQLModel create_all does.
		RestartAPI: func(context.Context) error {
			h.restarts.Add(1)
			h.record("restart")
			go func() {
				time.Sleep(200 * time.Millisecond)
				conn, err := pgx.Connect(context.Background(), h.dsn)
				if err != nil {
					return
				}
				defer conn.Close(context.Background())
				_, _ = conn.Exec(context.Background(), h.schema)
			}()
			return nil
		},
	}
}

var trusts = []registrar.Trust{
	{Code: "gstt", Name: "Guy's and St Thomas' NHS Foundation Trust", Region: "London", APIKeyHash: strings.Repeat("1", 64)},
	{Code: "uclh", Name: "University College London Hospitals NHS Foundation Trust", Region: "London", APIKeyHash: strings.Repeat("2", 64)},
}

func (h *hub) options(stack string, prod bool) schemareset.Options {
	cfg, err := pgx.ParseConfig(h.dsn)
	if err != nil {
		h.t.Fatal(err)
	}
	return schemareset.Options{
		Stack: stack, Prod: prod, DBInstanceID: h.instance, DBName: cfg.Database, Target: "database " + cfg.Database, Trusts: trusts,
		SnapshotPoll: 10 * time.Millisecond, TablesPoll: 20 * time.Millisecond, TablesTimeout: 20 * time.Second,
	}
}

// reset checks the outcome of a reset that went through.
func (h *hub) reset(res schemareset.Result) {
	h.t.Helper()
	if n := h.count(`SELECT count(*) FROM projects`); n != 0 {
		h.t.Fatalf("projects kept %d rows through the reset", n)
	}
	if n := h.count(`SELECT count(*) FROM trust WHERE code = 'old'`); n != 0 {
		h.t.Fatal("the old trust survived the reset")
	}
	if n := h.restarts.Load(); n != 1 {
		h.t.Fatalf("flip-api restarted %d times; want 1", n)
	}
	var got []string
	for _, r := range res.Registered {
		got = append(got, fmt.Sprintf("%s:%s", r.Code, r.SlotName))
	}
	if want := []string{"gstt:Trust_1", "uclh:Trust_2"}; !slices.Equal(got, want) {
		h.t.Fatalf("registered %v; want %v", got, want)
	}
	if n := h.count(`SELECT count(*) FROM trust t JOIN fl_kit_slot s ON s.assigned_to_trust_id = t.id WHERE t.api_key_hash IN (repeat('1', 64), repeat('2', 64))`); n != 2 {
		h.t.Fatalf("%d trusts hold a slot with their hash; want 2", n)
	}
	if n := h.count(`SELECT count(*) FROM trusts_audit WHERE action = 'REGISTERED'`); n != 2 {
		h.t.Fatalf("%d REGISTERED audit rows; want 2", n)
	}
}

func TestStagWithConfirmationFlag(t *testing.T) {
	t.Parallel()
	h := newHub(t)
	o := h.options("stag", false)
	o.Confirm = "stag"
	res, err := schemareset.Run(context.Background(), o, h.deps())
	if err != nil {
		t.Fatal(err)
	}
	h.reset(res)
	if res.Snapshot != "" || len(h.snapshots()) != 0 {
		t.Fatalf("a stag reset took snapshot %q (%v)", res.Snapshot, h.snapshots())
	}
}

// slowRDS reports a new snapshot as creating for its first DescribeDBSnapshots calls.
type slowRDS struct {
	*rds.Client
	h       *hub
	pending int32 // -1: forever
	calls   atomic.Int32
}

func (s *slowRDS) DescribeDBSnapshots(ctx context.Context, in *rds.DescribeDBSnapshotsInput, opts ...func(*rds.Options)) (*rds.DescribeDBSnapshotsOutput, error) {
	out, err := s.Client.DescribeDBSnapshots(ctx, in, opts...)
	n := s.calls.Add(1)
	if err == nil {
		for i := range out.DBSnapshots {
			if s.pending < 0 || n <= s.pending {
				out.DBSnapshots[i].Status = aws.String("creating")
			} else {
				s.h.record("snapshot-available")
			}
		}
	}
	return out, err
}

func TestProdTakesSnapshotAndWaits(t *testing.T) {
	t.Parallel()
	h := newHub(t)
	slow := &slowRDS{Client: h.rds, h: h, pending: 2}
	d := h.deps()
	d.RDS = slow
	o := h.options("prod", true)
	o.Prompt = strings.NewReader("prod\n")
	var out strings.Builder
	o.Out = &out
	res, err := schemareset.Run(context.Background(), o, d)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	h.reset(res)
	snaps := h.snapshots()
	if !res.SnapshotTaken || len(snaps) != 1 || snaps[0] != res.Snapshot || !strings.HasPrefix(res.Snapshot, "flip-prod-pre-schema-reset-") {
		t.Fatalf("snapshot %q taken=%v; moto has %v", res.Snapshot, res.SnapshotTaken, snaps)
	}
	if slow.calls.Load() < 3 {
		t.Fatalf("DescribeDBSnapshots called %d times; the reset did not wait through two 'creating' answers", slow.calls.Load())
	}
	if first := slices.Index(h.events, "snapshot-available"); first < 0 || first > slices.Index(h.events, "restart") {
		t.Fatalf("events %v; want the snapshot available before anything else", h.events)
	}
	if !strings.Contains(out.String(), "Type the stack name (prod)") {
		t.Errorf("no prompt in the output:\n%s", out.String())
	}
}

func TestProdSnapshotNeverAvailable(t *testing.T) {
	t.Parallel()
	h := newHub(t)
	d := h.deps()
	d.RDS = &slowRDS{Client: h.rds, h: h, pending: -1}
	o := h.options("prod", true)
	o.Confirm = "prod"
	o.SnapshotTimeout = 300 * time.Millisecond
	_, err := schemareset.Run(context.Background(), o, d)
	if err == nil || !strings.Contains(err.Error(), "did not become available") || !strings.Contains(err.Error(), "nothing was dropped") {
		t.Fatalf("err = %v", err)
	}
	h.untouched()
}

func TestProdWithGivenSnapshot(t *testing.T) {
	t.Parallel()
	h := newHub(t)
	ctx := context.Background()
	mk := func(id, instance string) {
		t.Helper()
		if _, err := h.rds.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String(instance), DBSnapshotIdentifier: aws.String(id)}); err != nil {
			t.Fatal(err)
		}
	}
	mk(h.instance+"-manual", h.instance)
	other := newHub(t)
	mk(other.instance+"-manual", other.instance)
	automated := h.snapshotsOfType("automated")
	if len(automated) != 1 {
		t.Fatalf("moto made automated snapshots %v; want the one made at creation", automated)
	}

	refusals := []struct {
		name, snapshot string
		now            func() time.Time
		want           string
	}{
		{"too old", h.instance + "-manual", func() time.Time { return time.Now().Add(2 * time.Hour) }, "was taken 2h"},
		{"of another instance", other.instance + "-manual", nil, "is of instance " + other.instance},
		{"missing", "no-such-snapshot", nil, "does not exist"},
		{"automated", automated[0], nil, "is automated; want a manual snapshot"},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			for _, dry := range []bool{true, false} {
				o := h.options("prod", true)
				o.Snapshot, o.Now, o.Confirm, o.DryRun = tc.snapshot, tc.now, "prod", dry
				_, err := schemareset.Run(ctx, o, h.deps())
				if !errors.Is(err, schemareset.ErrRefused) || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("dry run %v: err = %v; want ErrRefused saying %q", dry, err, tc.want)
				}
				h.untouched()
			}
		})
	}
	if snaps := h.snapshots(); len(snaps) != 1 {
		t.Fatalf("refused resets took snapshots: %v", snaps)
	}

	t.Run("fresh snapshot of this instance", func(t *testing.T) {
		o := h.options("prod", true)
		o.Snapshot, o.Confirm = h.instance+"-manual", "prod"
		res, err := schemareset.Run(ctx, o, h.deps())
		if err != nil {
			t.Fatal(err)
		}
		h.reset(res)
		if res.SnapshotTaken || res.Snapshot != h.instance+"-manual" || len(h.snapshots()) != 1 {
			t.Fatalf("result %+v; snapshots %v: want the given one relied on and none taken", res, h.snapshots())
		}
	})
}

func TestConfirmationRefusals(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		confirm string
		prompt  *strings.Reader
		want    string
	}{
		{"flag names another stack", "stag", nil, `--yes-i-understand "stag" does not name this stack`},
		{"typed the wrong name", "", strings.NewReader("yes\n"), "did not match"},
		{"typed nothing", "", strings.NewReader(""), "did not match"},
		{"a prefix of the name", "", strings.NewReader("pro\n"), "did not match"},
		{"no prompt and no flag", "", nil, "no confirmation"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHub(t)
			o := h.options("prod", true)
			o.Confirm = tc.confirm
			if tc.prompt != nil {
				o.Prompt = tc.prompt
			}
			_, err := schemareset.Run(context.Background(), o, h.deps())
			if !errors.Is(err, schemareset.ErrRefused) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v; want ErrRefused saying %q", err, tc.want)
			}
			h.untouched()
			if snaps := h.snapshots(); len(snaps) != 0 {
				t.Fatalf("a refused reset took a snapshot: %v", snaps)
			}
		})
	}
}

func TestDryRunTouchesNothing(t *testing.T) {
	t.Parallel()
	h := newHub(t)
	o := h.options("prod", true)
	o.DryRun = true
	var out strings.Builder
	o.Out = &out
	res, err := schemareset.Run(context.Background(), o, h.deps())
	if err != nil {
		t.Fatal(err)
	}
	h.untouched()
	if snaps := h.snapshots(); len(snaps) != 0 || res.Snapshot != "" {
		t.Fatalf("a dry run took a snapshot: %v", snaps)
	}
	for _, want := range []string{"take a manual snapshot of RDS instance " + h.instance, "DROP SCHEMA public CASCADE", "register trust gstt", "register trust uclh"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("dry run output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestFlipAPINeverComesBack(t *testing.T) {
	t.Parallel()
	h := newHub(t)
	d := h.deps()
	d.RestartAPI = func(context.Context) error { h.restarts.Add(1); return nil }
	o := h.options("stag", false)
	o.Confirm, o.TablesTimeout = "stag", 300*time.Millisecond
	_, err := schemareset.Run(context.Background(), o, d)
	if err == nil || !strings.Contains(err.Error(), "did not recreate its tables") || !strings.Contains(err.Error(), "0 of 3 tables") {
		t.Fatalf("err = %v", err)
	}
}

func TestLockedTablesRollBack(t *testing.T) {
	t.Parallel()
	h := newHub(t)
	ctx := context.Background()
	holder, err := pgx.Connect(ctx, h.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close(ctx)
	tx, err := holder.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `LOCK TABLE trust IN ACCESS SHARE MODE`); err != nil {
		t.Fatal(err)
	}
	o := h.options("stag", false)
	o.Confirm, o.LockTimeout = "stag", 200*time.Millisecond
	_, err = schemareset.Run(ctx, o, h.deps())
	if err == nil || !strings.Contains(err.Error(), "held its tables for more than 200ms") {
		t.Fatalf("err = %v", err)
	}
	_ = tx.Rollback(ctx)
	h.untouched()
}

func TestGrantsAndExtensionsSurvive(t *testing.T) {
	t.Parallel()
	h := newHub(t)
	role := fmt.Sprintf("flip_reader_%d", instanceSeq.Add(1))
	h.exec(`CREATE ROLE ` + role + `; GRANT USAGE ON SCHEMA public TO ` + role + `; CREATE EXTENSION citext SCHEMA public`)
	t.Cleanup(func() { h.exec(`DROP OWNED BY ` + role + `; DROP ROLE ` + role) })
	acl := `SELECT string_agg(CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END || ':' || a.privilege_type, ',' ORDER BY 1)
		FROM pg_namespace n, aclexplode(n.nspacl) a WHERE n.nspname = 'public' AND a.grantee <> n.nspowner`
	grants := func() string {
		conn, err := pgx.Connect(context.Background(), h.dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
		var s string
		if err := conn.QueryRow(context.Background(), acl).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	before := grants()
	if !strings.Contains(before, "PUBLIC:USAGE") || !strings.Contains(before, role+":USAGE") {
		t.Fatalf("set-up grants %q lack PUBLIC or %s", before, role)
	}
	o := h.options("stag", false)
	o.Confirm = "stag"
	res, err := schemareset.Run(context.Background(), o, h.deps())
	if err != nil {
		t.Fatal(err)
	}
	h.reset(res)
	if after := grants(); after != before {
		t.Fatalf("grants on schema public went from %q to %q", before, after)
	}
	if n := h.count(`SELECT count(*) FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'citext' AND n.nspname = 'public'`); n != 1 {
		t.Fatal("extension citext did not come back in schema public")
	}
}

func TestSnapshotID(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 4, 5, 6, 7, 89e6, time.UTC)
	for stack, want := range map[string]string{
		"prod":                   "flip-prod-pre-schema-reset-20260304-050607-089",
		"aicentre/flip-hub/prod": "flip-aicentre-flip-hub-prod-pre-schema-reset-20260304-050607-089",
		"--":                     "flip-hub-pre-schema-reset-20260304-050607-089",
	} {
		if got := schemareset.SnapshotID(stack, at); got != want {
			t.Errorf("SnapshotID(%q) = %q; want %q", stack, got, want)
		}
	}
}

func TestInterruptAtThePrompt(t *testing.T) {
	t.Parallel()
	h := newHub(t)
	pr, pw := io.Pipe() // an operator who never answers
	defer pw.Close()
	ctx, cancel := context.WithCancel(context.Background())
	o := h.options("prod", true)
	o.Prompt = pr
	done := make(chan error, 1)
	go func() { _, err := schemareset.Run(ctx, o, h.deps()); done <- err }()
	time.Sleep(100 * time.Millisecond)
	cancel() // Ctrl+C
	select {
	case err := <-done:
		if !errors.Is(err, schemareset.ErrRefused) || !strings.Contains(err.Error(), "interrupted") {
			t.Fatalf("err = %v; want ErrRefused for the interrupt", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Ctrl+C at the prompt did not stop the reset")
	}
	h.untouched()
	if snaps := h.snapshots(); len(snaps) != 0 {
		t.Fatalf("snapshots %v", snaps)
	}
}

// A connection that reaches another database than the stack's drops nothing.
func TestResetRefusesAnotherDatabase(t *testing.T) {
	h := newHub(t)
	o := h.options("stag", false)
	o.DBName, o.Confirm = "flip", "stag"
	_, err := schemareset.Run(context.Background(), o, h.deps())
	if !errors.Is(err, schemareset.ErrRefused) || !strings.Contains(err.Error(), `the stag hub's database is "flip"`) {
		t.Fatalf("err = %v; want a refusal naming the stack's database", err)
	}
	if n := h.count(`SELECT count(*) FROM projects`); n == 0 {
		t.Fatal("the other database's schema was dropped")
	}
}
