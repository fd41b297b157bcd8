package registrar

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Both handle types the hub tooling uses satisfy DB.
var (
	_ DB = (*pgx.Conn)(nil)
	_ DB = (*pgxpool.Pool)(nil)
)

func gstt(key string) Trust {
	return Trust{Code: "gstt", Name: "Guy's and St Thomas'", Region: "London", APIKeyHash: hashOf(key)}
}

func TestRegisterCreatesTrustWithLowestFreeSlot(t *testing.T) {
	t.Parallel()
	db := newTestDB(t, 4)
	// Slot 1 is held by someone else; slot numbers are not in slot_name order.
	db.exec("UPDATE fl_kit_slot SET slot_number = 100 WHERE slot_name = 'Trust_2'")
	db.exec(`INSERT INTO trust (id, name, code, created_at) VALUES ('00000000-0000-4000-8000-000000000001', 'Other', 'other', now())`)
	db.exec("UPDATE fl_kit_slot SET assigned_to_trust_id = '00000000-0000-4000-8000-000000000001' WHERE slot_name = 'Trust_1'")

	r := New(db.pool)
	in := gstt("key-1")
	res, err := r.Register(ctx(t), in)
	if err != nil {
		t.Fatalf("Register() error = %v", err)
	}
	want := Result{TrustID: res.TrustID, SlotName: "Trust_3", SlotNumber: 3, Action: Created, SlotClaimed: true}
	if res != want {
		t.Errorf("Register() = %+v, want %+v", res, want)
	}

	var name, code, region, hash, slot string
	var fresh bool
	err = db.admin.QueryRow(ctx(t), `
		SELECT t.name, t.code, t.region, t.api_key_hash, s.slot_name,
		       t.created_at > now() - interval '1 minute' AND s.assigned_at IS NOT NULL
		FROM trust t JOIN fl_kit_slot s ON s.assigned_to_trust_id = t.id
		WHERE t.id = $1`, res.TrustID).Scan(&name, &code, &region, &hash, &slot, &fresh)
	if err != nil {
		t.Fatalf("read back trust: %v", err)
	}
	if name != in.Name || code != in.Code || region != in.Region || hash != in.APIKeyHash || slot != "Trust_3" || !fresh {
		t.Errorf("stored trust = (%q, %q, %q, hash ok=%v, %q, stamped=%v), want %+v in Trust_3",
			name, code, region, hash == in.APIKeyHash, slot, fresh, in)
	}
	if got := db.auditActions(res.TrustID); !equal(got, []string{"REGISTERED"}) {
		t.Errorf("audit actions = %v, want [REGISTERED]", got)
	}
	var auditName string
	var byUser *string
	if err := db.admin.QueryRow(ctx(t), "SELECT trust_name, modified_by_user_id::text FROM trusts_audit WHERE trust_id = $1",
		res.TrustID).Scan(&auditName, &byUser); err != nil {
		t.Fatal(err)
	}
	if auditName != in.Name || byUser != nil {
		t.Errorf("audit row = (%q, %v), want (%q, NULL)", auditName, byUser, in.Name)
	}
	if n := db.int64("SELECT count(*) FROM trust WHERE region IS NULL"); n != 1 {
		t.Errorf("trusts with NULL region = %d, want 1 (the pre-existing one)", n)
	}
}

func TestRegisterIsIdempotent(t *testing.T) {
	t.Parallel()
	db := newTestDB(t, 4)
	r := New(db.pool)
	first, err := r.Register(ctx(t), gstt("key-1"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		again, err := r.Register(ctx(t), gstt("key-1"))
		if err != nil {
			t.Fatalf("re-registration %d: %v", i, err)
		}
		want := Result{TrustID: first.TrustID, SlotName: first.SlotName, SlotNumber: first.SlotNumber, Action: Unchanged}
		if again != want {
			t.Errorf("re-registration %d = %+v, want %+v", i, again, want)
		}
	}
	if n := db.int64("SELECT count(*) FROM trust"); n != 1 {
		t.Errorf("trust rows = %d, want 1", n)
	}
	if n := db.int64("SELECT count(*) FROM fl_kit_slot WHERE assigned_to_trust_id IS NOT NULL"); n != 1 {
		t.Errorf("assigned slots = %d, want 1", n)
	}
	if got := db.auditActions(first.TrustID); !equal(got, []string{"REGISTERED"}) {
		t.Errorf("audit actions = %v, want only the first REGISTERED", got)
	}
}

// auditVariants are the shapes trusts_audit.action can have: flip-api's enum today, the same enum
// after gaining the registrar's labels, and a plain text column.
var auditVariants = []struct {
	name  string
	setup string
	// label maps the registrar's preferred label to what the variant stores.
	label func(string) string
}{
	{
		name:  "flip-api enum",
		setup: "",
		label: func(string) string { return "REGISTERED" },
	},
	{
		name: "enum with registrar labels",
		setup: "ALTER TYPE trustauditaction ADD VALUE 'KEY_ROTATED'; ALTER TYPE trustauditaction ADD VALUE 'UPDATED'; " +
			"ALTER TYPE trustauditaction ADD VALUE 'SLOT_ASSIGNED'",
		label: func(s string) string { return s },
	},
	{
		name:  "text column",
		setup: "ALTER TABLE trusts_audit ALTER COLUMN action TYPE varchar USING action::text",
		label: func(s string) string { return s },
	},
}

func TestRegisterRotatesKey(t *testing.T) {
	t.Parallel()
	for _, v := range auditVariants {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			db := newTestDB(t, 4)
			if v.setup != "" {
				db.exec(v.setup)
			}
			r := New(db.pool)
			first, err := r.Register(ctx(t), gstt("key-1"))
			if err != nil {
				t.Fatal(err)
			}
			rotated, err := r.Register(ctx(t), gstt("key-2"))
			if err != nil {
				t.Fatalf("rotation: %v", err)
			}
			want := Result{TrustID: first.TrustID, SlotName: first.SlotName, SlotNumber: first.SlotNumber,
				Action: Rotated, KeyRotated: true}
			if rotated != want {
				t.Errorf("rotation = %+v, want %+v", rotated, want)
			}
			if got := db.strings("SELECT api_key_hash FROM trust"); !equal(got, []string{hashOf("key-2")}) {
				t.Error("stored hash is not the new key's hash")
			}
			wantAudit := []string{"REGISTERED", v.label("KEY_ROTATED")}
			if got := db.auditActions(first.TrustID); !equal(got, wantAudit) {
				t.Errorf("audit actions = %v, want %v", got, wantAudit)
			}
			// Re-running with the new key changes nothing more.
			again, err := r.Register(ctx(t), gstt("key-2"))
			if err != nil || again.Action != Unchanged {
				t.Errorf("re-run after rotation = %+v, %v; want unchanged", again, err)
			}
			if n := len(db.auditActions(first.TrustID)); n != 2 {
				t.Errorf("audit rows after idempotent re-run = %d, want 2", n)
			}
		})
	}
}

