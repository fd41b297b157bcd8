package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/londonaicentre/flip-hub/config"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"go.yaml.in/yaml/v3"

	fliphub "github.com/londonaicentre/flip-hub/hub"
	"github.com/londonaicentre/flip-hub/internal/flip"
	"github.com/londonaicentre/flip-hub/internal/plan"
	"github.com/londonaicentre/flip-hub/network"
)

// TestStagLifecycle drives a stag hub through the real engine the way an operator does: preview,
// up, a second up that must change nothing, and then the changes operators make.
func TestStagLifecycle(t *testing.T) {
	t.Parallel()
	h := newHub(t, "stag", nil)

	t.Run("preview", func(t *testing.T) {
		r := h.run(upTimeout, "preview", "--stack", "stag")
		if r.code != 0 {
			t.Fatalf("preview failed\n%s", r)
		}
	})

	t.Run("up creates every resource of the plan", func(t *testing.T) {
		r := h.run(upTimeout, "up", "--stack", "stag", "--events")
		if r.code != 0 {
			t.Fatalf("up failed\n%s", r)
		}
		_, dep := h.export()
		got := stateURNs(dep)
		want := planURNs(t, h)
		if d := diffSets(want, got); d != "" {
			t.Fatalf("state after up differs from the plan of the same files:\n%s", d)
		}
		if len(dep.Pending) != 0 {
			t.Errorf("pending operations after a successful up: %v", dep.Pending)
		}
		// The stack exports exactly hub.Outputs, each under its tag.
		var outs map[string]any
		if err := json.Unmarshal(h.pulumi("stack", "output", "--json"), &outs); err != nil {
			t.Fatalf("stack output: %v", err)
		}
		exported := slices.Sorted(maps.Keys(outs))
		wantKeys := fliphub.OutputKeys()
		slices.Sort(wantKeys)
		if !slices.Equal(exported, wantKeys) {
			t.Errorf("the stack exports\n%v\nwant hub.Outputs'\n%v", exported, wantKeys)
		}
		// Every checkpoint rewrites every resource's stack trace: hubctl runs the program on a
		// goroutine of its own, so the traces hold the program's frames and none of the
		// Automation API's gRPC server. (The stack resource itself is registered by the SDK before
		// the program runs.)
		for _, r := range dep.Resources {
			if r.Type == "pulumi:pulumi:Stack" {
				continue
			}
			for _, f := range r.StackTrace {
				if strings.Contains(f.SourcePosition, "google.golang.org/grpc") || strings.Contains(f.SourcePosition, "/go/auto/") {
					t.Fatalf("%s: its stack trace in the state holds %s", r.URN, f.SourcePosition)
				}
			}
		}
	})

	t.Run("the hub deploy ran over SSM with no secret in the command", func(t *testing.T) {
		_, dep := h.export()
		var instance string
		for _, r := range dep.Resources {
			if r.Type == "aws:ec2/instance:Instance" && strings.HasSuffix(r.URN, "::hub-host") {
				instance = r.ID
			}
		}
		cfg := h.moto.AWSConfig()
		out, err := ssm.NewFromConfig(cfg).ListCommands(context.Background(), &ssm.ListCommandsInput{InstanceId: &instance})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Commands) != 1 {
			t.Fatalf("moto holds %d SSM commands for the hub host %s; want the one deploy", len(out.Commands), instance)
		}
		c := out.Commands[0]
		if aws.ToString(c.DocumentName) != "AWS-RunShellScript" || !strings.HasPrefix(aws.ToString(c.Comment), "flip-hub deploy") {
			t.Errorf("deploy command: document %q, comment %q", aws.ToString(c.DocumentName), aws.ToString(c.Comment))
		}
		text := strings.Join(c.Parameters["commands"], "\n")
		if !strings.Contains(text, "docker compose") {
			t.Errorf("the SSM command does not look like the hub deploy script:\n%s", tail(text, 2000))
		}
		for name, v := range h.secretValues(t) {
			if strings.Contains(text, v) {
				t.Errorf("the SSM deploy command carries %s in plaintext", name)
			}
		}
	})

	t.Run("second up changes nothing", func(t *testing.T) {
		r := h.run(upTimeout, "up", "--stack", "stag", "--expect-no-changes")
		if r.code != 0 {
			t.Fatalf("a second up of unchanged files has changes (exit %d): the program's inputs are not deterministic\n%s", r.code, r)
		}
	})

	t.Run("trust registrations match the database", func(t *testing.T) {
		h.checkRegistrations(t, []string{"gstt", "uclh"})
	})

	t.Run("kits and env files from the state", func(t *testing.T) {
		out := filepath.Join(h.dir, "kits")
		r := h.run(2*time.Minute, "kits", "--stack", "stag", "--out", out)
		if r.code != 0 {
			t.Fatalf("kits failed\n%s", r)
		}
		keys := h.trustKeys(t)
		for _, code := range []string{"gstt", "uclh"} {
			path := filepath.Join(out, ".env."+code+".stag")
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("kit of %s: %v (hubctl printed %q)", code, err, r.stdout)
			}
			if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
				t.Errorf("%s has mode %v, want 0600", path, st.Mode().Perm())
			}
			if want := "TRUST_API_KEY=" + keys[code].APIKey + "\n"; !strings.Contains(string(b), want) {
				t.Errorf("kit of %s lacks the trust's API key from the state", code)
			}
			if strings.Contains(r.stdout+r.stderr, keys[code].APIKey) {
				t.Errorf("hubctl kits printed the API key of %s", code)
			}
		}
		r = h.run(2*time.Minute, "env", "--stack", "stag", "--out", h.dir)
		if r.code != 0 {
			t.Fatalf("env failed\n%s", r)
		}
		env, err := os.ReadFile(filepath.Join(h.dir, ".env.stag"))
		if err != nil {
			t.Fatal(err)
		}
		outs := h.outputs(t)
		// Upstream's formats: NLB_SUBDOMAIN a bare host, FL_SERVER_PORT a bare integer
		// (deploy/providers/AWS/dns.tf; .env.development.example).
		for _, want := range []string{
			"DB_HOST=" + outs["dbAddress"].(string) + "\n",
			"NLB_SUBDOMAIN=fl.stag.flip.aicentre.co.uk\n",
			"FL_SERVER_PORT=8002\n",
		} {
			if !strings.Contains(string(env), want) {
				t.Errorf(".env.stag lacks %q from the stack outputs:\n%s", want, env)
			}
		}
		kit, _ := os.ReadFile(filepath.Join(out, ".env.gstt.stag"))
		for _, want := range []string{flip.KitSentinel + "\n", "FLARE_KIT_DATE=2025-06-01\n", "NLB_SUBDOMAIN=fl.stag.flip.aicentre.co.uk\n"} {
			if !strings.Contains(string(kit), want) {
				t.Errorf("kit of gstt lacks %q", want)
			}
		}
	})

	t.Run("an image tag bump redeploys the hub and nothing else", func(t *testing.T) {
		h.editConfig(func(cfg map[string]any) {
			cfg["flip-hub:images"].(map[string]any)["tag"] = "sha-1111111"
		})
		evs := h.up(t)
		got := changedURNs(evs)
		if len(got) != 1 || !strings.HasSuffix(got[0], "command:local:Command::hub-deploy") {
			t.Fatalf("changed by an image tag bump: %v; want only the hub deploy command", changes(evs))
		}
	})

	t.Run("up --replace replaces the named resource alone", func(t *testing.T) {
		_, dep := h.export()
		var deployURN, deployID string
		for _, r := range dep.Resources {
			if strings.HasSuffix(r.URN, "command:local:Command::hub-deploy") {
				deployURN, deployID = r.URN, r.ID
			}
		}
		r := h.run(upTimeout, "up", "--stack", "stag", "--events", "--replace", deployURN)
		if r.code != 0 {
			t.Fatalf("up --replace failed\n%s", r)
		}
		if got := changedURNs(parseEvents(t, r.stdout)); len(got) != 1 || got[0] != deployURN {
			t.Fatalf("up --replace %s changed %v", deployURN, got)
		}
		_, after := h.export()
		for _, res := range after.Resources {
			if res.URN == deployURN && res.ID == deployID {
				t.Errorf("the hub deploy kept its id %s: not replaced", deployID)
			}
		}
	})

	t.Run("adding a trust creates only its resources", func(t *testing.T) {
		h.editConfig(func(cfg map[string]any) {
			cfg["flip-hub:trusts"] = append(cfg["flip-hub:trusts"].([]any), map[string]any{
				"code": "KCH", "name": "King's College Hospital NHS Foundation Trust", "region": "London",
				"egressCidrs": []any{"192.0.2.64/28"},
			})
		})
		before := h.trustNetworks(t)
		evs := h.up(t)
		ch := changes(evs)
		for op, urns := range ch {
			if op != "create" && op != "update" {
				t.Errorf("adding a trust made the engine %s %v", op, urns)
			}
		}
		var want []string
		_, dep := h.export()
		for _, urn := range stateURNs(dep) {
			if strings.Contains(urn, "::KCH-") {
				want = append(want, urn)
			}
		}
		if len(want) == 0 {
			t.Fatal("no resource of trust KCH in the state")
		}
		if d := diffSets(want, ch["create"]); d != "" {
			t.Errorf("created resources are not exactly trust KCH's:\n%s", d)
		}
		// Its network joins the trusts' prefix list, an update in place; no other entry moves.
		h.checkPrefixListUpdate(t, ch["update"], before, map[string]string{"192.0.2.64/28": "FL from trust KCH"}, nil)
		h.checkRegistrations(t, []string{"KCH", "gstt", "uclh"})
	})

	// Two trusts behind one NAT: a prefix list holds a network once, so they share its entry.
	t.Run("a trust sharing another's egress network", func(t *testing.T) {
		h.editConfig(func(cfg map[string]any) {
			cfg["flip-hub:trusts"] = append(cfg["flip-hub:trusts"].([]any), map[string]any{
				"code": "KCL", "name": "King's College London", "region": "London",
				"egressCidrs": []any{"203.0.113.16/28"}, // gstt's
			})
		})
		before := h.trustNetworks(t)
		ch := changes(h.up(t))
		var created []string
		for _, urn := range ch["create"] {
			created = append(created, urn[strings.LastIndex(urn, "::")+2:])
		}
		slices.Sort(created)
		// Its registration alone (its keys are derived from the trusts' key seed); gstt's entry in
		// the prefix list is only renamed to name KCL too.
		if want := []string{"KCL-register"}; !slices.Equal(created, want) {
			t.Errorf("adding KCL creates %v; want %v", ch["create"], want)
		}
		h.checkPrefixListUpdate(t, ch["update"], before, map[string]string{"203.0.113.16/28": "FL from trust KCL gstt"}, nil)
		h.checkRegistrations(t, []string{"KCH", "KCL", "gstt", "uclh"})
	})

	// The "Rotate a trust's keys" runbook: raise its rotation, up; new keys, same id and slot.
	t.Run("rotating a trust's keys keeps its id and slot", func(t *testing.T) {
		before, keysBefore := h.registeredCodes(t)["KCH"], h.trustKeys(t)["KCH"]
		h.editConfig(func(cfg map[string]any) {
			for _, tr := range cfg["flip-hub:trusts"].([]any) {
				if m := tr.(map[string]any); m["code"] == "KCH" {
					m["rotation"] = 1
				}
			}
		})
		for op, urns := range changes(h.up(t)) {
			for _, urn := range urns {
				if !strings.Contains(urn, "::KCH-") {
					t.Errorf("rotating KCH's keys made the engine %s %s", op, urn)
				}
			}
		}
		after, keysAfter := h.registeredCodes(t)["KCH"], h.trustKeys(t)["KCH"]
		if after.ID != before.ID || after.Slot != before.Slot {
			t.Errorf("rotation moved KCH from (%s, %s) to (%s, %s)", before.ID, before.Slot, after.ID, after.Slot)
		}
		if keysAfter.APIKey == keysBefore.APIKey || keysAfter.InternalServiceKey == keysBefore.InternalServiceKey || after.Hash == before.Hash {
			t.Error("rotation left KCH's keys or stored hash unchanged")
		}
		h.checkRegistrations(t, []string{"KCH", "KCL", "gstt", "uclh"})
	})

	t.Run("removing a trust deregisters it", func(t *testing.T) {
		h.editConfig(func(cfg map[string]any) {
			var keep []any
			for _, tr := range cfg["flip-hub:trusts"].([]any) {
				if tr.(map[string]any)["code"] != "uclh" {
					keep = append(keep, tr)
				}
			}
			cfg["flip-hub:trusts"] = keep
		})
		before := h.trustNetworks(t)
		ch := changes(h.up(t))
		for op, urns := range ch {
			for _, urn := range urns {
				if op != "update" && (op != "delete" || !strings.Contains(urn, "::uclh-")) {
					t.Errorf("removing trust uclh made the engine %s %s", op, urn)
				}
			}
		}
		h.checkPrefixListUpdate(t, ch["update"], before, nil, []string{"198.51.100.32/28"})
		h.checkRegistrations(t, []string{"KCH", "KCL", "gstt"})
		conn := h.db()
		defer func() { _ = conn.Close(context.Background()) }()
		var audits int
		if err := conn.QueryRow(context.Background(), "SELECT count(*) FROM trusts_audit WHERE trust_name LIKE 'University College%' AND action = 'DELETED'").Scan(&audits); err != nil {
			t.Fatal(err)
		}
		if audits != 1 {
			t.Errorf("trusts_audit has %d DELETED rows for uclh, want 1", audits)
		}
	})

	t.Run("no plaintext secret in the state", func(t *testing.T) {
		raw, _ := h.export()
		secrets := h.secretValues(t)
		if len(secrets) < 5 {
			t.Fatalf("found only %d secret values to look for", len(secrets))
		}
		for name, v := range secrets {
			if strings.Contains(string(raw), v) {
				t.Errorf("the exported state holds %s in plaintext", name)
			}
		}
		// Sealed by the stack's KMS key (pulumi's "cloud" secrets manager), as `stack init
		// --secrets-provider awskms://…` set it up; never by a passphrase.
		var sp struct {
			Deployment struct {
				SecretsProviders struct {
					Type  string `json:"type"`
					State struct {
						URL string `json:"url"`
					} `json:"state"`
				} `json:"secrets_providers"`
			} `json:"deployment"`
		}
		if err := json.Unmarshal(raw, &sp); err != nil {
			t.Fatal(err)
		}
		if p := sp.Deployment.SecretsProviders; p.Type != "cloud" || !strings.HasPrefix(p.State.URL, "awskms://") {
			t.Errorf("the state's secrets provider is %q (%q); want the stack's awskms key", p.Type, p.State.URL)
		}
	})

	var beforeDestroy deployment
	t.Run("destroy keeps exactly the retained resources", func(t *testing.T) {
		_, dep := h.export()
		beforeDestroy = dep
		var retained []string
		for _, r := range dep.Resources {
			if r.RetainOnDelete && r.ID != "" && strings.HasPrefix(r.Type, "aws:") {
				retained = append(retained, r.URN)
			}
		}
		if len(retained) == 0 {
			t.Fatal("the stag state retains nothing on delete; the persistent resources should be")
		}
		// Without --yes and with nothing typed, a destroy is refused and touches nothing.
		if r := h.run(upTimeout, "destroy", "--stack", "stag"); r.code != 2 || !strings.Contains(r.stderr, "not confirmed") {
			t.Fatalf("destroy without --yes: exit %d, want 2 (not confirmed)\n%s", r.code, r)
		}
		if _, still := h.export(); len(stateURNs(still)) != len(stateURNs(dep)) {
			t.Fatalf("an unconfirmed destroy changed the state")
		}
		r := h.run(upTimeout, "destroy", "--stack", "stag", "--yes")
		if r.code != 0 {
			t.Fatalf("destroy failed\n%s", r)
		}
		rec, err := readRecord(h.record)
		if err != nil {
			t.Fatal(err)
		}
		var left []string
		for _, urn := range rec.Resources {
			left = append(left, urn)
		}
		sort.Strings(left)
		sort.Strings(retained)
		if d := diffSets(retained, left); d != "" {
			t.Errorf("after destroy the account holds other than the retained resources:\n%s", d)
		}
		if n := len(h.registeredCodes(t)); n != 0 {
			t.Errorf("%d trusts still registered after destroy", n)
		}
	})

	// What destroy retained still holds its names, as in AWS: an up that does not adopt them
	// cannot create them again.
	t.Run("an up after destroy meets the retained names", func(t *testing.T) {
		r := h.run(upTimeout, "up", "--stack", "stag", "--adopt-retained=false")
		if r.code == 0 {
			t.Fatal("up after destroy created the retained resources a second time")
		}
		if !strings.Contains(r.stdout+r.stderr, "already exists in this account") {
			t.Errorf("up after destroy failed for another reason\n%s", r)
		}
	})

	// The "Recreate stag" runbook: hubctl up finds what the destroy retained by name, adopts it
	// through the stack file's imports (the FLIP_API values from the retained secret), and the hub
	// comes back with the same pool, key, secret and AES key.
	t.Run("an up after destroy adopts what it retained", func(t *testing.T) {
		if len(beforeDestroy.Resources) == 0 {
			t.Skip("no state from before the destroy")
		}
		id := func(typ, name string) string {
			for _, r := range beforeDestroy.Resources {
				if r.Type == typ && strings.HasSuffix(r.URN, "::"+name) {
					return r.ID
				}
			}
			t.Fatalf("no %s %s in the state before the destroy", typ, name)
			return ""
		}
		payload := secretString(t, h.record, id("aws:secretsmanager/secretVersion:SecretVersion", "flip-api"))
		r := h.run(upTimeout, "up", "--stack", "stag")
		if r.code != 0 {
			t.Fatalf("up after destroy failed\n%s", r)
		}
		for _, want := range []string{"adopt " + config.ImportKMSKey, "adopt " + config.ImportFlipAPISecret, "adopt " + config.ImportCognitoUserPool,
			"set secret " + config.KeyFlipAPIAESKey} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("up after destroy did not say %q\n%s", want, r.stderr)
			}
		}
		_, dep := h.export()
		for _, want := range []struct{ typ, name string }{{"aws:cognito/userPool:UserPool", "users"}, {"aws:kms/key:Key", "stack"},
			{"aws:kms/alias:Alias", "stack"}, {"aws:secretsmanager/secret:Secret", "flip-api"}, {"aws:cognito/user:User", "admin"}} {
			var got string
			for _, res := range dep.Resources {
				if res.Type == want.typ && strings.HasSuffix(res.URN, "::"+want.name) {
					got = res.ID
				}
			}
			if got != id(want.typ, want.name) {
				t.Errorf("%s %s is %s after the recreate; want the retained %s", want.typ, want.name, got, id(want.typ, want.name))
			}
		}
		for _, purpose := range config.AppBuckets {
			if got := h.stackImports(t)[config.ImportBucket(purpose)]; got != id("aws:s3/bucketV2:BucketV2", purpose) {
				t.Errorf("bucket %s imported as %q; want the retained %s", purpose, got, id("aws:s3/bucketV2:BucketV2", purpose))
			}
		}
		if got := h.outputs(t)["aesKeyBase64"]; got != payload["aes_key"] {
			t.Error("the recreated hub's AES key differs from the retained secret's: every trust's kit would break")
		}
		// With the imports left in the stack file, the next up changes nothing.
		if r := h.run(upTimeout, "up", "--stack", "stag", "--expect-no-changes"); r.code != 0 {
			t.Errorf("the up after the recreate is not a no-op with the imports in place\n%s", r)
		}
	})
}

