package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/jackc/pgx/v5"

	"github.com/londonaicentre/flip-hub/internal/outcome"
	"github.com/londonaicentre/flip-hub/internal/testexec"
	"github.com/londonaicentre/flip-hub/internal/testpg"
	"github.com/londonaicentre/flip-hub/trusts"
)

// hubSchema is the registrar's fixture of the tables flip-api creates.
func hubSchema(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	b, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "..", "internal", "registrar", "testdata", "schema.sql"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// trustRun runs hubctl in-process and returns stdout, stderr (with the error line main would
// print) and the exit code.
// envDSN is a direct connection string, for tests and break-glass access.
const envDSN = trusts.EnvDSN

func trustRun(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	root := newRoot()
	root.SetArgs(args)
	var out, errOut bytes.Buffer
	root.SetIn(strings.NewReader(stdin))
	root.SetOut(&out)
	root.SetErr(&errOut)
	code := 0
	if err := root.ExecuteContext(ctx); err != nil {
		errOut.WriteString("hubctl: " + err.Error() + "\n")
		code = exitCode(err)
	}
	return out.String(), errOut.String(), code
}

func hashOf(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// hubDB is a hub database with the schema loaded and a pool of slots slots.
type hubDB struct {
	dsn  string
	conn *pgx.Conn
}

func newHubDB(t *testing.T, srv *testpg.Server, schema string, slots int) *hubDB {
	t.Helper()
	dsn := srv.CreateDatabase(t, t.Name())
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	db := &hubDB{dsn: dsn, conn: conn}
	if schema != "" {
		db.exec(t, schema)
		db.exec(t, "DELETE FROM fl_kit_slot")
		db.exec(t, "INSERT INTO fl_kit_slot (slot_name, slot_number) SELECT 'Trust_' || n, n FROM generate_series(1, $1::int) AS n", slots)
	}
	return db
}

func (db *hubDB) exec(t *testing.T, sql string, args ...any) {
	t.Helper()
	if _, err := db.conn.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func (db *hubDB) str(t *testing.T, sql string, args ...any) string {
	t.Helper()
	var s string
	if err := db.conn.QueryRow(context.Background(), sql, args...).Scan(&s); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return s
}

// parseRegistration reads register's stdout the way the Pulumi component does, and insists it is
// exactly one line.
func parseRegistration(t *testing.T, stdout string) trusts.Registration {
	t.Helper()
	if strings.Count(stdout, "\n") != 1 || !strings.HasSuffix(stdout, "\n") {
		t.Fatalf("register printed %q; want exactly one JSON line", stdout)
	}
	reg, err := trusts.ParseRegistration(stdout)
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

// noLeak fails when any of the texts contains the secret.
func noLeak(t *testing.T, secret string, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(s, secret) {
			t.Errorf("output reveals the key hash:\n%s", s)
		}
	}
}

// These tests share one PostgreSQL server and run in sequence: several set process environment
// variables, as the Pulumi command provider does for the real commands.
func TestTrustCommands(t *testing.T) {
	srv := testpg.Start(t)
	schema := hubSchema(t)

	t.Run("register from env, idempotent, rotate, list, deregister", func(t *testing.T) {
		db := newHubDB(t, srv, schema, 3)
		t.Setenv(envDSN, db.dsn)
		t.Setenv(trusts.EnvTrustName, "Guy's and St Thomas' NHS Foundation Trust")
		t.Setenv(trusts.EnvTrustRegion, "London")
		h1 := hashOf("gstt-key-1")
		t.Setenv(trusts.EnvAPIKeyHash, h1)

		out, errOut, code := trustRun(t, "", "trust", "register", "--code", "gstt")
		if code != 0 {
			t.Fatalf("register exit %d: %s", code, errOut)
		}
		first := parseRegistration(t, out)
		if first.SlotName != "Trust_1" || first.SlotNumber != 1 {
			t.Errorf("registration %+v; want slot Trust_1 (1)", first)
		}
		if got := db.str(t, "SELECT api_key_hash FROM trust WHERE code = 'gstt'"); got != h1 {
			t.Error("the stored hash is not the one in the environment")
		}
		if got := db.str(t, "SELECT name FROM trust WHERE id = $1", first.TrustID); got != "Guy's and St Thomas' NHS Foundation Trust" {
			t.Errorf("stored name %q", got)
		}
		noLeak(t, h1, out, errOut)

		again, errOut, code := trustRun(t, "", "trust", "register", "--code", "gstt")
		if code != 0 || parseRegistration(t, again) != first {
			t.Fatalf("re-register: exit %d, %q; want the same registration %+v (%s)", code, again, first, errOut)
		}
		if n := db.str(t, "SELECT count(*)::text FROM trusts_audit WHERE trust_id = $1", first.TrustID); n != "1" {
			t.Errorf("%s audit rows after registering twice; want 1", n)
		}

		h2 := hashOf("gstt-key-2")
		t.Setenv(trusts.EnvAPIKeyHash, h2)
		rotated, errOut, code := trustRun(t, "", "trust", "register", "--code", "gstt")
		if code != 0 || parseRegistration(t, rotated) != first {
			t.Fatalf("rotate: exit %d, %q; want the same trust and slot (%s)", code, rotated, errOut)
		}
		if db.str(t, "SELECT api_key_hash FROM trust WHERE code = 'gstt'") != h2 {
			t.Error("the rotated hash was not stored")
		}

		list, errOut, code := trustRun(t, "", "trust", "list")
		if code != 0 || !strings.Contains(list, "gstt") || !strings.Contains(list, "Trust_1 (1)") || !strings.Contains(list, first.TrustID) {
			t.Fatalf("list: exit %d:\n%s%s", code, list, errOut)
		}
		listJSON, _, code := trustRun(t, "", "trust", "list", "--json")
		var listed []map[string]any
		if err := json.Unmarshal([]byte(listJSON), &listed); err != nil || code != 0 {
			t.Fatalf("list --json: exit %d, %v:\n%s", code, err, listJSON)
		}
		if len(listed) != 1 || listed[0]["code"] != "gstt" || listed[0]["trustId"] != first.TrustID || listed[0]["slotName"] != "Trust_1" {
			t.Errorf("list --json = %v", listed)
		}
		noLeak(t, h2, list, listJSON)

		out, errOut, code = trustRun(t, "", "trust", "deregister", "--code", "gstt")
		if code != 0 || !strings.Contains(out, "freed slots: Trust_1") {
			t.Fatalf("deregister: exit %d: %s%s", code, out, errOut)
		}
		if db.str(t, "SELECT count(*)::text FROM fl_kit_slot WHERE assigned_to_trust_id IS NOT NULL") != "0" {
			t.Error("the slot is still assigned")
		}
		out, _, code = trustRun(t, "", "trust", "deregister", "--code", "gstt")
		if code != 0 || !strings.Contains(out, "not registered") {
			t.Errorf("second deregister: exit %d, %q; want a no-op", code, out)
		}
	})

	t.Run("hash from stdin, dsn flag", func(t *testing.T) {
		db := newHubDB(t, srv, schema, 2)
		t.Setenv(trusts.EnvAPIKeyHash, "") // must not be needed
		h := hashOf("uclh-key")
		out, errOut, code := trustRun(t, h+"\n", "trust", "register", "--dsn", db.dsn, "--code", "uclh",
			"--name", "University College London Hospitals", "--trust-region", "London", "--hash-stdin")
		if code != 0 {
			t.Fatalf("register --hash-stdin: exit %d: %s", code, errOut)
		}
		reg := parseRegistration(t, out)
		if db.str(t, "SELECT api_key_hash FROM trust WHERE id = $1", reg.TrustID) != h {
			t.Error("the stored hash is not the one from stdin")
		}
		noLeak(t, h, out, errOut)
	})

	t.Run("a custom hash variable", func(t *testing.T) {
		db := newHubDB(t, srv, schema, 2)
		h := hashOf("kch-key")
		t.Setenv("MY_HASH", h)
		out, errOut, code := trustRun(t, "", "trust", "register", "--dsn", db.dsn, "--code", "kch", "--name", "King's", "--hash-env", "MY_HASH")
		if code != 0 {
			t.Fatalf("register --hash-env MY_HASH: exit %d: %s", code, errOut)
		}
		parseRegistration(t, out)
	})

	t.Run("refusals", func(t *testing.T) {
		db := newHubDB(t, srv, schema, 1)
		h := hashOf("refused-key")
		t.Setenv(trusts.EnvAPIKeyHash, "")
		base := []string{"trust", "register", "--dsn", db.dsn, "--code", "gstt", "--name", "GSTT"}
		cases := []struct {
			name  string
			stdin string
			args  []string
			code  int
			want  string
		}{
			{"hash as a flag", "", append(slicesClone(base), "--hash", h), exitUsage, "unknown flag: --hash"},
			{"hash as a flag with =", "", append(slicesClone(base), "--api-key-hash="+h), exitUsage, "unknown flag"},
			{"hash as a positional argument", "", append(slicesClone(base), h), exitUsage, "takes no positional arguments"},
			{"no hash", "", base, exitUsage, "set " + trusts.EnvAPIKeyHash},
			{"empty stdin", "\n", append(slicesClone(base), "--hash-stdin"), exitUsage, "stdin holds no key hash"},
			{"not a digest", "not-a-hash-" + h[:20], append(slicesClone(base), "--hash-stdin"), exitUsage, "sha-256"},
			{"bad code", h, []string{"trust", "register", "--dsn", db.dsn, "--code", "GSTT!", "--name", "x", "--hash-stdin"}, exitUsage, "invalid trust code"},
			{"no name", h, []string{"trust", "register", "--dsn", db.dsn, "--code", "gstt", "--hash-stdin"}, exitUsage, "no trust name"},
			{"no connection", h, []string{"trust", "register", "--code", "gstt", "--name", "x", "--hash-stdin"}, exitUsage, "--instance (FLIP_HUB_INSTANCE_ID)"},
			{"bad dsn not echoed", h, []string{"trust", "list", "--dsn", "postgres://u:pw-9f8e@:bad:port/x"}, exitUsage, "value is not shown"},
		}
		t.Setenv(envDSN, "")
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				out, errOut, code := trustRun(t, tc.stdin, tc.args...)
				if code != tc.code || !strings.Contains(errOut, tc.want) {
					t.Errorf("exit %d, stderr %q; want exit %d mentioning %q", code, errOut, tc.code, tc.want)
				}
				noLeak(t, h, out, errOut)
				if strings.Contains(errOut, "pw-9f8e") {
					t.Errorf("the DSN's password is printed: %s", errOut)
				}
			})
		}
		if n := db.str(t, "SELECT count(*)::text FROM trust"); n != "0" {
			t.Errorf("%s trusts registered by refused commands", n)
		}
	})

	t.Run("errors explained", func(t *testing.T) {
		empty := newHubDB(t, srv, "", 0)
		full := newHubDB(t, srv, schema, 1)
		t.Setenv(trusts.EnvAPIKeyHash, hashOf("k1"))
		_, errOut, code := trustRun(t, "", "trust", "register", "--dsn", empty.dsn, "--code", "gstt", "--name", "GSTT")
		if code != int(outcome.Failed) || !strings.Contains(errOut, "flip-api has not created its tables yet") {
			t.Errorf("schema missing: exit %d, %s", code, errOut)
		}
		if _, errOut, code := trustRun(t, "", "trust", "register", "--dsn", full.dsn, "--code", "gstt", "--name", "GSTT"); code != 0 {
			t.Fatalf("first register: %s", errOut)
		}
		_, errOut, code = trustRun(t, "", "trust", "register", "--dsn", full.dsn, "--code", "uclh", "--name", "UCLH")
		if code != int(outcome.Failed) || !strings.Contains(errOut, "no free fl kit slot") || !strings.Contains(errOut, "kitSlotNames") {
			t.Errorf("pool full: exit %d, %s", code, errOut)
		}
		id := full.str(t, "SELECT id::text FROM trust WHERE code = 'gstt'")
		full.exec(t, `INSERT INTO trust_task (id, trust_id, task_type, payload) VALUES ('40000000-0000-4000-8000-000000000001', $1, 'COHORT_QUERY', '{}')`, id)
		_, errOut, code = trustRun(t, "", "trust", "deregister", "--dsn", full.dsn, "--code", "gstt")
		if code != int(outcome.Failed) || !strings.Contains(errOut, "--force") {
			t.Errorf("referenced: exit %d, %s", code, errOut)
		}
		// --force deletes other tables' rows: it never takes FLIP_DB_DSN from the environment.
		t.Setenv(envDSN, full.dsn)
		if _, _, code := trustRun(t, "", "trust", "deregister", "--code", "gstt", "--force", "--timeout", "5s"); code == 0 {
			t.Error("deregister --force used FLIP_DB_DSN from the environment")
		}
		if n := full.str(t, "SELECT count(*)::text FROM trust WHERE code = 'gstt'"); n != "1" {
			t.Fatalf("the trust is gone after a refused --force: %s rows", n)
		}
		out, errOut, code := trustRun(t, "", "trust", "deregister", "--dsn", full.dsn, "--code", "gstt", "--force")
		if code != 0 || !strings.Contains(out, "deleted trust_task.trust_id (1 row)") {
			t.Errorf("deregister --force: exit %d: %s%s", code, out, errOut)
		}
	})
}

