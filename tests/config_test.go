package tests

import (
	"slices"
	"strings"
	"testing"

	"github.com/londonaicentre/flip-hub/config"
	"github.com/londonaicentre/flip-hub/internal/plan"
)

type mutation func(tb testing.TB, c plan.StackConfig)

func set(key, value string) mutation {
	return func(_ testing.TB, c plan.StackConfig) { c.Values[key] = value }
}

func unset(key string) mutation {
	return func(_ testing.TB, c plan.StackConfig) { delete(c.Values, key) }
}

func field(key, name string, value any) mutation {
	return func(tb testing.TB, c plan.StackConfig) { SetField(tb, c, key, name, value) }
}

func trustField(i int, name string, value any) mutation {
	return func(tb testing.TB, c plan.StackConfig) {
		EditTrusts(tb, c, func(ts []map[string]any) []map[string]any {
			ts[i][name] = value
			return ts
		})
	}
}

func secret(key, value string) mutation {
	return func(_ testing.TB, c plan.StackConfig) {
		c.Values[key] = value
		c.SecretKeys = append(c.SecretKeys, key)
	}
}

// TestConfigRejected proves that bad config fails the program before any resource is
// registered, with an error that names the key and says what a valid value looks like.
func TestConfigRejected(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		stack   string
		mutate  mutation
		wantKey string
	}{
		{"unknown environment", "stag", set(config.KeyEnvironment, "dev"), config.KeyEnvironment},
		{"missing environment", "stag", unset(config.KeyEnvironment), config.KeyEnvironment},
		{"missing region", "stag", unset(config.KeyRegion), config.KeyRegion},
		{"region given as a zone", "stag", set(config.KeyRegion, "eu-west-2a"), config.KeyRegion},
		{"region malformed", "prod", set(config.KeyRegion, "London"), config.KeyRegion},
		{"account id malformed", "stag", set(config.KeyAllowedAccountIDs, `["1234"]`), config.KeyAllowedAccountIDs + "[0]"},
		{"vpc cidr unparsable", "stag", field(config.KeyNetwork, "cidr", "10.20.0/16"), "flip-hub:network.cidr"},
		{"vpc cidr host bits", "stag", field(config.KeyNetwork, "cidr", "10.20.0.1/16"), "flip-hub:network.cidr"},
		{"vpc cidr too large", "prod", field(config.KeyNetwork, "cidr", "10.0.0.0/8"), "flip-hub:network.cidr"},
		{"vpc cidr too small", "stag", field(config.KeyNetwork, "cidr", "10.20.0.0/25"), "flip-hub:network.cidr"},
		{"vpc cidr public", "stag", field(config.KeyNetwork, "cidr", "8.8.0.0/16"), "flip-hub:network.cidr"},
		{"vpc cidr straddles private space", "stag", field(config.KeyNetwork, "cidr", "172.0.0.0/11"), "flip-hub:network.cidr"},
		{"vpc cidr over the hub container network", "prod", field(config.KeyNetwork, "cidr", "192.168.250.0/24"), "flip-hub:network.cidr"},
		{"vpc cidr holding the hub container network", "stag", field(config.KeyNetwork, "cidr", "192.168.0.0/16"), "flip-hub:network.cidr"},
		{"one zone", "stag", field(config.KeyNetwork, "availabilityZones", []string{"eu-west-2a"}), "flip-hub:network.availabilityZones"},
		{"duplicate zones", "prod", field(config.KeyNetwork, "availabilityZones", []string{"eu-west-2a", "eu-west-2a"}), "flip-hub:network.availabilityZones[1]"},
		{"zone of another region", "stag", field(config.KeyNetwork, "availabilityZones", []string{"eu-west-2a", "us-east-1b"}), "flip-hub:network.availabilityZones[1]"},
		{"prod with a shared nat", "prod", field(config.KeyNetwork, "natGateways", 1), "flip-hub:network.natGateways"},
		{"unknown network field", "stag", field(config.KeyNetwork, "cidrr", "10.0.0.0/16"), config.KeyNetwork},
		{"domain malformed", "stag", field(config.KeyEdge, "domain", "Stag_Flip"), "flip-hub:edge.domain"},
		{"domain single label", "prod", field(config.KeyEdge, "domain", "localhost"), "flip-hub:edge.domain"},
		{"zone does not hold domain", "stag", field(config.KeyEdge, "zoneName", "example.org"), "flip-hub:edge.zoneName"},
		{"prod waf in count mode", "prod", field(config.KeyEdge, "waf", "count"), "flip-hub:edge.waf"},
		{"prod load balancers unprotected", "prod", field(config.KeyEdge, "deletionProtection", false), "flip-hub:edge.deletionProtection"},
		{"trust code path traversal", "stag", trustField(0, "code", "../x"), "flip-hub:trusts[0].code"},
		{"trust code slash", "stag", trustField(0, "code", "a/b"), "flip-hub:trusts[0].code"},
		{"trust code with a dot", "prod", trustField(1, "code", "G.STT"), "flip-hub:trusts[1].code"},
		{"trust code space", "stag", trustField(0, "code", "g stt"), "flip-hub:trusts[0].code"},
		{"trust code empty", "stag", trustField(0, "code", ""), "flip-hub:trusts[0].code"},
		{"trust code with a slash", "stag", trustField(0, "code", "gs/tt"), "flip-hub:trusts[0].code"},
		{"trust code of 65 characters", "stag", trustField(0, "code", strings.Repeat("g", 65)), "flip-hub:trusts[0].code"},
		{"duplicate trust code", "stag", trustField(1, "code", "gstt"), "flip-hub:trusts[1].code"},
		{"duplicate trust name", "prod", trustField(1, "name", "guy's and st thomas' nhs foundation trust"), "flip-hub:trusts[1].name"},
		{"trust cidr open to the world", "stag", trustField(0, "egressCidrs", []string{"0.0.0.0/0"}), "flip-hub:trusts[0].egressCidrs[0]"},
		{"trust cidr malformed", "prod", trustField(1, "egressCidrs", []string{"300.1.1.1/32"}), "flip-hub:trusts[1].egressCidrs[0]"},
		{"trust without cidrs", "stag", trustField(0, "egressCidrs", []string{}), "flip-hub:trusts[0].egressCidrs"},
		{"fl port zero", "stag", field(config.KeyFL, "port", 0), "flip-hub:fl.port"},
		{"fl port too high", "stag", field(config.KeyFL, "port", 70000), "flip-hub:fl.port"},
		{"fl port ssh", "prod", field(config.KeyFL, "port", 22), "flip-hub:fl.port"},
		{"fl port rdp", "stag", field(config.KeyFL, "port", 3389), "flip-hub:fl.port"},
		{"fl backend unknown", "stag", field(config.KeyFL, "backend", "tensorflow"), "flip-hub:fl.backend"},
		{"fewer kit slots than trusts", "stag", field(config.KeyFL, "kitSlotNames", []string{"Trust_1"}), "flip-hub:fl.kitSlotNames"},
		{"backup retention zero", "stag", field(config.KeyDatabase, "backupRetentionDays", 0), "flip-hub:database.backupRetentionDays"},
		{"backup retention over 35", "prod", field(config.KeyDatabase, "backupRetentionDays", 36), "flip-hub:database.backupRetentionDays"},
		{"prod backup retention under 14", "prod", field(config.KeyDatabase, "backupRetentionDays", 7), "flip-hub:database.backupRetentionDays"},
		{"prod without deletion protection", "prod", field(config.KeyDatabase, "deletionProtection", false), "flip-hub:database.deletionProtection"},
		{"prod without final snapshot", "prod", field(config.KeyDatabase, "finalSnapshot", false), "flip-hub:database.finalSnapshot"},
		{"prod without multi-az", "prod", field(config.KeyDatabase, "multiAz", false), "flip-hub:database.multiAz"},
		{"prod without enhanced monitoring", "prod", field(config.KeyDatabase, "monitoringIntervalSeconds", 0), "flip-hub:database.monitoringIntervalSeconds"},
		{"database engine too old", "stag", field(config.KeyDatabase, "engineVersion", "11"), "flip-hub:database.engineVersion"},
		{"prod with optional mfa", "prod", field(config.KeyIdentity, "mfa", "optional"), "flip-hub:identity.mfa"},
		{"mfa mode unknown", "stag", field(config.KeyIdentity, "mfa", "off"), "flip-hub:identity.mfa"},
		{"prod threat protection audit", "prod", field(config.KeyIdentity, "threatProtection", "audit"), "flip-hub:identity.threatProtection"},
		{"prod pool unprotected", "prod", field(config.KeyIdentity, "deletionProtection", false), "flip-hub:identity.deletionProtection"},
		{"sender email malformed", "stag", field(config.KeyIdentity, "senderEmail", "noreply"), "flip-hub:identity.senderEmail"},
		{"admin email malformed", "prod", field(config.KeyIdentity, "adminEmail", "admin@"), "flip-hub:identity.adminEmail"},
		{"log retention not accepted by cloudwatch", "stag", set(config.KeyLogRetentionDays, "45"), config.KeyLogRetentionDays},
		{"log retention not a number", "stag", set(config.KeyLogRetentionDays, "a month"), config.KeyLogRetentionDays},
		{"stag log retention under 30", "stag", set(config.KeyLogRetentionDays, "14"), config.KeyLogRetentionDays},
		{"prod log retention under 365", "prod", set(config.KeyLogRetentionDays, "180"), config.KeyLogRetentionDays},
		{"image tag empty", "stag", field(config.KeyImages, "tag", ""), "flip-hub:images.tag"},
		{"fl image tag empty", "prod", field(config.KeyImages, "flTag", nil), "flip-hub:images.flTag"},
		{"image tag latest", "prod", field(config.KeyImages, "tag", "latest"), "flip-hub:images.tag"},
		{"image tag with a space", "stag", field(config.KeyImages, "tag", "sha 123"), "flip-hub:images.tag"},
		{"unknown import", "stag", set(config.KeyImports, `{"database":"flip-db"}`), "flip-hub:imports.database"},
		{"aes key malformed", "stag", secret(config.KeyFlipAPIAESKey, "not-base64-of-32-bytes"), config.KeyFlipAPIAESKey},
		{"aes key without its pair", "stag", secret(config.KeyFlipAPIAESKey, "not-base64-of-32-bytes"), config.KeyFlipAPIInternalServiceKey},
		{"trusts not a list", "stag", set(config.KeyTrusts, `{"code":"gstt"}`), config.KeyTrusts},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g, err := PlanWith(t, tc.stack, tc.mutate)
			errs := ConfigErrors(t, err)
			if !slices.Contains(errs.Keys(), tc.wantKey) {
				t.Fatalf("errors name %v; want %s among them\n%v", errs.Keys(), tc.wantKey, err)
			}
			for _, e := range errs {
				if !strings.Contains(e.Problem, "want") {
					t.Errorf("%s: %q does not say what a valid value looks like", e.Key, e.Problem)
				}
			}
			if g != nil && len(g.Resources) != 0 {
				t.Fatalf("%d resources were registered before the config error; want none (first: %s)", len(g.Resources), g.Resources[0].URN)
			}
		})
	}
}

