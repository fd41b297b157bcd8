package trusts_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi-command/sdk/go/command"
	"github.com/pulumi/pulumi-command/sdk/go/command/local"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/internal/plan"
	"github.com/londonaicentre/flip-hub/trusts"
)

const (
	bytesType   = "random:index/randomBytes:RandomBytes"
	commandType = "command:local:Command"
)

// result is what a test program saw of the component besides the recorded graph.
type result struct {
	mu                sync.Mutex
	keys              map[string]any
	regs              map[string]any
	keysSecret        bool
	registrationsOpen bool
}

// program builds the trusts layer the way hub does: explicit random and command providers, a
// stand-in for the compute layer's hub deploy to depend on, and the database outputs.
func program(args trusts.Args, res *result) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		rnd, err := random.NewProvider(ctx, "random", &random.ProviderArgs{})
		if err != nil {
			return err
		}
		cmd, err := command.NewProvider(ctx, "command", &command.ProviderArgs{})
		if err != nil {
			return err
		}
		deploy, err := local.NewCommand(ctx, "hub-deploy", &local.CommandArgs{Create: pulumi.String("hubctl host run")},
			pulumi.Provider(cmd))
		if err != nil {
			return err
		}
		args.DependsOn = append(args.DependsOn, deploy)
		t, err := trusts.New(ctx, "trusts", args, pulumi.Providers(rnd, cmd))
		if err != nil {
			return err
		}
		ctx.Export("trusts", t.Keys)
		ctx.Export("trustRegistrations", t.Registrations)
		if res != nil {
			res.keysSecret = pulumi.IsSecret(t.Keys)
			res.registrationsOpen = !pulumi.IsSecret(t.Registrations)
			t.Keys.ApplyT(func(m map[string]any) map[string]any {
				res.mu.Lock()
				defer res.mu.Unlock()
				res.keys = m
				return m
			})
			t.Registrations.ApplyT(func(m map[string]any) map[string]any {
				res.mu.Lock()
				defer res.mu.Unlock()
				res.regs = m
				return m
			})
		}
		return nil
	}
}

func baseArgs(ts []trusts.Trust) trusts.Args {
	return trusts.Args{
		Trusts:            ts,
		Region:            "eu-west-2",
		HubInstanceID:     pulumi.String("i-0123456789abcdef0"),
		DBAddress:         pulumi.String("flip-stag.cplan.eu-west-2.rds.amazonaws.com"),
		DBPort:            pulumi.Int(5432),
		DBName:            pulumi.String("flip"),
		DBMasterSecretARN: pulumi.String("arn:aws:secretsmanager:eu-west-2:111111111111:secret:rds!db-1-AbCdEf"),
		HubctlCommand:     "hubctl",
		Env:               trusts.KitEnvStaging,
	}
}

// someTrusts returns n trusts with distinct codes and names, code t01, t02, …
func someTrusts(n int) []trusts.Trust {
	out := make([]trusts.Trust, n)
	for i := range out {
		out[i] = trusts.Trust{Code: fmt.Sprintf("t%02d", i+1), Name: fmt.Sprintf("Trust %d NHS Foundation Trust", i+1), Region: "London"}
	}
	return out
}

func run(t *testing.T, args trusts.Args, res *result) *plan.Graph {
	t.Helper()
	g, err := plan.Run(plan.Options{Stack: "test", Program: program(args, res), Config: &plan.StackConfig{Values: map[string]string{}}})
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	return g
}

// fakeKeys are the trust's API key and service key as derived from the seed the plan's mocks
// mint (DeriveKeys itself is checked against RFC 5869 in the package's own tests).
func fakeKeys(t *testing.T, code string, rotation int) (apiKey, serviceKey string) {
	t.Helper()
	seed := base64.StdEncoding.EncodeToString(plan.FakeRandomBytes(trusts.KeySeedResourceName, trusts.SeedBytes))
	apiKey, serviceKey, err := trusts.DeriveKeys(seed, code, rotation)
	if err != nil {
		t.Fatal(err)
	}
	return apiKey, serviceKey
}

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func component(t *testing.T, g *plan.Graph) plan.Resource {
	t.Helper()
	cs := g.ByType(trusts.TypeToken)
	if len(cs) != 1 {
		t.Fatalf("%d trusts components; want 1", len(cs))
	}
	return cs[0]
}

