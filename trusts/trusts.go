package trusts

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/pulumi/pulumi-command/sdk/go/command/local"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/internal/flip"
)

// TypeToken is the trusts layer's Pulumi type.
const TypeToken = "flip:trusts:Trusts"

// Kit environments (the word in trust/.env.<code>.<env>).
const (
	KitEnvStaging    = "stag"
	KitEnvProduction = "production"
)

// Trust is one partner trust, as decided by config.
type Trust struct {
	// Code is the trust's stable identity: 2–32 lower-case letters, digits and inner hyphens. It names
	// every resource of the trust and its kit file.
	Code   string
	Name   string
	Region string
	// Rotation is a counter bumped on purpose to derive new keys for the trust (both of them).
	Rotation int
}

// Args configures the trusts layer: plain values decided by the caller and upstream outputs.
type Args struct {
	Trusts []Trust
	// Region is the hub's AWS region, where hubctl finds the hub host and the DB secret.
	Region string
	// HubInstanceID is the hub host that the SSM port-forwarding session goes through.
	HubInstanceID pulumi.StringInput
	// DBAddress, DBPort and DBName locate the RDS instance behind the hub host.
	DBAddress pulumi.StringInput
	DBPort    pulumi.IntInput
	DBName    pulumi.StringInput
	// DBMasterSecretARN is the RDS-managed master secret hubctl reads the password from.
	DBMasterSecretARN pulumi.StringInput
	// HubctlCommand is how the register commands invoke hubctl, e.g. "hubctl". It is a trusted
	// command prefix (never a value from config) and is run by /bin/sh.
	HubctlCommand string
	// DependsOn is what must exist before any trust is registered: the hub deploy, after which
	// flip-api has created its tables and seeded the FL kit slot pool.
	DependsOn []pulumi.Resource
	// HubDeployed is an output of the hub deploy (such as its SSM command id). The commands wait
	// for it and depend on the resources behind it, without taking its value as an input. It
	// makes the ordering hold when DependsOn can only name the component the deploy lives in:
	// the Go SDK expands a component to the children it has registered so far, and a child's
	// registration runs asynchronously, so the deploy command can be missed.
	HubDeployed pulumi.StringInput
	// ForceDeregister makes a removed trust's deregistration also delete the rows of other tables
	// that still reference it (projects, tasks, metrics). Without it such a trust is refused and
	// the update fails, leaving the trust registered, for an operator to decide.
	ForceDeregister bool
	// Env is the kit environment word: "stag" or "production".
	Env string
}

// Trusts is the trusts layer component.
type Trusts struct {
	pulumi.ResourceState

	// Keys (secret) maps each trust code to its kit values: apiKey, internalServiceKey, apiKeyHash,
	// trustId, slotName and slotNumber (see the Key constants). trustId and the slot are empty
	// until the register command has run.
	Keys pulumi.MapOutput
	// Registrations maps each trust code to its trustId, slotName and slotNumber: no secret, so
	// operators can read it from the stack outputs.
	Registrations pulumi.MapOutput
	// KitFiles maps each trust code to the name of its kit file, e.g. ".env.gstt.stag".
	KitFiles pulumi.StringMapOutput
}

func (a Args) validate() error {
	if a.Env != KitEnvStaging && a.Env != KitEnvProduction {
		return fmt.Errorf("kit environment %q; want %q or %q", a.Env, KitEnvStaging, KitEnvProduction)
	}
	if a.HubctlCommand == "" || strings.TrimSpace(a.HubctlCommand) != a.HubctlCommand ||
		strings.ContainsFunc(a.HubctlCommand, unicode.IsControl) {
		return fmt.Errorf("hubctl command %q; want a command such as hubctl, without control characters or padding", a.HubctlCommand)
	}
	codes := map[string]bool{}
	names := map[string]string{}
	for i, t := range a.Trusts {
		switch {
		case !flip.ValidTrustCode(t.Code):
			return fmt.Errorf("trusts[%d]: code %q; want %s", i, t.Code, flip.TrustCodeRule)
		case codes[t.Code]:
			return fmt.Errorf("trusts[%d]: code %q is listed twice", i, t.Code)
		case t.Name == "" || strings.TrimSpace(t.Name) != t.Name || strings.ContainsFunc(t.Name, unicode.IsControl):
			return fmt.Errorf("trust %s: name %q; want the trust's name, without control characters or padding", t.Code, t.Name)
		case strings.TrimSpace(t.Region) != t.Region || strings.ContainsFunc(t.Region, unicode.IsControl):
			return fmt.Errorf("trust %s: region %q has control characters or padding", t.Code, t.Region)
		case t.Rotation < 0:
			return fmt.Errorf("trust %s: rotation %d is negative", t.Code, t.Rotation)
		}
		folded := strings.ToLower(t.Name)
		if other, dup := names[folded]; dup {
			return fmt.Errorf("trust %s: name %q is already used by trust %s", t.Code, t.Name, other)
		}
		codes[t.Code] = true
		names[folded] = t.Code
	}
	if len(a.Trusts) == 0 {
		return nil
	}
	switch {
	case a.Region == "":
		return fmt.Errorf("want the hub region")
	case a.HubInstanceID == nil:
		return fmt.Errorf("want the hub instance id (the SSM target)")
	case a.DBAddress == nil || a.DBPort == nil || a.DBName == nil || a.DBMasterSecretARN == nil:
		return fmt.Errorf("want the database address, port, name and master secret")
	case len(a.DependsOn) == 0 && a.HubDeployed == nil:
		// Registering before flip-api has created its tables fails with "schema missing"; the
		// ordering is part of the contract, so it is required rather than hoped for.
		return fmt.Errorf("want the hub deploy to depend on: trusts are registered in tables flip-api creates")
	}
	return nil
}

