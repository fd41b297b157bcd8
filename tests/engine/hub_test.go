package engine

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/jackc/pgx/v5"
	"go.yaml.in/yaml/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/londonaicentre/flip-hub/internal/testmoto"
	"github.com/londonaicentre/flip-hub/internal/testpg"
)

// hub is one scratch project: copies of the real Pulumi.yaml and one real stack file, its own
// file backend, fake account record, database and SSM front.
type hub struct {
	t           testing.TB
	stack       string
	dir         string
	state       string
	record      string
	dsn         string
	awsEndpoint string
	moto        *testmoto.Server
	// extraEnv is added to every hubctl and pulumi run (benchmarks compare backend settings).
	extraEnv []string
}

// newHub lays out a project for stack from the repository's own files; edit, when given,
// changes the stack's config before anything runs.
func newHub(t testing.TB, stack string, edit func(cfg map[string]any)) *hub {
	t.Helper()
	requireSuite(t)
	pg := testpg.Require(t, suite.pg, suite.pgErr)
	dir := t.TempDir()
	h := &hub{
		t:      t,
		stack:  stack,
		dir:    dir,
		state:  filepath.Join(dir, ".state"),
		record: filepath.Join(dir, "account.json"),
	}
	if err := os.MkdirAll(h.state, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Pulumi.yaml", "Pulumi." + stack + ".yaml"} {
		b, err := os.ReadFile(filepath.Join(suite.repo, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if edit != nil {
		h.editConfig(edit)
	}
	h.dsn = pg.CreateDatabase(t, "engine_"+stack)
	h.seedDatabase()
	// A moto of its own: the test provider names instances alike in every hub, and the tests
	// count the SSM commands moto holds for them, so hubs that run in parallel must not share one.
	h.moto = testmoto.Start(t)
	h.awsEndpoint = recordFront(t, h.record, testmoto.SSMProxyAllOnline(t, h.moto.URL))
	h.initStack()
	return h
}

// initStack creates the stack the way the runbook does after `hubctl bootstrap`: `pulumi stack
// init --secrets-provider awskms://…`, with a KMS key of the hub's moto. Its secrets are then
// sealed by a data key that KMS decrypts once per CLI run, as a real stack's are; a passphrase
// would instead cost every CLI run a million PBKDF2 rounds (about 0.3 s here).
func (h *hub) initStack() {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	key, err := kms.NewFromConfig(h.moto.AWSConfig()).CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("flip-hub " + h.stack + " stack secrets")})
	if err != nil {
		h.t.Fatalf("create the stack's secrets key in moto: %v", err)
	}
	h.pulumi("stack", "init", "--secrets-provider", "awskms://"+aws.ToString(key.KeyMetadata.KeyId)+"?region="+testmoto.Region)
}

// editConfig rewrites the stack file's config through edit.
func (h *hub) editConfig(edit func(cfg map[string]any)) {
	h.t.Helper()
	path := filepath.Join(h.dir, "Pulumi."+h.stack+".yaml")
	b, err := os.ReadFile(path)
	if err != nil {
		h.t.Fatal(err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(b, &doc); err != nil {
		h.t.Fatal(err)
	}
	cfg, _ := doc["config"].(map[string]any)
	edit(cfg)
	out, err := yaml.Marshal(doc)
	if err != nil {
		h.t.Fatal(err)
	}
	if err := os.WriteFile(path, out, 0o600); err != nil {
		h.t.Fatal(err)
	}
}

// seedDatabase loads FLIP's trust tables and the kit-slot pool flip-api seeds at boot from
// the stack's kit slot names.
func (h *hub) seedDatabase() {
	h.t.Helper()
	schema, err := os.ReadFile(filepath.Join(suite.repo, "internal", "registrar", "testdata", "schema.sql"))
	if err != nil {
		h.t.Fatal(err)
	}
	conn := h.db()
	defer func() { _ = conn.Close(context.Background()) }()
	if _, err := conn.Exec(context.Background(), string(schema)); err != nil {
		h.t.Fatal(err)
	}
	// The fixture seeds Trust_1..Trust_10; the hub's pool is exactly its kit slot names, as
	// flip-api's seed_fl_kit_slots makes it (insert-only, slot_number the trailing _<N>).
	if _, err := conn.Exec(context.Background(), "DELETE FROM fl_kit_slot"); err != nil {
		h.t.Fatal(err)
	}
	for i, name := range h.slotNames() {
		if _, err := conn.Exec(context.Background(), "INSERT INTO fl_kit_slot (slot_name, slot_number) VALUES ($1, $2)", name, i+1); err != nil {
			h.t.Fatal(err)
		}
	}
}

func (h *hub) slotNames() []string {
	b, err := os.ReadFile(filepath.Join(h.dir, "Pulumi."+h.stack+".yaml"))
	if err != nil {
		h.t.Fatal(err)
	}
	var doc struct {
		Config struct {
			FL struct {
				KitSlotNames []string `yaml:"kitSlotNames"`
			} `yaml:"flip-hub:fl"`
		} `yaml:"config"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		h.t.Fatal(err)
	}
	return doc.Config.FL.KitSlotNames
}

func (h *hub) db() *pgx.Conn {
	h.t.Helper()
	conn, err := pgx.Connect(context.Background(), h.dsn)
	if err != nil {
		h.t.Fatal(err)
	}
	return conn
}

// pulumi runs the real CLI on the hub's backend, for what hubctl does not wrap (stack export).
func (h *hub) pulumi(args ...string) []byte {
	h.t.Helper()
	cmd := exec.Command(filepath.Join(suite.pulumiRoot, "bin", "pulumi"), append(args, "--stack", h.stack, "--non-interactive")...)
	cmd.Dir = h.dir
	cmd.Env = h.env()
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok { //nolint:errorlint // only to print its stderr
			stderr = string(ee.Stderr)
		}
		h.t.Fatalf("pulumi %v: %v\n%s", args, err, stderr)
	}
	return out
}

// deployment is the exported state's resources.
type deployment struct {
	Resources []stateResource `json:"resources"`
	Pending   []any           `json:"pending_operations"`
}

type stateResource struct {
	URN            string         `json:"urn"`
	Type           string         `json:"type"`
	ID             string         `json:"id"`
	Protect        bool           `json:"protect"`
	RetainOnDelete bool           `json:"retainOnDelete"`
	Inputs         map[string]any `json:"inputs"`
	Outputs        map[string]any `json:"outputs"`
	StackTrace     []struct {
		SourcePosition string `json:"sourcePosition"`
	} `json:"stackTrace"`
}

// export returns the raw exported state and its parsed deployment.
func (h *hub) export() ([]byte, deployment) {
	h.t.Helper()
	raw := h.pulumi("stack", "export")
	var doc struct {
		Deployment deployment `json:"deployment"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		h.t.Fatalf("stack export: %v", err)
	}
	return raw, doc.Deployment
}

// events are the engine events `hubctl ... --events` printed.
type engineEvent struct {
	ResourcePre *struct {
		Metadata struct {
			Op   string `json:"op"`
			URN  string `json:"urn"`
			Type string `json:"type"`
		} `json:"metadata"`
	} `json:"resourcePreEvent"`
	Summary *struct {
		ResourceChanges map[string]int `json:"resourceChanges"`
	} `json:"summaryEvent"`
	Diagnostic *struct {
		Message  string `json:"message"`
		Severity string `json:"severity"`
		URN      string `json:"urn"`
	} `json:"diagnosticEvent"`
}

func parseEvents(t *testing.T, out string) []engineEvent {
	t.Helper()
	var evs []engineEvent
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "{") {
			continue
		}
		var e engineEvent
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("event %q: %v", line, err)
		}
		evs = append(evs, e)
	}
	return evs
}