// stackImports reads flip-hub:imports from the hub's stack file.
func (h *hub) stackImports(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(h.dir, "Pulumi."+h.stack+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Config map[string]any `yaml:"config"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	m, _ := doc.Config[config.KeyImports].(map[string]any)
	for k, v := range m {
		out[k], _ = v.(string)
	}
	return out
}

// up runs `hubctl up --events` and returns its engine events.
func (h *hub) up(t *testing.T) []engineEvent {
	t.Helper()
	r := h.run(upTimeout, "up", "--stack", h.stack, "--events")
	if r.code != 0 {
		t.Fatalf("up failed\n%s", r)
	}
	return parseEvents(t, r.stdout)
}

// changedURNs are the URNs of every resource the engine did anything to but leave alone.
func changedURNs(evs []engineEvent) []string {
	seen := map[string]bool{}
	var out []string
	for _, urns := range changes(evs) {
		for _, u := range urns {
			if !seen[u] {
				seen[u] = true
				out = append(out, u)
			}
		}
	}
	sort.Strings(out)
	return out
}

// outputs are the stack outputs with secrets shown, from the real CLI.
func (h *hub) outputs(t *testing.T) map[string]any {
	t.Helper()
	var outs map[string]any
	if err := json.Unmarshal(h.pulumi("stack", "output", "--json", "--show-secrets"), &outs); err != nil {
		t.Fatal(err)
	}
	return outs
}

type trustKey struct {
	APIKey             string `json:"apiKey"`
	InternalServiceKey string `json:"internalServiceKey"`
	APIKeyHash         string `json:"apiKeyHash"`
}

func (h *hub) trustKeys(t *testing.T) map[string]trustKey {
	t.Helper()
	b, err := json.Marshal(h.outputs(t)["trusts"])
	if err != nil {
		t.Fatal(err)
	}
	var keys map[string]trustKey
	if err := json.Unmarshal(b, &keys); err != nil {
		t.Fatalf("output trusts: %v (%s)", err, b)
	}
	return keys
}

// registeredCodes maps each registered trust code to its row and slot.
type registered struct {
	ID, Name, Hash, Slot string
	SlotNumber           int
}

func (h *hub) registeredCodes(t *testing.T) map[string]registered {
	t.Helper()
	conn := h.db()
	defer func() { _ = conn.Close(context.Background()) }()
	rows, err := conn.Query(context.Background(), `
		SELECT t.code, t.id::text, t.name, coalesce(t.api_key_hash, ''), coalesce(s.slot_name, ''), coalesce(s.slot_number, 0)
		FROM trust t LEFT JOIN fl_kit_slot s ON s.assigned_to_trust_id = t.id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]registered{}
	for rows.Next() {
		var code string
		var r registered
		if err := rows.Scan(&code, &r.ID, &r.Name, &r.Hash, &r.Slot, &r.SlotNumber); err != nil {
			t.Fatal(err)
		}
		out[code] = r
	}
	return out
}