// RegisterResourceName is the name of a trust's register command.
func RegisterResourceName(code string) string { return code + "-register" }

// New builds the trusts layer: the trusts' key seed, and per trust its registration.
//
// The seed is one RandomBytes from pulumi-random; each trust's two keys are derived from it
// (DeriveKeys: HKDF-SHA256 bound to the trust's code and rotation), 32 bytes each, URL-safe
// base64. A trust therefore costs one resource, not two: every update of a hub with many trusts
// writes its whole state once per step on a file or S3 backend. The registration is a
// local.Command running `hubctl trust register` (`hubctl trust deregister` when the trust leaves
// the config); the API key's SHA-256 hex digest reaches it through the command's secret
// environment. Every resource of a trust is named after its code, so adding a trust adds only its
// resources and removing one deletes only its own; the plaintext keys never leave encrypted state
// and the kit files.
func New(ctx *pulumi.Context, name string, args Args, opts ...pulumi.ResourceOption) (*Trusts, error) {
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("trusts %s: %w", name, err)
	}
	c := &Trusts{}
	if err := ctx.RegisterComponentResource(TypeToken, name, c, opts...); err != nil {
		return nil, fmt.Errorf("trusts %s: %w", name, err)
	}
	parent := pulumi.Parent(c)

	// The seed has no keepers: nothing but a deliberate replacement (pulumi up --replace) changes
	// it, and that rotates every trust's keys at once.
	seed, err := random.NewRandomBytes(ctx, KeySeedResourceName, &random.RandomBytesArgs{
		Length: pulumi.Int(SeedBytes),
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("trust key seed: %w", err)
	}

	keys := pulumi.Map{}
	regs := pulumi.Map{}
	kitFiles := pulumi.StringMap{}
	for _, t := range args.Trusts {
		tr, err := newTrust(ctx, t, args, seed, parent)
		if err != nil {
			return nil, fmt.Errorf("trust %s: %w", t.Code, err)
		}
		keys[t.Code] = pulumi.Map{
			KeyAPIKey:             tr.apiKey,
			KeyInternalServiceKey: tr.serviceKey,
			KeyAPIKeyHash:         tr.hash,
			KeyTrustID:            tr.trustID,
			KeySlotName:           tr.slotName,
			KeySlotNumber:         tr.slotNumber,
		}
		// The registration holds no secret, but the command's stdout inherits the secrecy of its
		// environment (the hash); unsecret it so operators can read trust ids and slots.
		regs[t.Code] = pulumi.Map{
			KeyTrustID:    pulumi.Unsecret(tr.trustID),
			KeySlotName:   pulumi.Unsecret(tr.slotName),
			KeySlotNumber: pulumi.Unsecret(tr.slotNumber),
		}
		kitFiles[t.Code] = pulumi.String(".env." + t.Code + "." + args.Env)
	}
	c.Keys = pulumi.ToSecret(keys.ToMapOutput()).(pulumi.MapOutput)
	c.Registrations = regs.ToMapOutput()
	c.KitFiles = kitFiles.ToStringMapOutput()

	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{
		"keys":          c.Keys,
		"registrations": c.Registrations,
		"kitFiles":      c.KitFiles,
	}); err != nil {
		return nil, fmt.Errorf("trusts outputs: %w", err)
	}
	return c, nil
}

