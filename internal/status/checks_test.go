package status_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/jackc/pgx/v5"

	"github.com/londonaicentre/flip-hub/internal/ssmrun"
	"github.com/londonaicentre/flip-hub/internal/status"
	"github.com/londonaicentre/flip-hub/internal/testmoto"
	"github.com/londonaicentre/flip-hub/internal/testpg"
)

func connector(dsn string) status.Connector {
	return func(ctx context.Context) (status.DB, error) { return pgx.Connect(ctx, dsn) }
}

func TestDBQuery(t *testing.T) {
	t.Parallel()
	srv := testpg.Require(t, pg, pgErr)
	withTables := srv.CreateDatabase(t, "status_tables")
	withoutTables := srv.CreateDatabase(t, "status_empty")
	conn, err := pgx.Connect(context.Background(), withTables)
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range status.HubTables {
		if _, err := conn.Exec(context.Background(), "CREATE TABLE "+table+" (id int)"); err != nil {
			t.Fatal(err)
		}
	}
	_ = conn.Close(context.Background())

	run(t, status.DBQuery(connector(withTables)), true, "SELECT 1 answered")
	run(t, status.DBQuery(connector(withoutTables)), false, "table(s) trust, fl_kit_slot, trusts_audit are missing")
	refused := "postgres://postgres@127.0.0.1:1/x?sslmode=disable&connect_timeout=2"
	run(t, status.DBQuery(connector(refused)), false, "connect:")
}

// fakeCommander answers every command with canned output or an error.
type fakeCommander struct {
	stdout string
	err    error
	got    []string
}

func (f *fakeCommander) Run(_ context.Context, _ string, commands []string, _ ssmrun.Options) (ssmrun.Result, error) {
	f.got = commands
	return ssmrun.Result{CommandID: "cmd-1", Stdout: f.stdout}, f.err
}

func ps(containers ...map[string]any) string {
	var b strings.Builder
	for _, c := range containers {
		line, _ := json.Marshal(c)
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.String()
}

func ctr(service, state, health string, exit int) map[string]any {
	return map[string]any{"Name": "flip-" + service + "-1", "Service": service, "State": state, "Health": health, "ExitCode": exit, "Status": state}
}

var hubServices = []string{"flip-api", "fl-api-net-1", "fl-server-net-1"}

func TestContainers(t *testing.T) {
	t.Parallel()
	healthy := []map[string]any{ctr("flip-api", "running", "healthy", 0), ctr("fl-api-net-1", "running", "healthy", 0), ctr("fl-server-net-1", "running", "", 0)}
	arrayForm, _ := json.Marshal(healthy)
	cases := []struct {
		name   string
		stdout string
		err    error
		ok     bool
		detail string
	}{
		{"all up, one JSON object per line", ps(healthy...), nil, true, "3 containers"},
		{"all up, older compose JSON array", string(arrayForm), nil, true, "3 containers"},
		{"one-shot job exited 0", ps(append(healthy, ctr("register-supernode-keys-net-1", "exited", "", 0))...), nil, true, "4 containers"},
		{"one-shot job failed", ps(append(healthy, ctr("register-supernode-keys-net-1", "exited", "", 1))...), nil, false, "register-supernode-keys-net-1 exited with code 1"},
		{"flip-api unhealthy", ps(ctr("flip-api", "running", "unhealthy", 0), healthy[1], healthy[2]), nil, false, "flip-api is running but unhealthy"},
		{"fl-server exited", ps(healthy[0], healthy[1], ctr("fl-server-net-1", "exited", "", 137)), nil, false, "fl-server-net-1 is exited"},
		{"fl-api missing", ps(healthy[0], healthy[2]), nil, false, "fl-api-net-1 has no container"},
		{"nothing deployed", "", nil, false, "no compose containers"},
		{"garbage output", "docker: command not found\n", nil, false, "compose ps output"},
		{"command failed", "", &ssmrun.CommandError{CommandID: "cmd-1", Status: "Failed", ResponseCode: 1}, false, "docker compose ps failed"},
		{"not online", "", &ssmrun.NotOnlineError{InstanceID: "i-1"}, false, "not online"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := &fakeCommander{stdout: tc.stdout, err: tc.err}
			run(t, status.Containers(f, "i-1", hubServices), tc.ok, tc.detail)
			if !strings.Contains(strings.Join(f.got, "\n"), "ps --all --format json") {
				t.Errorf("command %q does not list the compose containers", f.got)
			}
		})
	}
}

// TestContainersThroughMoto sends the real command through ssmrun to moto (behind the
// DescribeInstanceInformation proxy). moto never runs scripts and answers empty output, so the check
// must fail saying nothing is deployed, and moto must have recorded the read-only command.
func TestContainersThroughMoto(t *testing.T) {
	srv := testmoto.Check(t, moto, motoErr)
	ssmc := ssm.NewFromConfig(testmoto.AWSConfig(testmoto.SSMProxy(t, srv.URL)))
	id := testmoto.LaunchInstance(t, srv.URL)
	r := &ssmrun.Runner{API: ssmc, Poll: 10 * time.Millisecond, PingTimeout: time.Second, Timeout: 20 * time.Second}
	run(t, status.Containers(r, id, hubServices), false, "no compose containers on "+id)

	listed, err := ssm.NewFromConfig(srv.AWSConfig()).ListCommands(context.Background(), &ssm.ListCommandsInput{InstanceId: aws.String(id)})
	if err != nil || len(listed.Commands) != 1 {
		t.Fatalf("moto ListCommands for %s: %v, %v", id, listed, err)
	}
	got := strings.Join(listed.Commands[0].Parameters["commands"], "\n")
	if got != strings.Join(status.ContainersScript, "\n") {
		t.Fatalf("moto recorded commands %q; want %q", got, status.ContainersScript)
	}
}