func TestGraphPerTrust(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 2, 50} {
		t.Run(fmt.Sprintf("%d trusts", n), func(t *testing.T) {
			t.Parallel()
			ts := someTrusts(n)
			g := run(t, baseArgs(ts), nil)
			comp := component(t, g)
			deploy, ok := g.Get(commandType, "hub-deploy")
			if !ok {
				t.Fatal("no hub-deploy stand-in")
			}
			children := g.Children(comp.URN)
			if len(children) != n+1 {
				t.Fatalf("%d children; want the key seed and one per trust (%d)", len(children), n+1)
			}
			seed, ok := g.Get(bytesType, trusts.KeySeedResourceName)
			switch {
			case !ok || seed.Parent != comp.URN:
				t.Fatalf("key seed: missing or not parented to the component (parent %q)", seed.Parent)
			case seed.Inputs["length"] != float64(32):
				t.Errorf("key seed: length %v; want 32 bytes", seed.Inputs["length"])
			case seed.Inputs["keepers"] != nil:
				t.Errorf("key seed: keepers %v; want none (only a deliberate replacement rotates every key)", seed.Inputs["keepers"])
			case !strings.Contains(seed.Provider, "pulumi:providers:random::random"):
				t.Errorf("key seed: provider %q; want the explicit random provider", seed.Provider)
			}
			var graphJSON bytes.Buffer
			if err := plan.WriteJSON(&graphJSON, g); err != nil {
				t.Fatal(err)
			}
			for _, tr := range ts {
				cmd, ok := g.Get(commandType, tr.Code+"-register")
				if !ok || cmd.Parent != comp.URN {
					t.Fatalf("%s-register: missing or not parented", tr.Code)
				}
				if !strings.Contains(cmd.Provider, "pulumi:providers:command::command") {
					t.Errorf("%s-register: provider %q; want the explicit command provider", tr.Code, cmd.Provider)
				}
				want := map[string]string{
					"create": "hubctl trust register --code " + tr.Code + " --protocol 1",
					"delete": "hubctl trust deregister --code " + tr.Code + " --protocol 1",
				}
				for k, v := range want {
					if cmd.Inputs[k] != v {
						t.Errorf("%s-register %s = %v; want %q", tr.Code, k, cmd.Inputs[k], v)
					}
				}
				if _, ok := cmd.Inputs["update"]; ok {
					t.Errorf("%s-register has an update command; with none, pulumi-command reruns create", tr.Code)
				}
				if !slices.Contains(cmd.Dependencies, deploy.URN) || !slices.Contains(cmd.Dependencies, seed.URN) {
					t.Errorf("%s-register depends on %v; want the hub deploy %s and the key seed", tr.Code, cmd.Dependencies, deploy.URN)
				}
				if _, ok := cmd.Inputs["triggers"]; ok {
					t.Errorf("%s-register has triggers: they replace, and a replace deregisters", tr.Code)
				}
				env, _ := cmd.Inputs["environment"].(map[string]any)
				if env[trusts.EnvAPIKeyHash] != plan.Secret || !slices.Contains(cmd.SecretInputs, "environment") {
					t.Errorf("%s-register: hash masked %v, secret inputs %v; want the hash in the environment as a secret",
						tr.Code, env[trusts.EnvAPIKeyHash] == plan.Secret, cmd.SecretInputs)
				}
				for k, v := range map[string]string{
					trusts.EnvTrustName: tr.Name, trusts.EnvTrustRegion: tr.Region, trusts.EnvDBPort: "5432",
					trusts.EnvDBName: "flip", trusts.EnvInstanceID: "i-0123456789abcdef0", trusts.EnvAWSRegion: "eu-west-2",
					trusts.EnvDSN: "", // a DSN in the caller's shell must not bypass the tunnel
				} {
					if env[k] != v {
						t.Errorf("%s-register environment %s = %v; want %q", tr.Code, k, env[k], v)
					}
				}
				key, svc := fakeKeys(t, tr.Code, tr.Rotation)
				for _, secret := range []string{key, svc, sha(key)} {
					if strings.Contains(graphJSON.String(), secret) {
						t.Errorf("trust %s: a key or the hash appears in the recorded graph", tr.Code)
					}
				}
			}
		})
	}
}