func slicesClone(s []string) []string { return append([]string(nil), s...) }

// With --stack, the trust commands take the tunnel's target from the stack's outputs: the SSM
// session is started for the outputs' host, region and database endpoint.
func TestTrustStackOutputs(t *testing.T) {
	w := newDay2World(t)
	secret, err := secretsmanager.NewFromConfig(w.cfg).CreateSecret(context.Background(), &secretsmanager.CreateSecretInput{
		Name: aws.String("rds!db-1"), SecretString: aws.String(`{"username":"flip_admin","password":"not-a-real-password"}`)})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cli := filepath.Join(dir, "aws")
	testexec.Write(t, cli, "#!/bin/sh\necho \"$@\" > \""+dir+"/args\"\n"+
		"echo 'An error occurred (TargetNotConnected) when calling the StartSession operation: i-0aaaabbbbccccdddd is not connected.' >&2\nexit 254\n", 0o755)
	outs := writeOutputs(t, map[string]any{"region": "eu-west-2", "hubInstanceId": "i-0aaaabbbbccccdddd",
		"dbAddress": "flip-stag-postgres.abc.eu-west-2.rds.amazonaws.com", "dbPort": 5432, "dbName": "flip",
		"dbMasterSecretArn": aws.ToString(secret.ARN)})
	t.Setenv(envDSN, "postgres://elsewhere.example/flip") // must not win over --stack
	_, errOut, code := trustRun(t, "", "trust", "list", "--stack", "stag", "--outputs-file", outs, "--aws-cli", cli, "--timeout", "20s")
	if code == 0 {
		t.Fatal("trust list through an unreachable host succeeded")
	}
	args, err := os.ReadFile(filepath.Join(dir, "args"))
	if err != nil {
		t.Fatalf("the SSM session was never started (%v); stderr: %s", err, errOut)
	}
	for _, want := range []string{"--target i-0aaaabbbbccccdddd", "--region eu-west-2", "flip-stag-postgres.abc.eu-west-2.rds.amazonaws.com"} {
		if !strings.Contains(string(args), want) {
			t.Errorf("the session was started with %q; want %s from the outputs", args, want)
		}
	}
	if _, _, code := trustRun(t, "", "trust", "list", "--stack", "stag", "--outputs-file", outs, "--dsn", "postgres://x/y"); code != exitUsage {
		t.Errorf("--stack with --dsn: exit %d; want a usage error", code)
	}
}