// required is a list of outputs as hubctl passes it (cmd/hubctl requiredOutputs).
var required = []string{"region", "domain", "dbAddress", "dbPort", "hubInstanceId", "hubLogGroupNames"}

func TestOutputs(t *testing.T) {
	t.Parallel()
	full := map[string]any{}
	for _, k := range required {
		full[k] = "x"
	}
	full["hubLogGroupNames"] = []any{"/a"}
	run(t, status.Outputs(full, required), true, "present")

	partial := map[string]any{"region": "eu-west-2", "domain": "", "hubLogGroupNames": []any{}}
	r := run(t, status.Outputs(partial, required), false, "missing or empty: ")
	for _, k := range []string{"domain", "hubInstanceId", "hubLogGroupNames"} {
		if !strings.Contains(r.Detail, k) {
			t.Errorf("detail %q does not name %s", r.Detail, k)
		}
	}
	run(t, status.Outputs(map[string]any{}, required), false, "not been deployed")
}

func TestDrift(t *testing.T) {
	t.Parallel()
	run(t, status.Drift("stag", func(context.Context) error { return nil }, 0), true, "no changes")
	r := run(t, status.Drift("stag", func(context.Context) error {
		return fmt.Errorf("%w: stag has drifted from its state: [1 to update]", status.ErrDrift)
	}, 0), false, "1 to update")
	if !strings.Contains(r.Fix, "hubctl refresh --stack stag --expect-no-changes") {
		t.Errorf("drift fix %q does not say how to see the drift", r.Fix)
	}
	r = run(t, status.Drift("stag", func(context.Context) error { return errors.New("no credentials") }, 0), false, "no credentials")
	if strings.Contains(r.Fix, "refresh --stack") {
		t.Errorf("a refresh that could not run got the drift fix %q", r.Fix)
	}
}

func TestReport(t *testing.T) {
	t.Parallel()
	slow := &status.Func{CheckName: "slow", Timeout: 50 * time.Millisecond, Fix: "be faster",
		Fn: func(ctx context.Context) (string, error) { <-ctx.Done(); return "", ctx.Err() }}
	checks := []status.Check{
		&status.Func{CheckName: "good", Fn: func(context.Context) (string, error) { return "fine", nil }},
		status.Fail("broken", "it is broken", "mend it"),
		status.Skip("drift", "skipped with --skip drift"),
		slow,
	}
	rep := status.Run(context.Background(), "stag", checks)
	if rep.OK() {
		t.Fatal("a report with failed checks is OK")
	}
	if ok, failed, skipped := rep.Counts(); ok != 1 || failed != 2 || skipped != 1 {
		t.Fatalf("counts = %d ok, %d failed, %d skipped; want 1, 2, 1", ok, failed, skipped)
	}
	if d := rep.Results[3].Detail; !strings.HasPrefix(d, "no answer within 50ms") {
		t.Errorf("timed-out check detail %q", d)
	}
	for i, c := range checks {
		if rep.Results[i].Name != c.Name() {
			t.Errorf("result %d is %q; want the checks' order", i, rep.Results[i].Name)
		}
	}

	var table bytes.Buffer
	if err := rep.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"broken  FAIL", "drift   skip", "hub stag: 1 ok, 2 failed, 1 skipped", "What to do:\n  broken: mend it\n  slow: be faster\n"} {
		if !strings.Contains(table.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, table.String())
		}
	}

	var js bytes.Buffer
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var parsed struct {
		Stack   string
		OK      bool
		Summary struct{ OK, Failed, Skipped int }
		Checks  []struct {
			Name, Detail, Fix string
			OK, Skipped       bool
			DurationMS        int64 `json:"durationMs"`
		}
	}
	if err := json.Unmarshal(js.Bytes(), &parsed); err != nil {
		t.Fatalf("json report does not parse: %v\n%s", err, js.String())
	}
	if parsed.Stack != "stag" || parsed.OK || parsed.Summary.Failed != 2 || len(parsed.Checks) != 4 ||
		parsed.Checks[1].Fix != "mend it" || !parsed.Checks[2].Skipped || parsed.Checks[3].DurationMS < 50 {
		t.Fatalf("json report = %+v", parsed)
	}

	if !status.Run(context.Background(), "stag", checks[:1]).OK() {
		t.Fatal("a report of passing checks is not OK")
	}
}

// TestRunShowingPiped: with live output that is not a terminal (a pipe in CI, a log file), the
// report is the only output; each outcome's live line says pass, skip or failure with its detail.
func TestRunShowingPiped(t *testing.T) {
	var live bytes.Buffer
	checks := []status.Check{
		status.Fail("database", "no connection", "check the tunnel"),
		status.Skip("drift", "skipped with --skip drift"),
	}
	rep := status.RunShowing(context.Background(), "stag", checks, &live)
	if live.Len() != 0 {
		t.Fatalf("live output on a buffer: %q", live.String())
	}
	if len(rep.Results) != 2 || rep.Results[0].OK || !rep.Results[1].Skipped {
		t.Fatalf("report %+v", rep.Results)
	}
}