func TestOutputs(t *testing.T) {
	t.Parallel()
	res := &result{}
	ts := []trusts.Trust{
		{Code: "gstt", Name: "Guy's and St Thomas' NHS Foundation Trust", Region: "London"},
		{Code: "uclh", Name: "University College London Hospitals", Region: "London", Rotation: 3},
	}
	run(t, baseArgs(ts), res)
	res.mu.Lock()
	defer res.mu.Unlock()
	if !res.keysSecret {
		t.Error("Keys is not secret")
	}
	if !res.registrationsOpen {
		t.Error("Registrations is secret; it holds no secret and operators read it")
	}
	if got := slices.Sorted(maps.Keys(res.keys)); !slices.Equal(got, []string{"gstt", "uclh"}) {
		t.Fatalf("Keys has codes %v; want [gstt uclh]", got)
	}
	urlSafe43 := regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)
	for _, tr := range ts {
		entry, _ := res.keys[tr.Code].(map[string]any)
		apiKey, _ := entry[trusts.KeyAPIKey].(string)
		svcKey, _ := entry[trusts.KeyInternalServiceKey].(string)
		if wantAPI, wantSvc := fakeKeys(t, tr.Code, tr.Rotation); apiKey != wantAPI || svcKey != wantSvc {
			t.Errorf("%s: keys are not those derived from the seed for its code and rotation", tr.Code)
		}
		if !urlSafe43.MatchString(apiKey) || !urlSafe43.MatchString(svcKey) || apiKey == svcKey {
			t.Errorf("%s: want two distinct 43-character URL-safe keys (32 bytes)", tr.Code)
		}
		if entry[trusts.KeyAPIKeyHash] != sha(apiKey) {
			t.Errorf("%s: apiKeyHash is not the SHA-256 hex of the API key", tr.Code)
		}
		wantReg := map[string]any{
			trusts.KeyTrustID:    plan.FakeTrustID(tr.Code + "-register"),
			trusts.KeySlotName:   plan.PlannedSlot,
			trusts.KeySlotNumber: 0,
		}
		for k, v := range wantReg {
			if entry[k] != v {
				t.Errorf("%s: Keys %s = %v; want %v (parsed from the register command's stdout)", tr.Code, k, entry[k], v)
			}
		}
		if !reflect.DeepEqual(res.regs[tr.Code], wantReg) {
			t.Errorf("%s: Registrations = %v; want %v", tr.Code, res.regs[tr.Code], wantReg)
		}
	}
}

// diff compares two graphs by URN: what only a has, what only b has, and the URNs in both whose
// recorded registration (inputs, dependencies, options) differs.
func diff(t *testing.T, a, b *plan.Graph) (onlyA, onlyB, changed []string) {
	t.Helper()
	index := func(g *plan.Graph) map[string]string {
		m := map[string]string{}
		for _, r := range g.Resources {
			var buf bytes.Buffer
			if err := plan.WriteJSON(&buf, &plan.Graph{Resources: []plan.Resource{r}}); err != nil {
				t.Fatal(err)
			}
			m[r.URN] = buf.String()
		}
		return m
	}
	ia, ib := index(a), index(b)
	for u, ra := range ia {
		rb, ok := ib[u]
		switch {
		case !ok:
			onlyA = append(onlyA, u)
		case ra != rb:
			changed = append(changed, u)
		}
	}
	for u := range ib {
		if _, ok := ia[u]; !ok {
			onlyB = append(onlyB, u)
		}
	}
	slices.Sort(onlyA)
	slices.Sort(onlyB)
	slices.Sort(changed)
	return onlyA, onlyB, changed
}

// resourcesOf are the URNs of one trust's resources in a graph made by program.
func resourcesOf(code string) []string {
	prefix := "urn:pulumi:test::flip-hub::" + trusts.TypeToken + "$"
	return []string{prefix + commandType + "::" + code + "-register"}
}