func TestRegisterUpdatesDetails(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		change      func(Trust) Trust
		wantRotated bool
		wantAudit   []string // preferred labels after REGISTERED
		wantRegion  *string
	}{
		{
			name:       "rename",
			change:     func(tr Trust) Trust { tr.Name = "Guy's & St Thomas' NHS FT"; return tr },
			wantAudit:  []string{"UPDATED"},
			wantRegion: ptr("London"),
		},
		{
			name:       "region cleared is stored as NULL",
			change:     func(tr Trust) Trust { tr.Region = ""; return tr },
			wantAudit:  []string{"UPDATED"},
			wantRegion: nil,
		},
		{
			name: "rename and rotate together",
			change: func(tr Trust) Trust {
				tr.Name, tr.APIKeyHash = "GSTT", hashOf("key-2")
				return tr
			},
			wantRotated: true,
			wantAudit:   []string{"KEY_ROTATED", "UPDATED"},
			wantRegion:  ptr("London"),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := newTestDB(t, 4)
			db.exec(auditVariants[2].setup) // text column: precise labels are visible
			r := New(db.pool)
			first, err := r.Register(ctx(t), gstt("key-1"))
			if err != nil {
				t.Fatal(err)
			}
			changed := tc.change(gstt("key-1"))
			res, err := r.Register(ctx(t), changed)
			if err != nil {
				t.Fatalf("Register(changed) error = %v", err)
			}
			want := Result{TrustID: first.TrustID, SlotName: first.SlotName, SlotNumber: first.SlotNumber,
				Action: Updated, KeyRotated: tc.wantRotated}
			if res != want {
				t.Errorf("Register(changed) = %+v, want %+v", res, want)
			}
			var name string
			var region *string
			if err := db.admin.QueryRow(ctx(t), "SELECT name, region FROM trust WHERE id = $1", first.TrustID).Scan(&name, &region); err != nil {
				t.Fatal(err)
			}
			if name != changed.Name || !equalPtr(region, tc.wantRegion) {
				t.Errorf("stored (name, region) = (%q, %v), want (%q, %v)", name, deref(region), changed.Name, deref(tc.wantRegion))
			}
			wantAudit := append([]string{"REGISTERED"}, tc.wantAudit...)
			got := db.auditActions(first.TrustID)
			if len(got) != len(wantAudit) || got[0] != "REGISTERED" || !equal(sorted(got[1:]), sorted(wantAudit[1:])) {
				t.Errorf("audit actions = %v, want %v", got, wantAudit)
			}
			auditNames := db.strings("SELECT DISTINCT trust_name FROM trusts_audit WHERE action <> 'REGISTERED'")
			if !equal(auditNames, []string{changed.Name}) {
				t.Errorf("update audit rows carry names %v, want the new name %q", auditNames, changed.Name)
			}
		})
	}
}

func TestRegisterClaimsSlotForKnownTrustWithout(t *testing.T) {
	t.Parallel()
	for _, v := range auditVariants {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			db := newTestDB(t, 4)
			if v.setup != "" {
				db.exec(v.setup)
			}
			// A trust the pool could not serve earlier, e.g. created from the UI before the pool grew.
			db.exec(`INSERT INTO trust (id, name, code, region, api_key_hash, created_at)
				VALUES ('00000000-0000-4000-8000-0000000000aa', 'Guy''s and St Thomas''', 'gstt', 'London', $1, now())`, hashOf("key-1"))

			res, err := New(db.pool).Register(ctx(t), gstt("key-1"))
			if err != nil {
				t.Fatal(err)
			}
			want := Result{TrustID: "00000000-0000-4000-8000-0000000000aa", SlotName: "Trust_1", SlotNumber: 1,
				Action: Updated, SlotClaimed: true}
			if res != want {
				t.Errorf("Register() = %+v, want %+v", res, want)
			}
			if got := db.strings("SELECT slot_name FROM fl_kit_slot WHERE assigned_to_trust_id = $1", res.TrustID); !equal(got, []string{"Trust_1"}) {
				t.Errorf("slots held = %v, want [Trust_1]", got)
			}
			if got := db.auditActions(res.TrustID); !equal(got, []string{v.label("SLOT_ASSIGNED")}) {
				t.Errorf("audit actions = %v, want [%s]", got, v.label("SLOT_ASSIGNED"))
			}
		})
	}
}

