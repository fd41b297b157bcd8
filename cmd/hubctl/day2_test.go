package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/jackc/pgx/v5"

	"github.com/londonaicentre/flip-hub/internal/testexec"
	"github.com/londonaicentre/flip-hub/internal/testmoto"
	"github.com/londonaicentre/flip-hub/internal/testpg"
)

// These tests run the day-2 commands the way an operator does, against moto_server (behind the
// SSM DescribeInstanceInformation proxy) and a real PostgreSQL, with the stack outputs given as
// --outputs-file. They set process environment variables, so none runs in parallel.

// day2Exec runs hubctl with args under ctx and returns its stdout, stderr and exit code.
func day2Exec(ctx context.Context, stdin string, out *testexec.Buffer, args ...string) (string, int) {
	root := newRoot()
	root.SetArgs(args)
	var errOut bytes.Buffer
	root.SetIn(strings.NewReader(stdin))
	root.SetOut(out)
	root.SetErr(&errOut)
	code := 0
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(&errOut, "hubctl:", err)
		code = exitCode(err)
	}
	return errOut.String(), code
}

func day2Run(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out testexec.Buffer
	stderr, code = day2Exec(ctx, stdin, &out, args...)
	return out.String(), stderr, code
}

// day2World is moto (with the SSM proxy) as the AWS of the commands under test.
type day2World struct {
	srv      *testmoto.Server
	cfg      aws.Config
	instance string
}

func newDay2World(t *testing.T) *day2World {
	t.Helper()
	srv := testmoto.Check(t, moto, motoErr)
	testmoto.SetEnv(t, srv.URL)
	t.Setenv("AWS_ENDPOINT_URL_SSM", testmoto.SSMProxy(t, srv.URL))
	t.Setenv(envDSN, "")
	return &day2World{srv: srv, cfg: srv.AWSConfig(), instance: testmoto.LaunchInstance(t, srv.URL)}
}

func (w *day2World) rdsInstance(t *testing.T, id string) {
	t.Helper()
	_, err := rds.NewFromConfig(w.cfg).CreateDBInstance(context.Background(), &rds.CreateDBInstanceInput{
		DBInstanceIdentifier: aws.String(id), Engine: aws.String("postgres"), DBInstanceClass: aws.String("db.t4g.small"),
		AllocatedStorage: aws.Int32(20), MasterUsername: aws.String("flip_admin"), MasterUserPassword: aws.String("not-a-real-password"),
	})
	if err != nil {
		t.Fatalf("moto CreateDBInstance: %v", err)
	}
}

func writeOutputs(t *testing.T, outs map[string]any) string {
	t.Helper()
	b, err := json.Marshal(outs)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "outputs.json")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// hubSchemaFixture is what flip-api creates at start (the registrar's fixture).
func hubSchemaFixture(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../internal/registrar/testdata/schema.sql")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func pgExec(t *testing.T, dsn, sql string) {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), sql); err != nil {
		t.Fatal(err)
	}
}