func TestAddingOrRemovingATrustTouchesOnlyItsResources(t *testing.T) {
	t.Parallel()
	all := someTrusts(5)
	cases := []struct {
		name          string
		before, after []trusts.Trust
		added         []string
		removed       []string
	}{
		{"add to none", nil, all[:1], resourcesOf("t01"), nil},
		{"append", all[:4], all, resourcesOf("t05"), nil},
		{"insert in the middle", slices.Concat(all[:2], all[3:]), all, resourcesOf("t03"), nil},
		{"remove the first", all, all[1:], nil, resourcesOf("t01")},
		{"remove from the middle", all, slices.Concat(all[:2], all[3:]), nil, resourcesOf("t03")},
		{"remove the last", all, all[:4], nil, resourcesOf("t05")},
		{"remove all", all[:2], nil, nil, slices.Concat(resourcesOf("t01"), resourcesOf("t02"))},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			before, after := run(t, baseArgs(tc.before), nil), run(t, baseArgs(tc.after), nil)
			removed, added, changed := diff(t, before, after)
			slices.Sort(tc.added)
			slices.Sort(tc.removed)
			if !slices.Equal(added, tc.added) {
				t.Errorf("added %v; want %v", added, tc.added)
			}
			if !slices.Equal(removed, tc.removed) {
				t.Errorf("removed %v; want %v", removed, tc.removed)
			}
			if len(changed) != 0 {
				t.Errorf("resources of other trusts changed: %v", changed)
			}
		})
	}
}

// TestRotationChangesOnlyThatTrustsKeys: bumping one trust's rotation gives it new keys (and so a
// new hash in its register command's secret environment, an update the engine suite runs) and
// leaves every other trust's keys and every resource as they were.
func TestRotationChangesOnlyThatTrustsKeys(t *testing.T) {
	t.Parallel()
	ts := someTrusts(3)
	resBefore, resAfter := &result{}, &result{}
	before := run(t, baseArgs(ts), resBefore)
	bumped := slices.Clone(ts)
	bumped[1].Rotation = 1
	after := run(t, baseArgs(bumped), resAfter)
	removed, added, changed := diff(t, before, after)
	if len(removed)+len(added)+len(changed) != 0 {
		t.Errorf("a rotation added %v, removed %v and changed %v; want only secret values to differ", added, removed, changed)
	}
	resBefore.mu.Lock()
	defer resBefore.mu.Unlock()
	resAfter.mu.Lock()
	defer resAfter.mu.Unlock()
	for _, tr := range ts {
		was, _ := resBefore.keys[tr.Code].(map[string]any)
		is, _ := resAfter.keys[tr.Code].(map[string]any)
		for _, k := range []string{trusts.KeyAPIKey, trusts.KeyInternalServiceKey, trusts.KeyAPIKeyHash} {
			if same := was[k] == is[k]; same != (tr.Code != "t02") || was[k] == nil {
				t.Errorf("%s %s unchanged %v after rotating t02; want a change for t02 only", tr.Code, k, same)
			}
		}
	}
	if wantAPI, _ := fakeKeys(t, "t02", 1); resAfter.keys["t02"].(map[string]any)[trusts.KeyAPIKey] != wantAPI {
		t.Error("t02's rotated API key is not the one derived for rotation 1")
	}
}

func TestForceDeregister(t *testing.T) {
	t.Parallel()
	args := baseArgs(someTrusts(1))
	args.ForceDeregister = true
	g := run(t, args, nil)
	cmd, _ := g.Get(commandType, "t01-register")
	if cmd.Inputs["delete"] != "hubctl trust deregister --code t01 --force --protocol 1" {
		t.Errorf("delete = %v; want the forced deregistration", cmd.Inputs["delete"])
	}
}