// checkRegistrations compares the trust rows and slot claims with the stack outputs: the same
// codes, ids and slots, and the stored hash is SHA-256 of the key the kit carries.
func (h *hub) checkRegistrations(t *testing.T, codes []string) {
	t.Helper()
	rows := h.registeredCodes(t)
	keys := h.trustKeys(t)
	b, err := json.Marshal(h.outputs(t)["trustRegistrations"])
	if err != nil {
		t.Fatal(err)
	}
	var regs map[string]struct {
		TrustID    string `json:"trustId"`
		SlotName   string `json:"slotName"`
		SlotNumber int    `json:"slotNumber"`
	}
	if err := json.Unmarshal(b, &regs); err != nil {
		t.Fatalf("output trustRegistrations: %v (%s)", err, b)
	}
	var got []string
	for code := range rows {
		got = append(got, code)
	}
	sort.Strings(got)
	if d := diffSets(codes, got); d != "" {
		t.Fatalf("registered trusts differ from the config:\n%s", d)
	}
	slots := map[string]bool{}
	for _, code := range codes {
		row, reg := rows[code], regs[code]
		if row.ID != reg.TrustID || row.Slot != reg.SlotName || row.SlotNumber != reg.SlotNumber {
			t.Errorf("trust %s: database (%s, %s, %d) != outputs (%s, %s, %d)", code, row.ID, row.Slot, row.SlotNumber, reg.TrustID, reg.SlotName, reg.SlotNumber)
		}
		sum := sha256.Sum256([]byte(keys[code].APIKey))
		if row.Hash != hex.EncodeToString(sum[:]) {
			t.Errorf("trust %s: stored api_key_hash is not SHA-256 of the kit's API key", code)
		}
		if row.Slot == "" || slots[row.Slot] {
			t.Errorf("trust %s: slot %q missing or shared", code, row.Slot)
		}
		slots[row.Slot] = true
	}
}