func pgCount(t *testing.T, dsn, sql string) int {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(context.Background(), sql).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func TestStatusCommand(t *testing.T) {
	w := newDay2World(t)
	ctx := context.Background()
	w.rdsInstance(t, "flip-stag-db")
	sm := secretsmanager.NewFromConfig(w.cfg)
	key := "internal-key-0123456789-0123456789"
	sum := sha256.Sum256([]byte(key))
	flipSecret, _ := json.Marshal(map[string]string{
		"aes_key": base64.StdEncoding.EncodeToString(make([]byte, 32)), "internal_service_key": key,
		"internal_service_key_hash": hex.EncodeToString(sum[:]),
	})
	secret := func(name, value string) string {
		out, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(value)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.ARN)
	}
	flipARN := secret("flip-stag-flip-api", string(flipSecret))
	dbARN := secret("rds!db-stag", `{"username":"flip_admin","password":"pw-that-is-never-shown"}`)
	logs := cloudwatchlogs.NewFromConfig(w.cfg)
	groups := []string{"/flip-stag-hub-containers", "/flip-stag-hub-system", "/flip-stag-hub-deploy"}
	for i, g := range groups {
		if _, err := logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(g)}); err != nil {
			t.Fatal(err)
		}
		if i == 2 {
			continue // the deploy log is written only by deploys
		}
		if _, err := logs.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(g), LogStreamName: aws.String(w.instance)}); err != nil {
			t.Fatal(err)
		}
		if _, err := logs.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(g), LogStreamName: aws.String(w.instance),
			LogEvents: []logtypes.InputLogEvent{{Message: aws.String("ok"), Timestamp: aws.Int64(time.Now().Add(-time.Minute).UnixMilli())}}}); err != nil {
			t.Fatal(err)
		}
	}
	fl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer fl.Close()
	go func() {
		for {
			c, err := fl.Accept()
			if err != nil {
				return
			}
			_ = c.Close()
		}
	}()
	// The FL base application flip-api copies job templates from, as `hubctl fl-apps publish` leaves it.
	s3c := s3.NewFromConfig(w.srv.AWSConfig(), func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("flip-stag-app-bundles"),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintEuWest2}}); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"base-application/nvflare/required_files.json", "base-application/nvflare/commit_0123456.txt"} {
		if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("flip-stag-app-bundles"), Key: aws.String(k), Body: strings.NewReader("{}")}); err != nil {
			t.Fatal(err)
		}
	}
	pg := testpg.Start(t)
	dsn := pg.CreateDatabase(t, "status_cmd")
	pgExec(t, dsn, hubSchemaFixture(t))

	outs := map[string]any{
		"region": "eu-west-2", "environment": "stag", "domain": "stag.flip.example.test",
		"publicUrl": "https://stag.flip.example.test", "apiUrl": "https://stag.flip.example.test/api",
		"userPoolId": "eu-west-2_x", "userPoolClientId": "c", "dbAddress": "db.example", "dbPort": 5432, "dbName": "flip",
		"dbInstanceId": "flip-stag-db", "dbMasterSecretArn": dbARN, "flipApiSecretArn": flipARN, "uiBucketName": "ui",
		"distributionId": "E123", "flEndpoint": fl.Addr().String(), "hubInstanceId": w.instance, "hubLogGroupNames": groups,
		"flBackend": "nvflare", "bucketNames": map[string]any{"app-bundles": "flip-stag-app-bundles"},
	}
	args := func(outs map[string]any, extra ...string) []string {
		return append([]string{"status", "--stack", "stag", "--outputs-file", writeOutputs(t, outs), "--dsn", dsn,
			"--skip", "https", "--skip", "certificate", "--skip", "containers", "--skip", "os-updates",
			"--skip", "host-resources", "--skip", "user-pool", "--skip", "network"}, extra...)
	}
	type report struct {
		OK     bool
		Checks []struct {
			Name, Detail, Fix string
			OK, Skipped       bool
		}
	}
	parse := func(stdout string) report {
		t.Helper()
		var r report
		if err := json.Unmarshal([]byte(stdout), &r); err != nil {
			t.Fatalf("status --json printed no JSON report: %v\n%s", err, stdout)
		}
		return r
	}

	t.Run("healthy", func(t *testing.T) {
		stdout, stderr, code := day2Run(t, "", args(outs, "--json")...)
		r := parse(stdout)
		if code != 0 || !r.OK {
			t.Fatalf("exit %d, report %+v\nstderr: %s", code, r, stderr)
		}
		var names []string
		for _, c := range r.Checks {
			names = append(names, c.Name)
		}
		for _, want := range []string{"outputs", "drift", "instance", "database", "database-query", "secret flip-api", "secret db-master",
			"https /", "https /api/health", "certificate", "fl-endpoint", "fl base application", "containers", "os updates", "host resources", "buckets", "user pool", "network",
			"log-group /flip-stag-hub-containers", "log-group /flip-stag-hub-system", "log-group /flip-stag-hub-deploy"} {
			if !slices.Contains(names, want) {
				t.Errorf("report lacks check %q: %v", want, names)
			}
		}
		if strings.Contains(stdout, key) || strings.Contains(stdout, "pw-that-is-never-shown") {
			t.Fatal("the report shows a secret value")
		}
		table, _, code := day2Run(t, "", args(outs)...)
		if code != 0 || !strings.Contains(table, "hub stag: 12 ok, 0 failed, 9 skipped") {
			t.Fatalf("exit %d, table:\n%s", code, table)
		}
	})

	t.Run("broken", func(t *testing.T) {
		broken := map[string]any{}
		for k, v := range outs {
			broken[k] = v
		}
		closed, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		broken["flEndpoint"] = closed.Addr().String()
		_ = closed.Close()
		broken["dbInstanceId"] = "flip-stag-db-gone"
		delete(broken, "flipApiSecretArn")
		broken["flBackend"] = "flower" // nothing published under base-application/flower/
		stopInstance(t, w.srv, w.instance)
		stdout, _, code := day2Run(t, "", args(broken, "--json", "--timeout", "10s")...)
		r := parse(stdout)
		if code != 1 || r.OK {
			t.Fatalf("exit %d, ok %v; want 1 and not ok", code, r.OK)
		}
		var failed []string
		for _, c := range r.Checks {
			if !c.OK {
				failed = append(failed, c.Name)
				if c.Fix == "" {
					t.Errorf("check %s failed without a fix", c.Name)
				}
			}
		}
		slices.Sort(failed)
		if want := []string{"database", "fl base application", "fl-endpoint", "instance", "outputs", "secret flip-api"}; !slices.Equal(failed, want) {
			t.Fatalf("failed checks %v; want %v", failed, want)
		}
		for _, c := range r.Checks {
			if c.Name == "fl base application" && !strings.Contains(c.Fix, "hubctl fl-apps publish --stack stag") {
				t.Errorf("fl base application fix %q; want the publish command", c.Fix)
			}
		}
	})

	t.Run("usage", func(t *testing.T) {
		if _, _, code := day2Run(t, "", "status", "--stack", "stag", "--outputs-file", writeOutputs(t, outs), "--skip", "dns"); code != 2 {
			t.Fatalf("--skip of an unknown check exited %d; want 2", code)
		}
	})
}