// changes maps each op other than "same" to the sorted URNs the engine applied it to.
func changes(evs []engineEvent) map[string][]string {
	out := map[string][]string{}
	for _, e := range evs {
		if p := e.ResourcePre; p != nil && p.Metadata.Op != "same" && p.Metadata.Op != "read" {
			out[p.Metadata.Op] = append(out[p.Metadata.Op], p.Metadata.URN)
		}
	}
	for _, urns := range out {
		sort.Strings(urns)
	}
	return out
}

// upTimeout bounds one engine operation of the stack.
const upTimeout = 8 * time.Minute

// secretString reads the SecretString the account holds for a secret version, as
// `aws secretsmanager get-secret-value` prints it, decoded as the FLIP_API JSON object.
func secretString(t *testing.T, record, versionID string) map[string]string {
	t.Helper()
	rec, err := readRecord(record)
	if err != nil {
		t.Fatal(err)
	}
	st, ok := rec.State[versionID]
	if !ok {
		t.Fatalf("the account holds no secret version %s", versionID)
	}
	var outs structpb.Struct
	if err := protojson.Unmarshal([]byte(st.Outputs), &outs); err != nil {
		t.Fatal(err)
	}
	props, err := unmarshal(&outs)
	if err != nil {
		t.Fatal(err)
	}
	var payload map[string]string
	if err := json.Unmarshal([]byte(plainString(props["secretString"])), &payload); err != nil {
		t.Fatalf("secret version %s: %v", versionID, err)
	}
	return payload
}