// secretValues are the plaintext secrets the hub holds: every trust key and hash, and the
// FLIP_API keys, from the outputs with secrets shown.
func (h *hub) secretValues(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for code, k := range h.trustKeys(t) {
		out[code+" api key"] = k.APIKey
		out[code+" internal service key"] = k.InternalServiceKey
		out[code+" api key hash"] = k.APIKeyHash
	}
	if v, ok := h.outputs(t)["aesKeyBase64"].(string); ok && v != "" {
		out["FLIP_API aes key"] = v
	}
	return out
}

// stateURNs are the URNs of the program's resources in a state: custom and component
// resources, without the stack itself and the provider instances.
// trustNetworks returns the entries of the trusts' prefix list in the state: CIDR → description.
func (h *hub) trustNetworks(t *testing.T) map[string]string {
	t.Helper()
	_, dep := h.export()
	out := map[string]string{}
	for _, r := range dep.Resources {
		if r.Type != prefixListType || !strings.HasSuffix(r.URN, "::"+network.TrustNetworksName) {
			continue
		}
		entries, _ := r.Outputs["entries"].([]any)
		for _, e := range entries {
			m, _ := e.(map[string]any)
			cidr, _ := m["cidr"].(string)
			out[cidr], _ = m["description"].(string)
		}
	}
	return out
}