func TestDeployUICommand(t *testing.T) {
	w := newDay2World(t)
	ctx := context.Background()
	s3c := s3.NewFromConfig(w.cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("flip-stag-ui"),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintEuWest2}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("flip-stag-ui"), Key: aws.String("assets/index-Old0ld12.js"), Body: strings.NewReader("old")}); err != nil {
		t.Fatal(err)
	}
	cf := cloudfront.NewFromConfig(w.cfg)
	dist, err := cf.CreateDistribution(ctx, &cloudfront.CreateDistributionInput{DistributionConfig: &cftypes.DistributionConfig{
		CallerReference: aws.String("day2"), Comment: aws.String("ui"), Enabled: aws.Bool(true),
		Origins: &cftypes.Origins{Quantity: aws.Int32(1), Items: []cftypes.Origin{{Id: aws.String("ui"),
			DomainName: aws.String("flip-stag-ui.s3.eu-west-2.amazonaws.com"), S3OriginConfig: &cftypes.S3OriginConfig{OriginAccessIdentity: aws.String("")}}}},
		DefaultCacheBehavior: &cftypes.DefaultCacheBehavior{TargetOriginId: aws.String("ui"), ViewerProtocolPolicy: cftypes.ViewerProtocolPolicyRedirectToHttps,
			CachePolicyId: aws.String("658327ea-f89d-4fab-a63d-7e88639e58f6")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	outputs := writeOutputs(t, map[string]any{
		"region": "eu-west-2", "apiUrl": "https://stag.flip.example.test/api", "userPoolId": "eu-west-2_AbC", "userPoolClientId": "client1",
		"uiBucketName": "flip-stag-ui", "distributionId": aws.ToString(dist.Distribution.Id), "images": map[string]any{"tag": "sha-1234567"},
	})
	build := t.TempDir()
	for name, body := range map[string]string{"index.html": "<!doctype html>", "assets/index-BxK3a9_Q.js": "js"} {
		p := filepath.Join(build, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	base := []string{"deploy-ui", "--stack", "stag", "--outputs-file", outputs, "--invalidation-poll", "10ms"}

	stdout, stderr, code := day2Run(t, "", append(base, "--dist", build)...)
	if code != 0 || !strings.Contains(stdout, "3 uploaded, 0 unchanged, 1 deleted") || !strings.Contains(stdout, "completed") {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	obj, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("flip-stag-ui"), Key: aws.String("js/window.js")})
	if err != nil {
		t.Fatal(err)
	}
	js, _ := io.ReadAll(obj.Body)
	_ = obj.Body.Close()
	for _, want := range []string{`window.AWS_BASE_URL            = "https://stag.flip.example.test/api";`,
		`window.AWS_CLIENT_ID           = "client1";`, `window.RELEASE_VERSION         = "sha-1234567";`} {
		if !strings.Contains(string(js), want) {
			t.Errorf("window.js lacks %s:\n%s", want, js)
		}
	}
	if aws.ToString(obj.CacheControl) != "no-cache, no-store, must-revalidate" {
		t.Errorf("window.js Cache-Control %q", aws.ToString(obj.CacheControl))
	}

	empty := t.TempDir()
	for name, c := range map[string]struct {
		args []string
		code int
	}{
		"missing dist": {append(base, "--dist", filepath.Join(empty, "nope")), 4},
		"empty dist":   {append(base, "--dist", empty), 4},
		"no --dist":    {base, 2},
		"bad prefix":   {append(base, "--dist", build, "--prefix", "/ui"), 4},
	} {
		if _, stderr, code := day2Run(t, "", c.args...); code != c.code {
			t.Errorf("%s: exit %d; want %d\n%s", name, code, c.code, stderr)
		}
	}
}

// fakeFlipAPI recreates the hub tables whenever they are gone, as flip-api does when it restarts.
func fakeFlipAPI(t *testing.T, dsn, schema string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	t.Cleanup(func() { cancel(); <-done })
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			func() {
				conn, err := pgx.Connect(ctx, dsn)
				if err != nil {
					return
				}
				defer conn.Close(context.Background())
				var exists bool
				if conn.QueryRow(ctx, `SELECT to_regclass('public.trust') IS NOT NULL`).Scan(&exists) == nil && !exists {
					time.Sleep(100 * time.Millisecond) // the restart
					_, _ = conn.Exec(ctx, schema)
				}
			}()
			select {
			case <-ctx.Done():
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
}

func TestResetSchemaCommand(t *testing.T) {
	w := newDay2World(t)
	pg := testpg.Start(t)
	schema := hubSchemaFixture(t)
	hash := func(c string) string { return strings.Repeat(c, 64) }
	// outputs are a stack's whose database is the one dsn names (reset-schema refuses any other).
	outputs := func(env, dbInstance, dsn string) string {
		cfg, err := pgx.ParseConfig(dsn)
		if err != nil {
			t.Fatal(err)
		}
		return writeOutputs(t, map[string]any{
			"region": "eu-west-2", "environment": env, "dbInstanceId": dbInstance, "hubInstanceId": w.instance, "dbName": cfg.Database,
			"trusts": map[string]any{
				"gstt": map[string]any{"apiKeyHash": hash("1"), "trustId": "11111111-1111-4111-8111-111111111111", "slotName": "Trust_1", "slotNumber": 1},
				"uclh": map[string]any{"apiKeyHash": hash("2"), "trustId": "22222222-2222-4222-8222-222222222222", "slotName": "Trust_2", "slotNumber": 2},
			},
		})
	}
	newDB := func(t *testing.T) string {
		dsn := pg.CreateDatabase(t, t.Name())
		pgExec(t, dsn, schema)
		pgExec(t, dsn, `INSERT INTO projects (id, name, description, owner_id) VALUES (gen_random_uuid(), 'p', 'd', gen_random_uuid())`)
		return dsn
	}
	intact := func(t *testing.T, dsn string) {
		t.Helper()
		if n := pgCount(t, dsn, `SELECT count(*) FROM projects`); n != 1 {
			t.Fatalf("projects has %d rows; the schema was reset", n)
		}
	}
	rdsc := rds.NewFromConfig(w.cfg)
	manual := func(t *testing.T, instance string) int {
		out, err := rdsc.DescribeDBSnapshots(context.Background(), &rds.DescribeDBSnapshotsInput{DBInstanceIdentifier: aws.String(instance), SnapshotType: aws.String("manual")})
		if err != nil {
			t.Fatal(err)
		}
		return len(out.DBSnapshots)
	}
	reset := func(stack, outs, dsn string, extra ...string) []string {
		return append([]string{"--dir", "../..", "db", "reset-schema", "--stack", stack, "--outputs-file", outs, "--dsn", dsn,
			"--tables-timeout", "30s", "--snapshot-poll", "10ms"}, extra...)
	}

	t.Run("dry run", func(t *testing.T) {
		dsn := newDB(t)
		w.rdsInstance(t, "flip-stag-db-dry")
		stdout, stderr, code := day2Run(t, "", reset("stag", outputs("stag", "flip-stag-db-dry", dsn), dsn, "--dry-run")...)
		if code != 0 || !strings.Contains(stdout, "register trust gstt") {
			t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
		}
		intact(t, dsn)
	})
	// A DSN that reaches another database than the stack's (another hub's, say) drops nothing,
	// and FLIP_DB_DSN in the environment is never taken by a destructive command.
	t.Run("another database than the stack's", func(t *testing.T) {
		dsn, other := newDB(t), newDB(t)
		fakeFlipAPI(t, other, schema)
		w.rdsInstance(t, "flip-stag-db-other")
		stdout, stderr, code := day2Run(t, "", reset("stag", outputs("stag", "flip-stag-db-other", dsn), other, "--yes-i-understand", "stag")...)
		if code != 4 || !strings.Contains(stderr, "nothing was dropped") {
			t.Fatalf("exit %d; want 4 refusing the other database\n%s\n%s", code, stdout, stderr)
		}
		intact(t, other)
		// A DSN to a server that is neither the stack's RDS endpoint nor a local tunnel is refused
		// before anything connects.
		remote := strings.Replace(dsn, "127.0.0.1", "other-hub-db.example.invalid", 1)
		if remote == dsn {
			t.Fatalf("the test DSN does not name 127.0.0.1")
		}
		_, stderr, code = day2Run(t, "", reset("stag", outputs("stag", "flip-stag-db-other", dsn), remote, "--yes-i-understand", "stag")...)
		if code != 4 || !strings.Contains(stderr, "neither the stack's database") {
			t.Fatalf("remote DSN: exit %d; want 4\n%s", code, stderr)
		}
		t.Setenv(envDSN, dsn)
		args := reset("stag", outputs("stag", "flip-stag-db-other", dsn), "", "--yes-i-understand", "stag")
		args = slices.DeleteFunc(args, func(a string) bool { return a == "--dsn" || a == "" })
		if _, _, code := day2Run(t, "", args...); code == 0 {
			t.Fatal("reset-schema took FLIP_DB_DSN from the environment")
		}
		intact(t, dsn)
	})
	t.Run("wrong confirmation", func(t *testing.T) {
		dsn := newDB(t)
		_, _, code := day2Run(t, "", reset("stag", outputs("stag", "x", dsn), dsn, "--yes-i-understand", "prod")...)
		if code != 4 {
			t.Fatalf("exit %d; want 4", code)
		}
		if _, _, code := day2Run(t, "staging\n", reset("stag", outputs("stag", "x", dsn), dsn)...); code != 4 {
			t.Fatalf("typed the wrong name: exit %d; want 4", code)
		}
		intact(t, dsn)
	})
	t.Run("stag, typed confirmation", func(t *testing.T) {
		dsn := newDB(t)
		fakeFlipAPI(t, dsn, schema)
		w.rdsInstance(t, "flip-stag-db-typed")
		stdout, stderr, code := day2Run(t, "stag\n", reset("stag", outputs("stag", "flip-stag-db-typed", dsn), dsn)...)
		t.Logf("hubctl db reset-schema:\n%s", stdout)
		if code != 0 {
			t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
		}
		if n := pgCount(t, dsn, `SELECT count(*) FROM projects`); n != 0 {
			t.Fatalf("projects kept %d rows", n)
		}
		// Each trust is back with its previous id and slot (the stack outputs'), so kits stay valid.
		if n := pgCount(t, dsn, `SELECT count(*) FROM trust t JOIN fl_kit_slot s ON s.assigned_to_trust_id = t.id
			WHERE (t.code, t.id::text, s.slot_name) IN (('gstt', '11111111-1111-4111-8111-111111111111', 'Trust_1'),
				('uclh', '22222222-2222-4222-8222-222222222222', 'Trust_2'))`); n != 2 {
			t.Fatalf("%d trusts back with their old ids and slots; want 2\n%s", n, stdout)
		}
		if manual(t, "flip-stag-db-typed") != 0 {
			t.Fatal("a stag reset took a snapshot")
		}
		for _, want := range []string{"Every trust kept its id and FL kit slot", "11111111-1111-4111-8111-111111111111"} {
			if !strings.Contains(stdout, want) {
				t.Errorf("output lacks %q:\n%s", want, stdout)
			}
		}
		if strings.Contains(stdout, "--replace") || strings.Contains(stdout, "replace the") {
			t.Errorf("the report advises a replacement:\n%s", stdout)
		}
		listed, err := ssm.NewFromConfig(w.cfg).ListCommands(context.Background(), &ssm.ListCommandsInput{InstanceId: aws.String(w.instance)})
		if err != nil {
			t.Fatal(err)
		}
		restarted := false
		for _, c := range listed.Commands {
			if strings.Contains(strings.Join(c.Parameters["commands"], "\n"), "restart flip-api") {
				restarted = true
			}
		}
		if !restarted {
			t.Fatal("no SSM command restarted flip-api")
		}
	})
	t.Run("prod takes a snapshot", func(t *testing.T) {
		dsn := newDB(t)
		fakeFlipAPI(t, dsn, schema)
		w.rdsInstance(t, "flip-prod-db")
		stdout, stderr, code := day2Run(t, "", reset("prod", outputs("prod", "flip-prod-db", dsn), dsn, "--yes-i-understand", "prod")...)
		if code != 0 || manual(t, "flip-prod-db") != 1 || !strings.Contains(stdout, "snapshot flip-prod-pre-schema-reset-") {
			t.Fatalf("exit %d, %d manual snapshots\n%s\n%s", code, manual(t, "flip-prod-db"), stdout, stderr)
		}
	})
	t.Run("prod refuses an unknown snapshot", func(t *testing.T) {
		dsn := newDB(t)
		w.rdsInstance(t, "flip-prod-db-2")
		_, _, code := day2Run(t, "", reset("prod", outputs("prod", "flip-prod-db-2", dsn), dsn, "--yes-i-understand", "prod", "--snapshot", "nope")...)
		if code != 4 || manual(t, "flip-prod-db-2") != 0 {
			t.Fatalf("exit %d; want 4 and no snapshot", code)
		}
		intact(t, dsn)
	})
	t.Run("masked trusts output", func(t *testing.T) {
		outs := writeOutputs(t, map[string]any{"region": "eu-west-2", "trusts": "[secret]"})
		if _, stderr, code := day2Run(t, "", reset("stag", outs, "postgres://x@127.0.0.1:1/x")...); code != 2 || !strings.Contains(stderr, "--show-secrets") {
			t.Fatalf("exit %d: %s", code, stderr)
		}
	})
}

func TestForwardCommand(t *testing.T) {
	srv := testmoto.Check(t, moto, motoErr)
	testmoto.SetEnv(t, srv.URL)
	dir := t.TempDir()
	cli := filepath.Join(dir, "aws")
	script := `#!/bin/sh
echo "$@" >> "` + dir + `/args"
echo "Starting session with SessionId: fake-$$"
echo "Waiting for connections..."
exec sleep 300
`
	testexec.Write(t, cli, script, 0o755)
	outs := writeOutputs(t, map[string]any{"region": "eu-west-2", "hubInstanceId": "i-0123456789abcdef0",
		"dbAddress": "flip-stag-db.abc.eu-west-2.rds.amazonaws.com", "dbPort": 5432, "dbName": "flip", "flPort": 8002})
	base := []string{"forward", "--stack", "stag", "--outputs-file", outs, "--aws-cli", cli,
		"--port", "flip-api=0", "--port", "fl-server=0", "--port", "db=0"}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out testexec.Buffer
	done := make(chan int, 1)
	go func() { _, code := day2Exec(ctx, "", &out, base...); done <- code }()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(out.String(), "press Ctrl+C") {
		if time.Now().After(deadline) {
			t.Fatalf("no forwards open:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("forward exited %d after Ctrl+C", code)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("forward did not stop after Ctrl+C")
	}
	for _, want := range []string{"flip-api   http://127.0.0.1:", "fl-server  tcp://127.0.0.1:", "db         postgres://127.0.0.1:", "/flip?sslmode=require"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	args, _ := os.ReadFile(filepath.Join(dir, "args"))
	for _, want := range []string{"AWS-StartPortForwardingSession --parameters", `"portNumber":["8002"]`,
		"AWS-StartPortForwardingSessionToRemoteHost", `"host":["flip-stag-db.abc.eu-west-2.rds.amazonaws.com"]`} {
		if !strings.Contains(string(args), want) {
			t.Errorf("the CLI was not asked for %s:\n%s", want, args)
		}
	}
	if _, _, code := day2Run(t, "", "forward", "--stack", "stag", "--outputs-file", outs, "--aws-cli", cli, "redis"); code != 2 {
		t.Fatalf("an unknown service exited %d; want 2", code)
	}
}