func TestRegisterPoolFull(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		slots       int
		wantMessage string
	}{
		{name: "exhausted", slots: 1, wantMessage: "all 1 fl_kit_slot rows are assigned"},
		{name: "empty", slots: 0, wantMessage: "fl_kit_slot is empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := newTestDB(t, 4)
			db.seedSlots(tc.slots)
			r := New(db.pool)
			if tc.slots > 0 {
				if _, err := r.Register(ctx(t), gstt("key-1")); err != nil {
					t.Fatal(err)
				}
			}
			kch := Trust{Code: "kch", Name: "King's College Hospital", Region: "London", APIKeyHash: hashOf("key-k")}
			res, err := r.Register(ctx(t), kch)
			if !errors.Is(err, ErrPoolFull) {
				t.Fatalf("Register() = %+v, %v; want ErrPoolFull", res, err)
			}
			if !strings.Contains(err.Error(), tc.wantMessage) {
				t.Errorf("error %q does not say %q", err, tc.wantMessage)
			}
			assertNoSecret(t, err, kch.APIKeyHash)
			if res != (Result{}) {
				t.Errorf("Register() result = %+v on error, want zero", res)
			}
			if n := db.int64("SELECT count(*) FROM trust WHERE code = 'kch'"); n != 0 {
				t.Errorf("%d trust rows left behind by a failed registration", n)
			}
			if n := db.int64("SELECT count(*) FROM trusts_audit WHERE trust_name = $1", kch.Name); n != 0 {
				t.Errorf("%d audit rows left behind by a failed registration", n)
			}
		})
	}
}

func TestRegisterPoolFullRollsBackRotationOfTrustWithoutSlot(t *testing.T) {
	t.Parallel()
	db := newTestDB(t, 4)
	db.seedSlots(0)
	db.exec(`INSERT INTO trust (id, name, code, region, api_key_hash, created_at)
		VALUES ('00000000-0000-4000-8000-0000000000bb', 'Guy''s and St Thomas''', 'gstt', 'London', $1, now())`, hashOf("key-1"))
	_, err := New(db.pool).Register(ctx(t), gstt("key-2"))
	if !errors.Is(err, ErrPoolFull) {
		t.Fatalf("Register() error = %v, want ErrPoolFull", err)
	}
	if got := db.strings("SELECT api_key_hash FROM trust"); !equal(got, []string{hashOf("key-1")}) {
		t.Error("the key was rotated although the registration failed")
	}
	if n := db.int64("SELECT count(*) FROM trusts_audit"); n != 0 {
		t.Errorf("audit rows = %d, want 0", n)
	}
}

func TestRegisterConcurrentSameTrusts(t *testing.T) {
	t.Parallel()
	db := newTestDB(t, 16)
	r := New(db.pool)
	const trusts, perTrust = 10, 5

	type outcome struct {
		code string
		res  Result
		err  error
	}
	results := make(chan outcome, trusts*perTrust)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range trusts * perTrust {
		code := fmt.Sprintf("trust-%02d", i%trusts)
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			res, err := r.Register(ctx(t), Trust{Code: code, Name: "Trust " + code, Region: "London", APIKeyHash: hashOf(code)})
			results <- outcome{code: code, res: res, err: err}
		}()
	}
	close(start)
	wg.Wait()
	close(results)

	created := map[string]int{}
	ids := map[string]string{}
	slots := map[string]string{}
	for o := range results {
		if o.err != nil {
			t.Errorf("Register(%s) error = %v", o.code, o.err)
			continue
		}
		if o.res.Action == Created {
			created[o.code]++
		} else if o.res.Action != Unchanged {
			t.Errorf("Register(%s) action = %s, want created or unchanged", o.code, o.res.Action)
		}
		if prev, ok := ids[o.code]; ok && prev != o.res.TrustID {
			t.Errorf("Register(%s) returned two trust ids: %s and %s", o.code, prev, o.res.TrustID)
		}
		ids[o.code] = o.res.TrustID
		if prev, ok := slots[o.code]; ok && prev != o.res.SlotName {
			t.Errorf("Register(%s) returned two slots: %s and %s", o.code, prev, o.res.SlotName)
		}
		slots[o.code] = o.res.SlotName
	}
	for code, n := range created {
		if n != 1 {
			t.Errorf("%s created %d times, want once", code, n)
		}
	}
	if len(created) != trusts {
		t.Errorf("%d trusts created, want %d", len(created), trusts)
	}
	if n := db.int64("SELECT count(*) FROM trust"); n != trusts {
		t.Errorf("trust rows = %d, want %d", n, trusts)
	}
	if n := db.int64("SELECT count(DISTINCT code) FROM trust"); n != trusts {
		t.Errorf("distinct codes = %d, want %d", n, trusts)
	}
	if n := db.int64("SELECT count(DISTINCT assigned_to_trust_id) FROM fl_kit_slot WHERE assigned_to_trust_id IS NOT NULL"); n != trusts {
		t.Errorf("trusts holding a slot = %d, want %d", n, trusts)
	}
	if n := db.int64("SELECT count(*) FROM fl_kit_slot WHERE assigned_to_trust_id IS NOT NULL"); n != trusts {
		t.Errorf("assigned slots = %d, want %d (one each)", n, trusts)
	}
	if n := db.int64("SELECT count(*) FROM trusts_audit"); n != trusts {
		t.Errorf("audit rows = %d, want %d (one REGISTERED per trust)", n, trusts)
	}
}

