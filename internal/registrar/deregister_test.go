package registrar

import (
	"errors"
	"strings"
	"testing"
)

func TestDeregisterFreesSlotAndAudits(t *testing.T) {
	t.Parallel()
	db := newTestDB(t, 4)
	r := New(db.pool)
	a, err := r.Register(ctx(t), gstt("key-1"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.Register(ctx(t), Trust{Code: "kch", Name: "King's", APIKeyHash: hashOf("key-k")})
	if err != nil {
		t.Fatal(err)
	}
	if a.SlotName != "Trust_1" || b.SlotName != "Trust_2" {
		t.Fatalf("slots = %s, %s; want Trust_1, Trust_2", a.SlotName, b.SlotName)
	}

	got, err := r.Deregister(ctx(t), "gstt", false)
	if err != nil {
		t.Fatalf("Deregister() error = %v", err)
	}
	if !got.Found || got.TrustID != a.TrustID || !equal(got.FreedSlots, []string{"Trust_1"}) || len(got.Deleted) != 0 {
		t.Errorf("Deregister() = %+v, want found %s freeing [Trust_1]", got, a.TrustID)
	}
	if n := db.int64("SELECT count(*) FROM trust WHERE code = 'gstt'"); n != 0 {
		t.Errorf("trust row still there")
	}
	if n := db.int64("SELECT count(*) FROM fl_kit_slot WHERE slot_name = 'Trust_1' AND assigned_to_trust_id IS NULL AND assigned_at IS NULL"); n != 1 {
		t.Errorf("Trust_1 not fully freed")
	}
	if got := db.auditActions(a.TrustID); !equal(got, []string{"REGISTERED", "DELETED"}) {
		t.Errorf("audit actions = %v, want [REGISTERED DELETED]", got)
	}
	if got := db.strings("SELECT trust_name FROM trusts_audit WHERE action = 'DELETED'"); !equal(got, []string{"Guy's and St Thomas'"}) {
		t.Errorf("DELETED audit names %v, want the deleted trust's name", got)
	}
	if n := db.int64("SELECT count(*) FROM trust WHERE code = 'kch'"); n != 1 {
		t.Errorf("the other trust was touched")
	}

	// The freed slot is the lowest free one again.
	c, err := r.Register(ctx(t), Trust{Code: "uclh", Name: "UCLH", APIKeyHash: hashOf("key-u")})
	if err != nil {
		t.Fatal(err)
	}
	if c.SlotName != "Trust_1" {
		t.Errorf("next registration got %s, want the freed Trust_1", c.SlotName)
	}
}

func TestDeregisterUnknownCodeIsANoOp(t *testing.T) {
	t.Parallel()
	db := newTestDB(t, 4)
	r := New(db.pool)
	if _, err := r.Register(ctx(t), gstt("key-1")); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		code      string
		wantFound bool
	}{
		{code: "nope", wantFound: false},
		{code: "gstt", wantFound: true},
		{code: "gstt", wantFound: false}, // already gone: a retry succeeds and changes nothing
	}
	for i, step := range steps {
		got, err := r.Deregister(ctx(t), step.code, false)
		if err != nil {
			t.Fatalf("step %d: Deregister(%s) error = %v", i, step.code, err)
		}
		if got.Found != step.wantFound || (!got.Found && (got.TrustID != "" || got.FreedSlots != nil)) {
			t.Errorf("step %d: Deregister(%s) = %+v, want found=%v", i, step.code, got, step.wantFound)
		}
	}
	if n := db.int64("SELECT count(*) FROM trusts_audit WHERE action = 'DELETED'"); n != 1 {
		t.Errorf("DELETED audit rows = %d, want exactly 1", n)
	}
}

// seedReferences makes the trust with code referenced from project_trust_intersect (one row),
// trust_task (two rows) and a table in another schema with names that need quoting (one row).
func seedReferences(db *testDB, trustID string) {
	db.t.Helper()
	db.exec(`INSERT INTO projects (id, name, description, owner_id)
		VALUES ('10000000-0000-4000-8000-000000000001', 'Project', 'd', '20000000-0000-4000-8000-000000000001')`)
	db.exec(`INSERT INTO project_trust_intersect (id, project_id, trust_id, approved)
		VALUES ('30000000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-000000000001', $1, true)`, trustID)
	db.exec(`INSERT INTO trust_task (id, trust_id, task_type, payload) VALUES
		('40000000-0000-4000-8000-000000000001', $1, 'COHORT_QUERY', '{}'),
		('40000000-0000-4000-8000-000000000002', $1, 'COHORT_QUERY', '{}')`, trustID)
	db.exec(`CREATE SCHEMA "Odd Schema"`)
	db.exec(`CREATE TABLE "Odd Schema"."Trust ""Stats""" (id serial PRIMARY KEY, "For Trust" uuid REFERENCES trust (id))`)
	db.exec(`INSERT INTO "Odd Schema"."Trust ""Stats""" ("For Trust") VALUES ($1)`, trustID)
}

func TestDeregisterReferencedTrust(t *testing.T) {
	t.Parallel()
	db := newTestDB(t, 4)
	r := New(db.pool)
	a, err := r.Register(ctx(t), gstt("key-1"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.Register(ctx(t), Trust{Code: "kch", Name: "King's", APIKeyHash: hashOf("key-k")})
	if err != nil {
		t.Fatal(err)
	}
	seedReferences(db, a.TrustID)
	// A task of the other trust must survive a forced deregistration.
	db.exec(`INSERT INTO trust_task (id, trust_id, task_type, payload) VALUES ('40000000-0000-4000-8000-0000000000ff', $1, 'X', '{}')`, b.TrustID)

	wantRefs := []Reference{
		{Schema: "Odd Schema", Table: `Trust "Stats"`, Column: "For Trust", Rows: 1},
		{Schema: "public", Table: "project_trust_intersect", Column: "trust_id", Rows: 1},
		{Schema: "public", Table: "trust_task", Column: "trust_id", Rows: 2},
	}

	t.Run("refused without force", func(t *testing.T) {
		got, err := r.Deregister(ctx(t), "gstt", false)
		if !errors.Is(err, ErrReferenced) {
			t.Fatalf("Deregister() = %+v, %v; want ErrReferenced", got, err)
		}
		var refErr *ReferencedError
		if !errors.As(err, &refErr) {
			t.Fatalf("error %v is not a *ReferencedError", err)
		}
		if refErr.Code != "gstt" || !equalRefs(refErr.Refs, wantRefs) {
			t.Errorf("ReferencedError = %+v, want refs %+v", refErr, wantRefs)
		}
		wantTables := []string{`Odd Schema.Trust "Stats"`, "project_trust_intersect", "trust_task"}
		if !equal(refErr.Tables(), wantTables) {
			t.Errorf("Tables() = %q, want %q", refErr.Tables(), wantTables)
		}
		for _, want := range []string{`Odd Schema.Trust "Stats".For Trust (1 row)`, "project_trust_intersect.trust_id (1 row)", "trust_task.trust_id (2 rows)", "force"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not mention %q", err, want)
			}
		}
		if n := db.int64("SELECT count(*) FROM trust WHERE id = $1", a.TrustID); n != 1 {
			t.Error("the trust was deleted despite the refusal")
		}
		if n := db.int64("SELECT count(*) FROM fl_kit_slot WHERE assigned_to_trust_id = $1", a.TrustID); n != 1 {
			t.Error("the slot was freed despite the refusal")
		}
		if n := db.int64("SELECT count(*) FROM trusts_audit WHERE action = 'DELETED'"); n != 0 {
			t.Error("a DELETED audit row was written despite the refusal")
		}
	})

	t.Run("forced", func(t *testing.T) {
		got, err := r.Deregister(ctx(t), "gstt", true)
		if err != nil {
			t.Fatalf("Deregister(force) error = %v", err)
		}
		if !got.Found || !equal(got.FreedSlots, []string{a.SlotName}) || !equalRefs(got.Deleted, wantRefs) {
			t.Errorf("Deregister(force) = %+v, want freed [%s] and deleted %+v", got, a.SlotName, wantRefs)
		}
		checks := []struct {
			sql  string
			want int64
		}{
			{sql: "SELECT count(*) FROM trust WHERE code = 'gstt'", want: 0},
			{sql: "SELECT count(*) FROM project_trust_intersect", want: 0},
			{sql: "SELECT count(*) FROM projects", want: 1},
			{sql: "SELECT count(*) FROM trust_task", want: 1},
			{sql: "SELECT count(*) FROM trust_task WHERE trust_id = '" + b.TrustID + "'", want: 1},
			{sql: `SELECT count(*) FROM "Odd Schema"."Trust ""Stats"""`, want: 0},
			{sql: "SELECT count(*) FROM trusts_audit WHERE action = 'DELETED' AND trust_id = '" + a.TrustID + "'", want: 1},
			{sql: "SELECT count(*) FROM fl_kit_slot WHERE assigned_to_trust_id IS NOT NULL", want: 1},
		}
		for _, c := range checks {
			if n := db.int64(c.sql); n != c.want {
				t.Errorf("%s = %d, want %d", c.sql, n, c.want)
			}
		}
	})
}

func TestDeregisterForcedRollsBackWhenADeleteFails(t *testing.T) {
	t.Parallel()
	db := newTestDB(t, 4)
	r := New(db.pool)
	a, err := r.Register(ctx(t), gstt("key-1"))
	if err != nil {
		t.Fatal(err)
	}
	seedReferences(db, a.TrustID)
	// A task result that points at one of the trust's tasks, but not at the trust: deleting the task fails.
	db.exec(`CREATE TABLE task_result (id serial PRIMARY KEY, task_id uuid NOT NULL REFERENCES trust_task (id))`)
	db.exec(`INSERT INTO task_result (task_id) VALUES ('40000000-0000-4000-8000-000000000001')`)

	_, err = r.Deregister(ctx(t), "gstt", true)
	if err == nil || !strings.Contains(err.Error(), "trust_task") {
		t.Fatalf("Deregister(force) error = %v, want a failure naming trust_task", err)
	}
	for sql, want := range map[string]int64{
		"SELECT count(*) FROM trust":                                              1,
		"SELECT count(*) FROM project_trust_intersect":                            1,
		"SELECT count(*) FROM trust_task":                                         2,
		"SELECT count(*) FROM fl_kit_slot WHERE assigned_to_trust_id IS NOT NULL": 1,
		"SELECT count(*) FROM trusts_audit WHERE action = 'DELETED'":              0,
	} {
		if n := db.int64(sql); n != want {
			t.Errorf("%s = %d, want %d (nothing may change)", sql, n, want)
		}
	}
}

func equalRefs(a, b []Reference) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