func TestArgsValidation(t *testing.T) {
	t.Parallel()
	gstt := trusts.Trust{Code: "gstt", Name: "Guy's and St Thomas'", Region: "London"}
	cases := []struct {
		name   string
		mutate func(a *trusts.Args)
		want   string // "" when valid
	}{
		{"valid", func(*trusts.Args) {}, ""},
		{"no trusts needs no hub inputs", func(a *trusts.Args) {
			*a = trusts.Args{HubctlCommand: "hubctl", Env: trusts.KitEnvProduction}
		}, ""},
		{"bad code", func(a *trusts.Args) { a.Trusts[0].Code = "G STT" }, `code "G STT"`},
		{"code that leaves the kit directory", func(a *trusts.Args) { a.Trusts[0].Code = "../x" }, `code "../x"`},
		{"duplicate code", func(a *trusts.Args) { a.Trusts = append(a.Trusts, gstt) }, "listed twice"},
		{"duplicate name", func(a *trusts.Args) {
			a.Trusts = append(a.Trusts, trusts.Trust{Code: "other", Name: strings.ToUpper(gstt.Name)})
		}, "already used by trust gstt"},
		{"empty name", func(a *trusts.Args) { a.Trusts[0].Name = "" }, "name"},
		{"name with a newline", func(a *trusts.Args) { a.Trusts[0].Name = "a\nb" }, "control characters"},
		{"negative rotation", func(a *trusts.Args) { a.Trusts[0].Rotation = -1 }, "rotation -1"},
		{"bad env", func(a *trusts.Args) { a.Env = "prod" }, `kit environment "prod"`},
		{"empty hubctl", func(a *trusts.Args) { a.HubctlCommand = "" }, "hubctl command"},
		{"hubctl with a newline", func(a *trusts.Args) { a.HubctlCommand = "hubctl\nrm -rf /" }, "hubctl command"},
		{"no region", func(a *trusts.Args) { a.Region = "" }, "hub region"},
		{"no instance", func(a *trusts.Args) { a.HubInstanceID = nil }, "instance id"},
		{"no db secret", func(a *trusts.Args) { a.DBMasterSecretARN = nil }, "master secret"},
		{"no hub deploy", func(a *trusts.Args) { a.DependsOn = nil }, "hub deploy"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			args := baseArgs([]trusts.Trust{gstt})
			tc.mutate(&args)
			// Unlike program, this one adds no dependency: the case decides.
			err := pulumi.RunErr(func(ctx *pulumi.Context) error {
				if tc.name != "no hub deploy" && len(args.Trusts) > 0 {
					deploy, err := local.NewCommand(ctx, "hub-deploy", &local.CommandArgs{Create: pulumi.String("true")})
					if err != nil {
						return err
					}
					args.DependsOn = []pulumi.Resource{deploy}
				}
				_, err := trusts.New(ctx, "trusts", args)
				return err
			}, pulumi.WithMocks("flip-hub", "test", &plan.Recorder{}))
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("New() = %v; want no error", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("New() = %v; want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestHubDeployedOrdersTheRegistrations(t *testing.T) {
	t.Parallel()
	args := baseArgs(someTrusts(2))
	prog := func(ctx *pulumi.Context) error {
		deploy, err := local.NewCommand(ctx, "hub-deploy", &local.CommandArgs{Create: pulumi.String("hubctl host run")})
		if err != nil {
			return err
		}
		// Only an output of the deploy: no resource to depend on.
		args.HubDeployed = deploy.Stdout
		_, err = trusts.New(ctx, "trusts", args)
		return err
	}
	g, err := plan.Run(plan.Options{Stack: "test", Program: prog, Config: &plan.StackConfig{Values: map[string]string{}}})
	if err != nil {
		t.Fatal(err)
	}
	deploy, _ := g.Get(commandType, "hub-deploy")
	for _, tr := range someTrusts(2) {
		cmd, _ := g.Get(commandType, tr.Code+"-register")
		if !slices.Contains(cmd.Dependencies, deploy.URN) {
			t.Errorf("%s-register depends on %v; want the deploy behind HubDeployed", tr.Code, cmd.Dependencies)
		}
		env, _ := cmd.Inputs["environment"].(map[string]any)
		for k, v := range env {
			if s, _ := v.(string); strings.Contains(s, "host run") || strings.Contains(k, "DEPLOY") {
				t.Errorf("%s-register takes the deploy's output as an input (%s): every deploy would re-register", tr.Code, k)
			}
		}
	}
}