func TestRegisterConcurrentPoolExhaustion(t *testing.T) {
	t.Parallel()
	db := newTestDB(t, 20)
	db.seedSlots(100)
	r := New(db.pool)
	const callers = 200

	type outcome struct {
		res Result
		err error
	}
	results := make([]outcome, callers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			code := fmt.Sprintf("t%03d", i)
			res, err := r.Register(ctx(t), Trust{Code: code, Name: "Trust " + code, APIKeyHash: hashOf(code)})
			results[i] = outcome{res: res, err: err}
		}()
	}
	close(start)
	wg.Wait()

	var ok, full int
	seenSlot := map[string]bool{}
	okIDs := map[string]bool{}
	for i, o := range results {
		switch {
		case o.err == nil:
			ok++
			if seenSlot[o.res.SlotName] {
				t.Errorf("slot %s handed out twice", o.res.SlotName)
			}
			seenSlot[o.res.SlotName] = true
			okIDs[o.res.TrustID] = true
		case errors.Is(o.err, ErrPoolFull):
			full++
		default:
			t.Errorf("caller %d: unexpected error %v", i, o.err)
		}
	}
	if ok != 100 || full != 100 {
		t.Errorf("successes = %d, ErrPoolFull = %d; want 100 and 100", ok, full)
	}
	if n := db.int64("SELECT count(*) FROM trust"); n != 100 {
		t.Errorf("trust rows = %d, want 100", n)
	}
	if n := db.int64(`SELECT count(*) FROM trust t WHERE NOT EXISTS
		(SELECT 1 FROM fl_kit_slot s WHERE s.assigned_to_trust_id = t.id)`); n != 0 {
		t.Errorf("%d orphan trust rows without a slot", n)
	}
	if n := db.int64("SELECT count(DISTINCT assigned_to_trust_id) FROM fl_kit_slot WHERE assigned_to_trust_id IS NOT NULL"); n != 100 {
		t.Errorf("distinct trusts holding slots = %d, want 100", n)
	}
	for _, id := range db.strings("SELECT id::text FROM trust") {
		if !okIDs[id] {
			t.Errorf("trust %s is in the table but its caller got an error", id)
		}
	}
	if n := db.int64("SELECT count(*) FROM trusts_audit"); n != 100 {
		t.Errorf("audit rows = %d, want 100", n)
	}
}

// killBackend terminates the session running tx from another connection and waits until it is gone.
func killBackend(t *testing.T, admin *pgxpool.Pool) func(context.Context, pgx.Tx) error {
	return func(ctx context.Context, tx pgx.Tx) error {
		pid := tx.Conn().PgConn().PID()
		var killed bool
		if err := admin.QueryRow(ctx, "SELECT pg_terminate_backend($1)", pid).Scan(&killed); err != nil || !killed {
			t.Errorf("pg_terminate_backend(%d) = %v, %v", pid, killed, err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			var alive bool
			if err := admin.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = $1)", pid).Scan(&alive); err != nil {
				t.Errorf("pg_stat_activity: %v", err)
				return nil
			}
			if !alive {
				return nil
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Errorf("backend %d still alive 10s after pg_terminate_backend", pid)
		return nil
	}
}

func TestRegisterConnectionKilledMidTransaction(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		existing bool // a trust with key-1 exists before the killed call
		in       Trust
		hook     func(h *hooks, kill func(context.Context, pgx.Tx) error)
	}{
		{
			name: "new trust, killed while holding the lock",
			in:   gstt("key-1"),
			hook: func(h *hooks, kill func(context.Context, pgx.Tx) error) { h.afterLock = kill },
		},
		{
			name: "new trust, killed after the insert before commit",
			in:   gstt("key-1"),
			hook: func(h *hooks, kill func(context.Context, pgx.Tx) error) { h.afterWrite = kill },
		},
		{
			name:     "rotation, killed after the update before commit",
			existing: true,
			in:       gstt("key-2"),
			hook:     func(h *hooks, kill func(context.Context, pgx.Tx) error) { h.afterWrite = kill },
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := newTestDB(t, 4)
			var before Result
			if tc.existing {
				var err error
				if before, err = New(db.pool).Register(ctx(t), gstt("key-1")); err != nil {
					t.Fatal(err)
				}
			}
			victim := New(db.pool)
			tc.hook(&victim.hooks, killBackend(t, db.admin))
			if res, err := victim.Register(ctx(t), tc.in); err == nil {
				t.Fatalf("Register() on a killed connection = %+v, want an error", res)
			} else {
				assertNoSecret(t, err, tc.in.APIKeyHash)
			}

			wantRows, wantAudit, wantSlots := int64(0), int64(0), int64(0)
			if tc.existing {
				wantRows, wantAudit, wantSlots = 1, 1, 1
			}
			if n := db.int64("SELECT count(*) FROM trust"); n != wantRows {
				t.Errorf("trust rows = %d, want %d", n, wantRows)
			}
			if n := db.int64("SELECT count(*) FROM trusts_audit"); n != wantAudit {
				t.Errorf("audit rows = %d, want %d", n, wantAudit)
			}
			if n := db.int64("SELECT count(*) FROM fl_kit_slot WHERE assigned_to_trust_id IS NOT NULL"); n != wantSlots {
				t.Errorf("assigned slots = %d, want %d", n, wantSlots)
			}
			if tc.existing {
				if got := db.strings("SELECT api_key_hash FROM trust"); !equal(got, []string{hashOf("key-1")}) {
					t.Error("a killed rotation changed the stored hash")
				}
			}

			// The lock died with the session: the same registration now goes through.
			res, err := New(db.pool).Register(ctx(t), tc.in)
			if err != nil {
				t.Fatalf("retry after kill: %v", err)
			}
			wantAction := Created
			if tc.existing {
				wantAction = Rotated
				if res.TrustID != before.TrustID {
					t.Errorf("retry changed the trust id")
				}
			}
			if res.Action != wantAction {
				t.Errorf("retry action = %s, want %s", res.Action, wantAction)
			}
		})
	}
}