// checkPrefixListUpdate checks that an up updated only the trusts' prefix list, and that its
// entries went from before to before with set added and gone removed.
func (h *hub) checkPrefixListUpdate(t *testing.T, updated []string, before, set map[string]string, gone []string) {
	t.Helper()
	if len(updated) != 1 || !strings.HasSuffix(updated[0], "::"+network.TrustNetworksName) {
		t.Errorf("updated %v; want only the trusts' prefix list", updated)
	}
	want := maps.Clone(before)
	maps.Copy(want, set)
	for _, c := range gone {
		delete(want, c)
	}
	if got := h.trustNetworks(t); !maps.Equal(got, want) {
		t.Errorf("prefix list entries %v; want %v", got, want)
	}
}

const prefixListType = "aws:ec2/managedPrefixList:ManagedPrefixList"

func stateURNs(dep deployment) []string {
	var out []string
	for _, r := range dep.Resources {
		if r.Type == "pulumi:pulumi:Stack" || strings.HasPrefix(r.Type, "pulumi:providers:") {
			continue
		}
		out = append(out, r.URN)
	}
	sort.Strings(out)
	return out
}

// planURNs are the URNs the level-1 mocks record for the hub's current files.
func planURNs(t *testing.T, h *hub) []string {
	t.Helper()
	g, err := plan.Run(plan.Options{Stack: h.stack, Dir: h.dir})
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	var out []string
	for _, r := range g.Resources {
		if strings.HasPrefix(r.Type, "pulumi:providers:") {
			continue
		}
		out = append(out, r.URN)
	}
	sort.Strings(out)
	return out
}

// diffSets describes what is only in want and only in got; "" when they are equal.
func diffSets(want, got []string) string {
	in := func(list []string) map[string]bool {
		m := map[string]bool{}
		for _, s := range list {
			m[s] = true
		}
		return m
	}
	w, g := in(want), in(got)
	var b strings.Builder
	for _, s := range want {
		if !g[s] {
			b.WriteString("  missing: " + s + "\n")
		}
	}
	for _, s := range got {
		if !w[s] {
			b.WriteString("  unexpected: " + s + "\n")
		}
	}
	return b.String()
}
