package registrar

import (
	"testing"
	"time"
)

func TestList(t *testing.T) {
	t.Parallel()
	db := newTestDB(t, 4)
	r := New(db.pool)

	empty, err := r.List(ctx(t))
	if err != nil || len(empty) != 0 {
		t.Fatalf("List() on an empty registry = %+v, %v", empty, err)
	}

	kch, err := r.Register(ctx(t), Trust{Code: "kch", Name: "King's", APIKeyHash: hashOf("k")})
	if err != nil {
		t.Fatal(err)
	}
	gs, err := r.Register(ctx(t), gstt("key-1"))
	if err != nil {
		t.Fatal(err)
	}
	// A trust created by older flip-api code: no code, no region, no slot.
	db.exec(`INSERT INTO trust (id, name, created_at) VALUES ('00000000-0000-4000-8000-0000000000cc', 'Legacy', now() - interval '1 day')`)
	heartbeat := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	db.exec("UPDATE trust SET last_heartbeat = $1 WHERE code = 'kch'", heartbeat)

	got, err := r.List(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	want := []Registered{
		{TrustID: gs.TrustID, Code: "gstt", Name: "Guy's and St Thomas'", Region: "London", SlotName: "Trust_2", SlotNumber: 2},
		{TrustID: kch.TrustID, Code: "kch", Name: "King's", SlotName: "Trust_1", SlotNumber: 1, LastHeartbeat: &heartbeat},
		{TrustID: "00000000-0000-4000-8000-0000000000cc", Name: "Legacy"},
	}
	if len(got) != len(want) {
		t.Fatalf("List() returned %d trusts, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.TrustID != w.TrustID || g.Code != w.Code || g.Name != w.Name || g.Region != w.Region ||
			g.SlotName != w.SlotName || g.SlotNumber != w.SlotNumber || g.HasSlot() != (w.SlotName != "") {
			t.Errorf("List()[%d] = %+v, want %+v", i, g, w)
		}
		if (g.LastHeartbeat == nil) != (w.LastHeartbeat == nil) || (g.LastHeartbeat != nil && !g.LastHeartbeat.Equal(*w.LastHeartbeat)) {
			t.Errorf("List()[%d].LastHeartbeat = %v, want %v", i, g.LastHeartbeat, w.LastHeartbeat)
		}
		if g.CreatedAt.IsZero() || time.Since(g.CreatedAt) > 48*time.Hour {
			t.Errorf("List()[%d].CreatedAt = %v, want a recent time", i, g.CreatedAt)
		}
	}
}