func TestRegisterStoresTextVerbatim(t *testing.T) {
	t.Parallel()
	db := newTestDB(t, 4)
	r := New(db.pool)
	tests := []struct {
		code, name, region string
	}{
		{code: "quotes", name: `O'Brien "Memorial" Trust`, region: `South ''West''`},
		{code: "injection", name: `x'); DROP TABLE trust; --`, region: `"; DELETE FROM fl_kit_slot; --`},
		{code: "welsh", name: "Ysbyty Gwynedd — Betsi Cadwaladr", region: "Gogledd Cymru"},
		{code: "unicode", name: "病院 🏥 Ünïcødé", region: "Ελλάδα"},
		{code: "metachars", name: `back\slash $1 %s %v ? :name`, region: `$$dollar$$`},
	}
	for _, tc := range tests {
		t.Run(tc.code, func(t *testing.T) {
			in := Trust{Code: tc.code, Name: tc.name, Region: tc.region, APIKeyHash: hashOf(tc.code)}
			res, err := r.Register(ctx(t), in)
			if err != nil {
				t.Fatalf("Register(%+v) error = %v", in, err)
			}
			var name, region, auditName string
			if err := db.admin.QueryRow(ctx(t), `
				SELECT t.name, t.region, a.trust_name FROM trust t JOIN trusts_audit a ON a.trust_id = t.id
				WHERE t.id = $1`, res.TrustID).Scan(&name, &region, &auditName); err != nil {
				t.Fatal(err)
			}
			if name != tc.name || region != tc.region || auditName != tc.name {
				t.Errorf("stored (%q, %q, audit %q), want (%q, %q)", name, region, auditName, tc.name, tc.region)
			}
			again, err := r.Register(ctx(t), in)
			if err != nil || again.Action != Unchanged {
				t.Errorf("re-registration = %+v, %v; want unchanged (text compared exactly)", again, err)
			}
		})
	}
	if n := db.int64("SELECT count(*) FROM fl_kit_slot"); n != 10 {
		t.Errorf("slot pool has %d rows, want the 10 seeded", n)
	}
	if n := db.int64("SELECT count(*) FROM trust"); n != int64(len(tests)) {
		t.Errorf("trust rows = %d, want %d", n, len(tests))
	}
}

// noDB fails the test if the registrar touches the database.
type noDB struct{ t *testing.T }

func (d noDB) BeginTx(context.Context, pgx.TxOptions) (pgx.Tx, error) {
	d.t.Error("invalid input reached the database")
	return nil, errors.New("no database in this test")
}

