package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	pconfig "github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

// Keys of the stack config. Object-valued keys hold the fields of the raw* types.
const (
	KeyEnvironment       = Project + ":environment"
	KeyRegion            = "aws:region"
	KeyAllowedAccountIDs = "aws:allowedAccountIds"
	KeyLogRetentionDays  = Project + ":logRetentionDays"
	KeyNetwork           = Project + ":network"
	KeyDatabase          = Project + ":database"
	KeyHost              = Project + ":host"
	KeyEdge              = Project + ":edge"
	KeyIdentity          = Project + ":identity"
	KeyFL                = Project + ":fl"
	KeyImages            = Project + ":images"
	KeyTrusts            = Project + ":trusts"
	KeyImports           = Project + ":imports"

	KeyFlipAPIAESKey             = Project + ":flipApiAesKey"
	KeyFlipAPIInternalServiceKey = Project + ":flipApiInternalServiceKey"
	KeyRegistryToken             = Project + ":registryToken"
)

// secretKeys are read only as secrets and never quoted in an error.
var secretKeys = []string{KeyFlipAPIAESKey, KeyFlipAPIInternalServiceKey, KeyRegistryToken}

// Source gives the raw string value of a config key and whether it is set. Object and
// array values are JSON, as Pulumi hands them to a program.
type Source interface {
	Get(key string) (string, bool)
}

// MapSource is a Source over a plain map, for tests and offline tools.
type MapSource map[string]string

// Get implements Source.
func (m MapSource) Get(key string) (string, bool) {
	v, ok := m[key]
	return v, ok
}

type ctxSource struct{ ctx *pulumi.Context }

func (s ctxSource) Get(key string) (string, bool) {
	for _, k := range secretKeys {
		if k == key {
			// Read for validation only; the value reaches resources through TrySecret.
			return s.ctx.GetConfig(key)
		}
	}
	v, err := pconfig.Try(s.ctx, key)
	if err != nil {
		return "", false
	}
	return v, true
}

// Load reads and validates the config of the running stack. It returns an Errors value
// naming every offending key, before any resource exists.
func Load(ctx *pulumi.Context) (*Config, error) {
	cfg, err := Parse(ctx.Stack(), ctxSource{ctx})
	if err != nil {
		return nil, err
	}
	for key, dst := range map[string]**pulumi.StringOutput{
		KeyFlipAPIAESKey:             &cfg.Secrets.FlipAPIAESKey,
		KeyFlipAPIInternalServiceKey: &cfg.Secrets.FlipAPIInternalServiceKey,
		KeyRegistryToken:             &cfg.Secrets.RegistryToken,
	} {
		v, err := pconfig.TrySecret(ctx, key)
		if errors.Is(err, pconfig.ErrMissingVar) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		*dst = &v
	}
	return cfg, nil
}

// Parse builds and validates a Config from raw values. Secret values are checked for
// shape but not kept: Load attaches them as Pulumi secrets.
func Parse(stack string, src Source) (*Config, error) {
	p := &problems{}
	cfg := &Config{Stack: stack}

	env, ok := src.Get(KeyEnvironment)
	switch {
	case !ok || strings.TrimSpace(env) == "":
		p.add(KeyEnvironment, "not set; want stag or prod")
	case Environment(env) == Stag || Environment(env) == Prod:
		cfg.Environment = Environment(env)
	default:
		p.add(KeyEnvironment, "%q is not an environment; want stag or prod", env)
	}
	// Defaults depend on the environment; an unknown one falls back to prod's strict
	// defaults so that the remaining checks still run and report everything at once.
	d := defaultsFor(cfg.Environment)

	parseRegion(p, cfg, src)
	parseAccounts(p, cfg, src)
	parseLogRetention(p, cfg, src, d)
	cfg.ProtectPersistent = d.protect
	cfg.KMSDeletionWindowDays = d.kmsDeletionWindow

	var (
		rn  rawNetwork
		rd  rawDatabase
		rh  rawHost
		re  rawEdge
		ri  rawIdentity
		rf  rawFL
		rim rawImages
		rt  []rawTrust
	)
	decodeObject(p, src, KeyNetwork, &rn, true)
	decodeObject(p, src, KeyDatabase, &rd, false)
	decodeObject(p, src, KeyHost, &rh, false)
	decodeObject(p, src, KeyEdge, &re, true)
	decodeObject(p, src, KeyIdentity, &ri, true)
	decodeObject(p, src, KeyFL, &rf, false)
	decodeObject(p, src, KeyImages, &rim, true)
	decodeObject(p, src, KeyTrusts, &rt, false)
	imports := map[string]string{}
	decodeObject(p, src, KeyImports, &imports, false)

	cfg.Network = parseNetwork(p, rn, cfg.Region, d)
	cfg.Database = parseDatabase(p, rd, d)
	cfg.Host = parseHost(p, rh, d)
	cfg.Edge = parseEdge(p, re, d)
	cfg.Identity = parseIdentity(p, ri, d)
	cfg.Images = parseImages(p, rim)
	cfg.Trusts = parseTrusts(p, rt)
	cfg.FL = parseFL(p, rf, len(cfg.Trusts))
	cfg.Imports = parseImports(p, imports)
	parseSecrets(p, src)
	// Adopting the FLIP_API secret without its values would mint new keys and write them as the
	// secret's current version: every trust's AES key would stop working. Refuse it.
	if cfg.Imports[ImportFlipAPISecret] != "" {
		_, hasAES := src.Get(KeyFlipAPIAESKey)
		_, hasISK := src.Get(KeyFlipAPIInternalServiceKey)
		if !hasAES || !hasISK {
			p.add(KeyImports+".flipApiSecret", "adopts the existing FLIP_API secret but %s and %s are not both set; "+
				"set both (pulumi config set --secret) to the secret's aes_key and internal_service_key, or the up would replace the hub's keys",
				KeyFlipAPIAESKey, KeyFlipAPIInternalServiceKey)
		}
	}

	if err := p.err(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// decodeObject decodes a JSON-valued key strictly: unknown fields are refused, so a
// misspelt key is an error rather than a silently ignored setting.
func decodeObject(p *problems, src Source, key string, dst any, required bool) {
	raw, ok := src.Get(key)
	if !ok || strings.TrimSpace(raw) == "" {
		if required {
			p.add(key, "not set; see the config reference in README.md for its fields")
		}
		return
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		p.add(key, "cannot be read (%s); want %s", describeJSONError(err), shapeOf(dst))
		return
	}
	if dec.More() {
		p.add(key, "has trailing content; want a single %s", shapeOf(dst))
	}
}

func describeJSONError(err error) string {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		if typeErr.Field != "" {
			return fmt.Sprintf("field %q holds a %s where a %s belongs", typeErr.Field, typeErr.Value, typeErr.Type)
		}
		return fmt.Sprintf("a %s where a %s belongs", typeErr.Value, typeErr.Type)
	}
	msg := err.Error()
	if strings.HasPrefix(msg, "json: unknown field ") {
		return "unknown field " + strings.TrimPrefix(msg, "json: unknown field ")
	}
	return strings.TrimPrefix(msg, "json: ")
}

func shapeOf(dst any) string {
	switch dst.(type) {
	case *[]rawTrust:
		return "a list of trusts ({code, name, region, egressCidrs, rotation, hosting})"
	case *map[string]string:
		return "a map of resource keys to existing resource IDs"
	default:
		return "an object with the documented fields"
	}
}
