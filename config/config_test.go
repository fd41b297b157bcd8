package config

import (
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// minimal is the smallest valid config of an environment: only required keys.
func minimal(env string) MapSource {
	obj := func(v any) string {
		b, _ := json.Marshal(v) // static fixture values always marshal
		return string(b)
	}
	return MapSource{
		KeyEnvironment:       env,
		KeyRegion:            "eu-west-2",
		KeyAllowedAccountIDs: `["123456789012"]`,
		KeyNetwork:           obj(map[string]any{"cidr": "10.1.0.0/16", "availabilityZones": []string{"eu-west-2a", "eu-west-2b", "eu-west-2c"}}),
		KeyEdge:              obj(map[string]any{"domain": "hub.example.org"}),
		KeyIdentity:          obj(map[string]any{"senderEmail": "noreply@hub.example.org", "adminEmail": "admin@example.org"}),
		KeyFL:                obj(map[string]any{"kitDate": "2025-01-01"}),
		KeyImages:            obj(map[string]any{"tag": "sha-1234567", "flTag": "sha-7654321"}),
	}
}

func TestEnvironmentDefaults(t *testing.T) {
	t.Parallel()
	cases := []struct {
		env   string
		check func(t *testing.T, c *Config)
	}{
		{"stag", func(t *testing.T, c *Config) {
			want := Database{MultiAZ: false, BackupRetentionDays: 7, DeletionProtection: false, FinalSnapshot: false, Protect: false, MonitoringIntervalSeconds: 0}
			got := Database{MultiAZ: c.Database.MultiAZ, BackupRetentionDays: c.Database.BackupRetentionDays, DeletionProtection: c.Database.DeletionProtection, FinalSnapshot: c.Database.FinalSnapshot, Protect: c.Database.Protect, MonitoringIntervalSeconds: c.Database.MonitoringIntervalSeconds}
			if got != want {
				t.Errorf("stag database defaults %+v; want %+v", got, want)
			}
			if c.Network.NATGateways != 1 || c.Edge.DeletionProtection || c.Identity.DeletionProtection || c.Identity.ThreatProtectionEnforced || c.LogRetentionDays != 30 || c.ProtectPersistent || c.KMSDeletionWindowDays != 7 || c.Host.DetailedMonitoring {
				t.Errorf("stag defaults wrong: nat=%d lbProtect=%v poolProtect=%v threat=%v logs=%d protect=%v kms=%d detailed=%v",
					c.Network.NATGateways, c.Edge.DeletionProtection, c.Identity.DeletionProtection, c.Identity.ThreatProtectionEnforced, c.LogRetentionDays, c.ProtectPersistent, c.KMSDeletionWindowDays, c.Host.DetailedMonitoring)
			}
			if c.Environment.KitName() != "stag" {
				t.Errorf("kit name %q", c.Environment.KitName())
			}
		}},
		{"prod", func(t *testing.T, c *Config) {
			if !c.Database.MultiAZ || c.Database.BackupRetentionDays != 14 || !c.Database.DeletionProtection || !c.Database.FinalSnapshot || !c.Database.Protect || c.Database.MonitoringIntervalSeconds != 60 {
				t.Errorf("prod database defaults %+v", c.Database)
			}
			if c.Network.NATGateways != 3 || !c.Edge.DeletionProtection || !c.Identity.DeletionProtection || !c.Identity.ThreatProtectionEnforced || c.LogRetentionDays != 365 || !c.ProtectPersistent || c.KMSDeletionWindowDays != 30 || !c.Host.DetailedMonitoring {
				t.Errorf("prod defaults wrong: %+v", c)
			}
			if c.Environment.KitName() != "production" {
				t.Errorf("kit name %q", c.Environment.KitName())
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.env, func(t *testing.T) {
			t.Parallel()
			c, err := Parse(tc.env, minimal(tc.env))
			if err != nil {
				t.Fatalf("minimal %s config: %v", tc.env, err)
			}
			// Shared defaults.
			if c.Database.Family != "postgres17" || c.Edge.ZoneName != "example.org" || !c.Edge.ManageDNS || c.Identity.MFA != MFAApp ||
				c.FL.Backend != NVFlare || c.FL.Port != 8002 || c.Images.Registry != "ghcr.io/londonaicentre/" || c.Edge.FLSubdomain() != "fl.hub.example.org" {
				t.Errorf("shared defaults wrong: %+v", c)
			}
			if !slices.Equal(c.FL.KitSlotNames, []string{"Trust_1", "Trust_2"}) {
				t.Errorf("default kit slots %v", c.FL.KitSlotNames)
			}
			tc.check(t, c)
		})
	}
}

func TestStagRelaxations(t *testing.T) {
	t.Parallel()
	src := minimal("stag")
	src[KeyEdge] = `{"domain":"hub.example.org","waf":"count"}`
	src[KeyIdentity] = `{"senderEmail":"a@hub.example.org","adminEmail":"b@example.org","mfa":"optional","threatProtection":"audit"}`
	src[KeyFL] = `{"kitDate":"k1","backend":"flower"}`
	c, err := Parse("stag", src)
	if err != nil {
		t.Fatalf("stag relaxations refused: %v", err)
	}
	if c.Edge.WAFBlock || c.Identity.MFA.EnforceEnrolment() || c.Identity.ThreatProtectionEnforced {
		t.Errorf("relaxations not applied: waf block %v, mfa %v, threat %v", c.Edge.WAFBlock, c.Identity.MFA, c.Identity.ThreatProtectionEnforced)
	}
	if c.FL.Port != 9092 {
		t.Errorf("flower default port %d; want 9092", c.FL.Port)
	}
	prod := minimal("prod")
	prod[KeyEdge], prod[KeyIdentity] = src[KeyEdge], src[KeyIdentity]
	_, err = Parse("prod", prod)
	var errs Errors
	if !errors.As(err, &errs) {
		t.Fatalf("prod accepted stag relaxations (err %v)", err)
	}
	for _, k := range []string{"flip-hub:edge.waf", "flip-hub:identity.mfa", "flip-hub:identity.threatProtection"} {
		if !slices.Contains(errs.Keys(), k) {
			t.Errorf("prod errors %v lack %s", errs.Keys(), k)
		}
	}
}

func TestMissingRequiredObjects(t *testing.T) {
	t.Parallel()
	for _, key := range []string{KeyNetwork, KeyEdge, KeyIdentity, KeyImages} {
		t.Run(key, func(t *testing.T) {
			t.Parallel()
			src := minimal("stag")
			delete(src, key)
			_, err := Parse("stag", src)
			var errs Errors
			if !errors.As(err, &errs) || !slices.Contains(errs.Keys(), key) {
				t.Fatalf("missing %s: got %v", key, err)
			}
		})
	}
}

func TestErrorsFormat(t *testing.T) {
	t.Parallel()
	one := Errors{{Key: "k", Problem: "p; want q"}}
	if got := one.Error(); got != "invalid stack config: k: p; want q" {
		t.Fatalf("one error reads %q", got)
	}
	two := Errors{{Key: "a", Problem: "x"}, {Key: "b", Problem: "y"}}
	if got := two.Error(); !strings.Contains(got, "2 problems") || !strings.Contains(got, "a: x") || !strings.Contains(got, "b: y") {
		t.Fatalf("two errors read %q", got)
	}
}

// The slot-name list lives in one SSM parameter: Standard holds 4 KB, Advanced 8 KB.
func TestKitSlotParameterTier(t *testing.T) {
	t.Parallel()
	slots := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = "Trust_" + strconv.Itoa(i+1)
		}
		return out
	}
	cases := []struct {
		name    string
		n       int
		want    string
		wantErr bool
	}{
		{"a few slots", 4, "Standard", false},
		{"340 slots still fit Standard", 340, "Standard", false},
		{"500 slots need Advanced", 500, "Advanced", false},
		{"800 slots exceed Advanced", 800, "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			src := minimal("stag")
			b, _ := json.Marshal(map[string]any{"kitDate": "2025-01-01", "kitSlotNames": slots(c.n)})
			src[KeyFL] = string(b)
			cfg, err := Parse("stag", src)
			if c.wantErr {
				var errs Errors
				if !errors.As(err, &errs) || !slices.Contains(errs.Keys(), KeyFL+".kitSlotNames") || !strings.Contains(err.Error(), "8192") {
					t.Fatalf("%d slots: got %v; want an error on %s.kitSlotNames naming the 8192 limit", c.n, err, KeyFL)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.FL.KitSlotTier != c.want {
				t.Errorf("%d slots: tier %q, want %q", c.n, cfg.FL.KitSlotTier, c.want)
			}
		})
	}
}

// flip-api grants Admin only to the emails of its utils/constants.py; another admin user would
// leave the hub without an admin.
func TestAdminUser(t *testing.T) {
	t.Parallel()
	// The researcher, when asked for, is flip-api's RESEARCHER_EMAIL.
	for researcher, ok := range map[string]bool{"": true, "rafaelagd@gmail.com": true, "someone@kcl.ac.uk": false} {
		src := minimal("stag")
		b, _ := json.Marshal(map[string]any{"senderEmail": "noreply@hub.example.org", "adminEmail": "admin@example.org", "researcherUser": researcher})
		src[KeyIdentity] = string(b)
		cfg, err := Parse("stag", src)
		if ok != (err == nil) || (ok && cfg.Identity.ResearcherUser != researcher) {
			t.Errorf("researcherUser %q: %v, %v; want ok=%v", researcher, cfg, err, ok)
		}
	}
	cases := []struct {
		user, want string
		ok         bool
	}{
		{"", "aicentreflip@gmail.com", true},
		{"rafael.dias@kcl.ac.uk", "rafael.dias@kcl.ac.uk", true},
		{"flip-admin@aicentre.co.uk", "", false},
	}
	for _, c := range cases {
		src := minimal("stag")
		b, _ := json.Marshal(map[string]any{"senderEmail": "noreply@hub.example.org", "adminEmail": "admin@example.org", "adminUser": c.user})
		src[KeyIdentity] = string(b)
		cfg, err := Parse("stag", src)
		if !c.ok {
			var errs Errors
			if !errors.As(err, &errs) || !slices.Contains(errs.Keys(), KeyIdentity+".adminUser") {
				t.Errorf("adminUser %q: err %v; want an error on %s.adminUser", c.user, err, KeyIdentity)
			}
			continue
		}
		if err != nil || cfg.Identity.AdminUser != c.want {
			t.Errorf("adminUser %q: %v, %v; want %q", c.user, cfg, err, c.want)
		}
	}
}

// Adopting the FLIP_API secret without its two values would rotate every trust's AES key.
func TestAdoptedFlipAPISecretNeedsItsValues(t *testing.T) {
	t.Parallel()
	aes := "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
	isk := "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRS"
	cases := []struct {
		name    string
		secrets map[string]string
		ok      bool
	}{
		{"neither value", nil, false},
		{"only the AES key", map[string]string{KeyFlipAPIAESKey: aes}, false},
		{"both values", map[string]string{KeyFlipAPIAESKey: aes, KeyFlipAPIInternalServiceKey: isk}, true},
	}
	for _, c := range cases {
		src := minimal("stag")
		src[KeyImports] = `{"flipApiSecret": "arn:aws:secretsmanager:eu-west-2:123456789012:secret:FLIP_API-AbCdEf"}`
		for k, v := range c.secrets {
			src[k] = v
		}
		_, err := Parse("stag", src)
		var errs Errors
		refused := errors.As(err, &errs) && slices.Contains(errs.Keys(), KeyImports+".flipApiSecret")
		if refused == c.ok {
			t.Errorf("%s: err %v; want refused=%v", c.name, err, !c.ok)
		}
	}
}

// Trusts behind one NAT share an identical egress network; a network overlapping another without
// being it is reported, naming both.
func TestOverlappingEgressNetworks(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		a, b string
		ok   bool
	}{
		{"identical (one NAT)", "203.0.113.16/28", "203.0.113.16/28", true},
		{"disjoint", "203.0.113.16/28", "198.51.100.0/28", true},
		{"one inside the other", "203.0.113.0/24", "203.0.113.16/28", false},
	}
	for _, c := range cases {
		src := minimal("stag")
		b, _ := json.Marshal([]map[string]any{
			{"code": "a", "name": "A", "region": "London", "egressCidrs": []string{c.a}},
			{"code": "b", "name": "B", "region": "London", "egressCidrs": []string{c.b}},
		})
		src[KeyTrusts] = string(b)
		_, err := Parse("stag", src)
		var errs Errors
		refused := errors.As(err, &errs) && slices.Contains(errs.Keys(), KeyTrusts+"[1].egressCidrs[0]")
		if refused == c.ok {
			t.Errorf("%s: err %v; want refused=%v", c.name, err, !c.ok)
		}
		if refused && !strings.Contains(err.Error(), "flip-hub:trusts[0].egressCidrs[0]") {
			t.Errorf("%s: the error does not name the other trust's network: %v", c.name, err)
		}
	}
}

func TestIsProd(t *testing.T) {
	t.Parallel()
	cases := []struct {
		stack, env string
		want       bool
	}{
		{"prod", "", true}, {"PROD", "", true}, {"aicentre/prod", "", true}, {"stag", "prod", true},
		{"stag", "stag", false}, {"stag", "", false}, {"production", "", false}, {"prod-copy", "stag", false}, {"aicentre/stag", "", false},
	}
	for _, tc := range cases {
		if got := IsProd(tc.stack, tc.env); got != tc.want {
			t.Errorf("IsProd(%q, %q) = %v; want %v", tc.stack, tc.env, got, tc.want)
		}
	}
}

// The pool's domain, app client and users can be adopted only with the pool, and their IDs
// must name it.
func TestAdoptedPoolParts(t *testing.T) {
	t.Parallel()
	const pool = "eu-west-2_AbCdEf123"
	cases := []struct {
		name    string
		imports string
		refused string // the imports key refused; "" for none
	}{
		{"pool, domain, client and users", `{"cognitoUserPool": "` + pool + `", "cognitoDomain": "k3x9q2mz", "cognitoAppClient": "` + pool +
			`/1example23456789abcdefghij", "cognitoAdminUser": "` + pool + `/admin@example.org", "cognitoResearcherUser": "` + pool + `/r@example.org"}`, ""},
		{"a domain without the pool", `{"cognitoDomain": "k3x9q2mz"}`, ImportCognitoDomain},
		{"a client of another pool", `{"cognitoUserPool": "` + pool + `", "cognitoAppClient": "eu-west-2_Other0000/1example"}`, ImportCognitoAppClient},
		{"a user ID without its pool", `{"cognitoUserPool": "` + pool + `", "cognitoAdminUser": "admin@example.org"}`, ImportCognitoAdminUser},
		{"an unknown key", `{"sesEmailIdentity": "noreply@example.org"}`, "sesEmailIdentity"},
	}
	for _, c := range cases {
		src := minimal("stag")
		src[KeyImports] = c.imports
		cfg, err := Parse("stag", src)
		var errs Errors
		got := ""
		if errors.As(err, &errs) {
			for _, k := range errs.Keys() {
				if strings.HasPrefix(k, KeyImports+".") {
					got = strings.TrimPrefix(k, KeyImports+".")
				}
			}
		}
		if got != c.refused {
			t.Errorf("%s: refused %q (err %v); want %q", c.name, got, err, c.refused)
		}
		if c.refused == "" && (err != nil || cfg.Imports[ImportCognitoDomain] != "k3x9q2mz") {
			t.Errorf("%s: %v, imports %v", c.name, err, cfg.Imports)
		}
	}
}