// trust is one trust's outputs.
type trust struct {
	apiKey, serviceKey, hash pulumi.StringOutput
	trustID, slotName        pulumi.StringOutput
	slotNumber               pulumi.IntOutput
}

func newTrust(ctx *pulumi.Context, t Trust, args Args, seed *random.RandomBytes, parent pulumi.ResourceOption) (*trust, error) {
	// The rotation counter is the only other input of the derivation: bumping it mints new keys;
	// nothing else (name, region, the hub's resources) ever does.
	pair := seed.Base64.ApplyT(func(b string) ([]string, error) {
		api, svc, err := DeriveKeys(b, t.Code, t.Rotation)
		return []string{api, svc}, err
	}).(pulumi.StringArrayOutput)
	// The provider marks Base64 secret, and an apply keeps it so; ToSecret states it, so no
	// refactor can lose it.
	apiKey := pulumi.ToSecret(pair.Index(pulumi.Int(0))).(pulumi.StringOutput)
	serviceKey := pulumi.ToSecret(pair.Index(pulumi.Int(1))).(pulumi.StringOutput)
	// The hash is not the key, but it is what the hub authenticates against and it would let anyone
	// holding it test guesses offline: treated as a secret like the key.
	hash := pulumi.ToSecret(apiKey.ApplyT(flip.KeyHash)).(pulumi.StringOutput)

	port := args.DBPort.ToIntOutput().ApplyT(strconv.Itoa).(pulumi.StringOutput)
	ordering := []pulumi.ResourceOption{pulumi.DependsOn(args.DependsOn)}
	if args.HubDeployed != nil {
		// An output carrying no resource of its own: awaiting it adds the resources it came from.
		deployed := args.HubDeployed.ToStringOutput().ApplyT(func(string) []pulumi.Resource { return nil }).(pulumi.ResourceArrayOutput)
		ordering = append(ordering, pulumi.DependsOnInputs(deployed))
	}
	register := RegisterCommand(args.HubctlCommand, t.Code)
	cmd, err := local.NewCommand(ctx, RegisterResourceName(t.Code), &local.CommandArgs{
		// Create registers, and with no Update command pulumi-command runs Create again on an
		// update (registration is idempotent: a new hash rotates it, a new name or region updates
		// the row, nothing else is touched); Delete deregisters.
		Create: pulumi.String(register),
		Delete: pulumi.String(DeregisterCommand(args.HubctlCommand, t.Code, args.ForceDeregister)),
		// Everything that can change lives here rather than in Triggers: the Go SDK makes
		// triggers[*] replace-on-change, and a replacement would run the new Create and then the
		// old Delete, deregistering the trust it had just registered. A change here is an update,
		// which reruns the idempotent register. The map is secret-aware: the hash stays encrypted
		// in state and masked in diffs, while the other values show.
		Environment: pulumi.StringMap{
			EnvAPIKeyHash:  hash,
			EnvTrustName:   pulumi.String(t.Name),
			EnvTrustRegion: pulumi.String(t.Region),
			EnvInstanceID:  args.HubInstanceID,
			EnvDBHost:      args.DBAddress,
			EnvDBPort:      port,
			EnvDBName:      args.DBName,
			EnvDBSecretARN: args.DBMasterSecretARN,
			EnvAWSRegion:   pulumi.String(args.Region),
			EnvDSN:         pulumi.String(""),
		},
		// The previous stdout is a registration, of no use to the next run.
		AddPreviousOutputInEnv: pulumi.Bool(false),
	},
		append(ordering,
			parent,
			// Should a replacement ever happen (pulumi up --replace, a provider change), deregister
			// first and register afresh, rather than register and then deregister the same code.
			pulumi.DeleteBeforeReplace(true),
		)...,
	)
	if err != nil {
		return nil, fmt.Errorf("register command: %w", err)
	}

	// Each field parses the stdout again: cheap, and it keeps every output a typed output.
	field := func(get func(Registration) string) pulumi.StringOutput {
		return cmd.Stdout.ApplyT(func(out string) (string, error) {
			r, err := ParseRegistration(out)
			return get(r), err
		}).(pulumi.StringOutput)
	}
	return &trust{
		apiKey:     apiKey,
		serviceKey: serviceKey,
		hash:       hash,
		trustID:    field(func(r Registration) string { return r.TrustID }),
		slotName:   field(func(r Registration) string { return r.SlotName }),
		slotNumber: cmd.Stdout.ApplyT(func(out string) (int, error) {
			r, err := ParseRegistration(out)
			return r.SlotNumber, err
		}).(pulumi.IntOutput),
	}, nil
}
