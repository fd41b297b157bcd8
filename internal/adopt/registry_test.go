package adopt

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/londonaicentre/flip-hub/config"
	"github.com/londonaicentre/flip-hub/internal/testpg"
)

// TestReadRegistry reads a registry in FLIP's tables from a real PostgreSQL: the trusts with a
// code are appended to the stack file's trust list (one already listed is left as it is), the
// slot pool becomes fl.kitSlotNames in slot order, a trust without a code is a warning, and the
// written stack file parses once the egress networks are filled in.
func TestReadRegistry(t *testing.T) {
	srv := testpg.Start(t)
	dsn := srv.CreateDatabase(t, "adopt_registry")
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close(ctx) }()
	schema, err := os.ReadFile("../registrar/testdata/schema.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, sql := range []string{string(schema), `
		INSERT INTO trust (id, name, code, region, created_at) VALUES
		  ('00000000-0000-4000-8000-000000000001', 'Guy''s and St Thomas'' NHS Foundation Trust', 'gstt', 'London', now() - interval '2 days'),
		  ('00000000-0000-4000-8000-000000000002', 'King''s College Hospital NHS Foundation Trust', 'KCH', 'London', now() - interval '1 day'),
		  ('00000000-0000-4000-8000-000000000003', 'Legacy Trust', NULL, NULL, now());
		DELETE FROM fl_kit_slot;
		INSERT INTO fl_kit_slot (slot_name, slot_number, assigned_to_trust_id) VALUES
		  ('Trust_10', 10, NULL),
		  ('Trust_2', 2, '00000000-0000-4000-8000-000000000002'),
		  ('Trust_1', 1, '00000000-0000-4000-8000-000000000001');`} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}

	var f Findings
	if err := f.ReadRegistry(ctx, dsn); err != nil {
		t.Fatal(err)
	}
	want := []RegisteredTrust{
		{Code: "KCH", Name: "King's College Hospital NHS Foundation Trust", Region: "London"},
		{Code: "gstt", Name: "Guy's and St Thomas' NHS Foundation Trust", Region: "London"},
	}
	if len(f.Trusts) != len(want) || f.Trusts[0] != want[0] || f.Trusts[1] != want[1] {
		t.Errorf("trusts %+v; want %+v", f.Trusts, want)
	}
	if len(f.Warnings) != 1 || !strings.Contains(f.Warnings[0], "Legacy Trust") {
		t.Errorf("warnings %q; want one naming the trust without a code", f.Warnings)
	}

	// The repository fixture's stack file lists gstt already: only KCH is added.
	out, err := f.ApplyTo(readFile(t, stackFixture))
	if err != nil {
		t.Fatal(err)
	}
	cfg := decodeConfig(t, out)
	trusts, _ := cfg[config.KeyTrusts].([]any)
	var codes []string
	for _, tr := range trusts {
		m, _ := tr.(map[string]any)
		codes = append(codes, m["code"].(string))
		if m["code"] == "KCH" {
			if m["name"] != want[0].Name || m["region"] != "London" {
				t.Errorf("KCH written as %v", m)
			}
			if cidrs, ok := m["egressCidrs"].([]any); !ok || len(cidrs) != 0 {
				t.Errorf("KCH egressCidrs %v; want an empty list to fill in", m["egressCidrs"])
			}
		}
	}
	if strings.Join(codes, " ") != "gstt KCH" {
		t.Errorf("trust codes %v; want the fixture's gstt, then KCH", codes)
	}
	fl, _ := cfg[config.KeyFL].(map[string]any)
	if got := fl["kitSlotNames"]; strings.Join(toStrings(got), " ") != "Trust_1 Trust_2 Trust_10" {
		t.Errorf("kitSlotNames %v; want the registry's pool in slot order", got)
	}
	if !strings.Contains(string(out), "fill in the trust's egress networks") {
		t.Errorf("the added trust carries no comment saying what to fill in:\n%s", out)
	}
	// Applying again adds nothing more.
	again, err := f.ApplyTo(out)
	if err != nil || string(again) != string(out) {
		t.Errorf("a second apply changed the file (err %v)", err)
	}
}

func toStrings(v any) []string {
	l, _ := v.([]any)
	out := make([]string, 0, len(l))
	for _, e := range l {
		s, _ := e.(string)
		out = append(out, s)
	}
	return out
}