func TestRegisterValidatesBeforeTouchingTheDatabase(t *testing.T) {
	t.Parallel()
	good := gstt("key-1")
	with := func(f func(*Trust)) Trust { tr := good; f(&tr); return tr }
	plaintext := "Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eHF1dXhxdQ" // what a leaked plaintext key looks like
	tests := []struct {
		name string
		in   Trust
		want error
	}{
		{name: "empty code", in: with(func(tr *Trust) { tr.Code = "" }), want: ErrInvalidCode},
		{name: "dotted code", in: with(func(tr *Trust) { tr.Code = "G.STT" }), want: ErrInvalidCode},
		{name: "code with a slash", in: with(func(tr *Trust) { tr.Code = "gs/tt" }), want: ErrInvalidCode},
		{name: "code with a space", in: with(func(tr *Trust) { tr.Code = "G STT" }), want: ErrInvalidCode},
		{name: "code with an apostrophe", in: with(func(tr *Trust) { tr.Code = "St'T" }), want: ErrInvalidCode},
		{name: "path traversal", in: with(func(tr *Trust) { tr.Code = "../x" }), want: ErrInvalidCode},
		{name: "65 characters", in: with(func(tr *Trust) { tr.Code = strings.Repeat("a", 65) }), want: ErrInvalidCode},
		{name: "newline in code", in: with(func(tr *Trust) { tr.Code = "gstt\n" }), want: ErrInvalidCode},
		{name: "empty name", in: with(func(tr *Trust) { tr.Name = "" }), want: ErrInvalidName},
		{name: "blank name", in: with(func(tr *Trust) { tr.Name = "   " }), want: ErrInvalidName},
		{name: "padded name", in: with(func(tr *Trust) { tr.Name = "GSTT " }), want: ErrInvalidName},
		{name: "newline in name", in: with(func(tr *Trust) { tr.Name = "GS\nTT" }), want: ErrInvalidName},
		{name: "NUL in name", in: with(func(tr *Trust) { tr.Name = "GS\x00TT" }), want: ErrInvalidName},
		{name: "invalid utf-8 name", in: with(func(tr *Trust) { tr.Name = "GS\xffTT" }), want: ErrInvalidName},
		{name: "256 character name", in: with(func(tr *Trust) { tr.Name = strings.Repeat("é", 256) }), want: ErrInvalidName},
		{name: "padded region", in: with(func(tr *Trust) { tr.Region = " London" }), want: ErrInvalidRegion},
		{name: "tab in region", in: with(func(tr *Trust) { tr.Region = "Lon\tdon" }), want: ErrInvalidRegion},
		{name: "empty hash", in: with(func(tr *Trust) { tr.APIKeyHash = "" }), want: ErrInvalidHash},
		{name: "63 hex characters", in: with(func(tr *Trust) { tr.APIKeyHash = good.APIKeyHash[:63] }), want: ErrInvalidHash},
		{name: "65 hex characters", in: with(func(tr *Trust) { tr.APIKeyHash = good.APIKeyHash + "0" }), want: ErrInvalidHash},
		{name: "upper-case hex", in: with(func(tr *Trust) { tr.APIKeyHash = strings.ToUpper(good.APIKeyHash) }), want: ErrInvalidHash},
		{name: "0x prefix", in: with(func(tr *Trust) { tr.APIKeyHash = "0x" + good.APIKeyHash[2:] }), want: ErrInvalidHash},
		{name: "non-hex character", in: with(func(tr *Trust) { tr.APIKeyHash = "g" + good.APIKeyHash[1:] }), want: ErrInvalidHash},
		{name: "plaintext key instead of hash", in: with(func(tr *Trust) { tr.APIKeyHash = plaintext }), want: ErrInvalidHash},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res, err := New(noDB{t}).Register(context.Background(), tc.in)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Register() = %+v, %v; want %v", res, err, tc.want)
			}
			assertNoSecret(t, err, tc.in.APIKeyHash)
		})
	}

	t.Run("deregister refuses a malformed code", func(t *testing.T) {
		t.Parallel()
		if _, err := New(noDB{t}).Deregister(context.Background(), "../x", true); !errors.Is(err, ErrInvalidCode) {
			t.Fatalf("Deregister(../x) error = %v, want ErrInvalidCode", err)
		}
	})

	valid := []Trust{
		with(func(tr *Trust) { tr.Code = "ab" }),
		with(func(tr *Trust) { tr.Code = strings.Repeat("a", 31) + "1" }),
		with(func(tr *Trust) { tr.Code = "0-9" }),
		with(func(tr *Trust) { tr.Region = "" }),
		with(func(tr *Trust) { tr.Name = strings.Repeat("é", 255) }),
	}
	for _, tr := range valid {
		if err := tr.validate(); err != nil {
			t.Errorf("validate(%q, %d-character name, region %q) = %v, want nil", tr.Code, len([]rune(tr.Name)), tr.Region, err)
		}
	}
}

func TestRegisterRefusesTakenName(t *testing.T) {
	t.Parallel()
	db := newTestDB(t, 4)
	r := New(db.pool)
	if _, err := r.Register(ctx(t), gstt("key-1")); err != nil {
		t.Fatal(err)
	}
	kch := Trust{Code: "kch", Name: "King's College Hospital", APIKeyHash: hashOf("key-k")}
	if _, err := r.Register(ctx(t), kch); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		in   Trust
	}{
		{name: "new code with an existing name", in: Trust{Code: "gstt2", Name: "Guy's and St Thomas'", APIKeyHash: hashOf("x")}},
		{name: "rename onto another trust's name", in: Trust{Code: "kch", Name: "Guy's and St Thomas'", APIKeyHash: hashOf("key-k")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := r.Register(ctx(t), tc.in)
			if !errors.Is(err, ErrNameTaken) {
				t.Fatalf("Register() error = %v, want ErrNameTaken", err)
			}
			if !strings.Contains(err.Error(), `trust "gstt"`) {
				t.Errorf("error %q does not name the holder", err)
			}
		})
	}
	if got := db.strings("SELECT code FROM trust ORDER BY code"); !equal(got, []string{"gstt", "kch"}) {
		t.Errorf("codes = %v, want [gstt kch]", got)
	}
	if got := db.strings("SELECT name FROM trust WHERE code = 'kch'"); !equal(got, []string{kch.Name}) {
		t.Errorf("kch renamed to %v despite the refusal", got)
	}
}

func TestDuplicateCodeRefused(t *testing.T) {
	t.Parallel()
	db := newTestDB(t, 4)
	db.exec(`INSERT INTO trust (id, name, code, created_at) VALUES
		('00000000-0000-4000-8000-000000000001', 'Dup A', 'dup', now()),
		('00000000-0000-4000-8000-000000000002', 'Dup B', 'dup', now())`)
	r := New(db.pool)
	if _, err := r.Register(ctx(t), Trust{Code: "dup", Name: "Dup A", APIKeyHash: hashOf("k")}); !errors.Is(err, ErrDuplicateCode) {
		t.Errorf("Register(dup) error = %v, want ErrDuplicateCode", err)
	}
	if _, err := r.Deregister(ctx(t), "dup", true); !errors.Is(err, ErrDuplicateCode) {
		t.Errorf("Deregister(dup) error = %v, want ErrDuplicateCode", err)
	}
	if n := db.int64("SELECT count(*) FROM trust WHERE code = 'dup' AND api_key_hash IS NULL"); n != 2 {
		t.Errorf("duplicate rows touched: %d of 2 unchanged", n)
	}
}