// TestSecretConfigNeverQuoted checks that a rejected secret value is never echoed.
func TestSecretConfigNeverQuoted(t *testing.T) {
	t.Parallel()
	const leaked = "c2VjcmV0LXZhbHVlLXRoYXQtbXVzdC1ub3QtbGVhaw"
	_, err := PlanWith(t, "stag", func(tb testing.TB, c plan.StackConfig) {
		secret(config.KeyFlipAPIAESKey, leaked)(tb, c)
		secret(config.KeyFlipAPIInternalServiceKey, "short!")(tb, c)
	})
	errs := ConfigErrors(t, err)
	if !slices.Contains(errs.Keys(), config.KeyFlipAPIAESKey) || !slices.Contains(errs.Keys(), config.KeyFlipAPIInternalServiceKey) {
		t.Fatalf("errors name %v; want both secret keys", errs.Keys())
	}
	if strings.Contains(err.Error(), leaked) || strings.Contains(err.Error(), "short!") {
		t.Fatalf("the error quotes a secret value: %v", err)
	}
}

// TestEveryProblemReported checks that one run reports all problems, not just the first.
func TestEveryProblemReported(t *testing.T) {
	t.Parallel()
	_, err := PlanWith(t, "prod", func(tb testing.TB, c plan.StackConfig) {
		field(config.KeyNetwork, "cidr", "8.8.0.0/16")(tb, c)
		field(config.KeyFL, "port", 22)(tb, c)
		trustField(0, "code", "../x")(tb, c)
	})
	errs := ConfigErrors(t, err)
	for _, want := range []string{"flip-hub:network.cidr", "flip-hub:fl.port", "flip-hub:trusts[0].code"} {
		if !slices.Contains(errs.Keys(), want) {
			t.Errorf("errors name %v; want %s", errs.Keys(), want)
		}
	}
}

// TestRealStacksValid checks that both stack files load, with their environment defaults.
func TestRealStacksValid(t *testing.T) {
	t.Parallel()
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			c := Config(t, stack)
			cfg, err := config.Parse(stack, config.MapSource(c.Values))
			if err != nil {
				t.Fatalf("%s config: %v", stack, err)
			}
			if string(cfg.Environment) != stack {
				t.Fatalf("environment %q in Pulumi.%s.yaml", cfg.Environment, stack)
			}
			if cfg.Region != "eu-west-2" {
				t.Fatalf("region %q; want eu-west-2", cfg.Region)
			}
			if len(cfg.Trusts) < 2 {
				t.Fatalf("%d example trusts; want at least 2", len(cfg.Trusts))
			}
			wantDomain := map[string]string{"stag": "stag.flip.aicentre.co.uk", "prod": "app.flip.aicentre.co.uk"}[stack]
			if cfg.Edge.Domain != wantDomain {
				t.Fatalf("domain %q; want %q", cfg.Edge.Domain, wantDomain)
			}
		})
	}
}