func TestSchemaMissing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		setup     string // applied after the fixture; empty database when "-"
		listFails bool   // List reads neither trusts_audit nor api_key_hash
	}{
		{name: "empty database", setup: "-", listFails: true},
		{name: "no fl_kit_slot table", setup: "DROP TABLE fl_kit_slot", listFails: true},
		{name: "no trusts_audit table", setup: "DROP TABLE trusts_audit"},
		{name: "trust without api_key_hash column", setup: "ALTER TABLE trust DROP COLUMN api_key_hash"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var db *testDB
			if tc.setup == "-" {
				db = newEmptyDB(t, 4)
			} else {
				db = newTestDB(t, 4)
				db.exec(tc.setup)
			}
			r := New(db.pool)
			in := gstt("key-1")
			_, err := r.Register(ctx(t), in)
			if !errors.Is(err, ErrSchemaMissing) {
				t.Errorf("Register() error = %v, want ErrSchemaMissing", err)
			}
			var pgErr *pgconn.PgError
			if !errors.As(err, &pgErr) {
				t.Errorf("Register() error %v does not keep the PostgreSQL error", err)
			}
			assertNoSecret(t, err, in.APIKeyHash)
			if tc.setup != "-" {
				if n := db.int64("SELECT count(*) FROM trust"); n != 0 {
					t.Errorf("trust rows = %d after a failed registration, want 0", n)
				}
			}
			if _, err := r.List(ctx(t)); errors.Is(err, ErrSchemaMissing) != tc.listFails {
				t.Errorf("List() error = %v, want ErrSchemaMissing: %v", err, tc.listFails)
			}
		})
	}
	t.Run("deregister", func(t *testing.T) {
		t.Parallel()
		db := newEmptyDB(t, 4)
		if _, err := New(db.pool).Deregister(ctx(t), "gstt", false); !errors.Is(err, ErrSchemaMissing) {
			t.Errorf("Deregister() error = %v, want ErrSchemaMissing", err)
		}
	})
}

func TestPostgresErrorsDoNotCarryHashes(t *testing.T) {
	t.Parallel()
	db := newTestDB(t, 4)
	// A schema where the hash is unique: PostgreSQL's Detail would echo it.
	db.exec("CREATE UNIQUE INDEX trust_api_key_hash_key ON trust (api_key_hash)")
	r := New(db.pool)
	if _, err := r.Register(ctx(t), gstt("shared")); err != nil {
		t.Fatal(err)
	}
	in := Trust{Code: "kch", Name: "King's", APIKeyHash: hashOf("shared")}
	_, err := r.Register(ctx(t), in)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "23505" {
		t.Fatalf("Register(reused hash) error = %v, want a unique violation", err)
	}
	if pgErr.Detail != "" {
		t.Errorf("PostgreSQL Detail kept in the error: %q", pgErr.Detail)
	}
	assertNoSecret(t, err, in.APIKeyHash)
}

func TestTrustFormattingRedactsHash(t *testing.T) {
	t.Parallel()
	tr := gstt("key-1")
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T %[1]v"} {
		t.Run(verb, func(t *testing.T) {
			out := fmt.Sprintf(verb, tr)
			for _, leak := range []string{tr.APIKeyHash, tr.APIKeyHash[:16], fmt.Sprintf("%x", tr.APIKeyHash)[:16]} {
				if strings.Contains(out, leak) {
					t.Errorf("Sprintf(%s) = %q reveals the hash", verb, out)
				}
			}
			if !strings.Contains(out, "[redacted]") {
				t.Errorf("Sprintf(%s) = %q does not say the hash is redacted", verb, out)
			}
		})
	}
	if out := fmt.Sprint(Trust{Code: "x"}); !strings.Contains(out, "[unset]") {
		t.Errorf("empty hash printed as %q, want [unset]", out)
	}
	if out := fmt.Sprintf("%v", []Trust{tr}); strings.Contains(out, tr.APIKeyHash) {
		t.Errorf("slice of trusts printed as %q reveals the hash", out)
	}
}

func TestRegisterWorksOnASingleConnection(t *testing.T) {
	t.Parallel()
	db := newTestDB(t, 4)
	conn, err := pgx.Connect(ctx(t), db.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	// A session default that would break the lock-then-read pattern is overridden per transaction.
	if _, err := conn.Exec(ctx(t), "SET default_transaction_isolation = 'repeatable read'"); err != nil {
		t.Fatal(err)
	}
	r := New(conn)
	var iso string
	r.hooks.afterLock = func(ctx context.Context, tx pgx.Tx) error {
		return tx.QueryRow(ctx, "SHOW transaction_isolation").Scan(&iso)
	}
	first, err := r.Register(ctx(t), gstt("key-1"))
	if err != nil || first.Action != Created {
		t.Fatalf("Register() = %+v, %v", first, err)
	}
	if iso != "read committed" {
		t.Errorf("Register ran at isolation %q, want read committed whatever the session default", iso)
	}
	list, err := r.List(ctx(t))
	if err != nil || len(list) != 1 || list[0].TrustID != first.TrustID {
		t.Fatalf("List() = %+v, %v", list, err)
	}
}

func equal(a, b []string) bool {
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

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func ptr(s string) *string { return &s }

func equalPtr(a, b *string) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func deref(s *string) string {
	if s == nil {
		return "NULL"
	}
	return *s
}

// A trust upstream registered (or its admin UI created) is found by name: a row without a code is
// adopted, keeping its id and slot; a name held under another code is refused; two code-less rows
// of the name are refused.
func TestRegisterAdoptsByName(t *testing.T) {
	t.Parallel()
	const upstreamID = "7a1c0d2e-3f40-4b5c-8d6e-7f8091a2b3c4"
	cases := []struct {
		name    string
		seed    func(db *testDB)
		wantErr error
		wantID  string
		rows    int64 // trust rows a refusal leaves: the seeded ones
	}{
		{name: "code-less row with a slot is adopted", seed: func(db *testDB) {
			db.exec(`INSERT INTO trust (id, name, created_at, api_key_hash) VALUES ($1, $2, now(), $3)`, upstreamID, gstt("k").Name, hashOf("upstream-key"))
			db.exec(`UPDATE fl_kit_slot SET assigned_to_trust_id = $1, assigned_at = now() WHERE slot_name = 'Trust_2'`, upstreamID)
		}, wantID: upstreamID},
		{name: "code-less row without a slot is adopted and given one", seed: func(db *testDB) {
			db.exec(`INSERT INTO trust (id, name, created_at) VALUES ($1, $2, now())`, upstreamID, gstt("k").Name)
		}, wantID: upstreamID},
		{name: "name held under another code", seed: func(db *testDB) {
			db.exec(`INSERT INTO trust (id, name, code, created_at) VALUES ($1, $2, 'GSTT', now())`, upstreamID, gstt("k").Name)
		}, wantErr: ErrNameTaken, rows: 1},
		{name: "two code-less rows of the name", seed: func(db *testDB) {
			db.exec(`INSERT INTO trust (id, name, created_at) VALUES ($1, $2, now())`, upstreamID, gstt("k").Name)
			db.exec(`INSERT INTO trust (id, name, created_at) VALUES ('8a1c0d2e-3f40-4b5c-8d6e-7f8091a2b3c4', $1, now())`, gstt("k").Name)
		}, wantErr: ErrDuplicateCode, rows: 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			db := newTestDB(t, 4)
			c.seed(db)
			res, err := New(db.pool).Register(ctx(t), gstt("key-1"))
			if c.wantErr != nil {
				if !errors.Is(err, c.wantErr) {
					t.Fatalf("Register() error = %v, want %v", err, c.wantErr)
				}
				if n := db.int64("SELECT count(*) FROM trust"); n != c.rows {
					t.Errorf("a refused registration left %d trust rows", n)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if res.TrustID != c.wantID {
				t.Errorf("trust id %s, want the existing row %s", res.TrustID, c.wantID)
			}
			if n := db.int64("SELECT count(*) FROM trust"); n != 1 {
				t.Errorf("%d trust rows after adoption, want 1", n)
			}
			if got := db.strings("SELECT code FROM trust WHERE id = $1", c.wantID); len(got) != 1 || got[0] != "gstt" {
				t.Errorf("adopted row has code %v, want gstt", got)
			}
			if got := db.strings("SELECT api_key_hash FROM trust WHERE id = $1", c.wantID); len(got) != 1 || got[0] != hashOf("key-1") {
				t.Error("adopted row does not hold the new key's hash")
			}
			if n := db.int64("SELECT count(*) FROM fl_kit_slot WHERE assigned_to_trust_id = $1", c.wantID); n != 1 {
				t.Errorf("adopted trust holds %d slots, want 1", n)
			}
			// Registering again changes nothing.
			again, err := New(db.pool).Register(ctx(t), gstt("key-1"))
			if err != nil || again.Action != Unchanged || again.TrustID != c.wantID {
				t.Errorf("second Register() = %+v, %v; want Unchanged for the same id", again, err)
			}
		})
	}
}

// After a schema reset a trust is registered with its previous id and slot, so its kit stays true;
// the preferred slot is taken only when free.
func TestRegisterWithPreviousIDAndSlot(t *testing.T) {
	t.Parallel()
	db := newTestDB(t, 4)
	const id = "5b7f0c2d-1e2f-4a3b-8c4d-5e6f7a8b9c0d"
	tr := gstt("key-1")
	tr.ID, tr.Slot = id, "Trust_3"
	res, err := New(db.pool).Register(ctx(t), tr)
	if err != nil {
		t.Fatal(err)
	}
	if res.TrustID != id || res.SlotName != "Trust_3" {
		t.Errorf("registered as %s in %s; want %s in Trust_3", res.TrustID, res.SlotName, id)
	}
	// Another trust preferring the taken slot gets the lowest free one.
	other := Trust{Code: "kch", Name: "King's", APIKeyHash: hashOf("key-k"), Slot: "Trust_3"}
	res, err = New(db.pool).Register(ctx(t), other)
	if err != nil || res.SlotName != "Trust_1" {
		t.Errorf("second trust got %s (%v); want Trust_1", res.SlotName, err)
	}
	bad := gstt("key-1")
	bad.Code, bad.Name, bad.ID = "x", "X", "not-a-uuid"
	if _, err := New(db.pool).Register(ctx(t), bad); !errors.Is(err, ErrInvalidID) {
		t.Errorf("bad id: %v; want ErrInvalidID", err)
	}
}
