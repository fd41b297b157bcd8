package adopt

import (
	"bytes"
	"flag"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/londonaicentre/flip-hub/config"
	"github.com/londonaicentre/flip-hub/internal/plan"
)

var update = flag.Bool("update", false, "rewrite the golden stack file of testdata")

const (
	stackFixture = "testdata/Pulumi.adopt.yaml"
	stackGolden  = "testdata/Pulumi.adopt.golden.yaml"
)

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func applyModules(t *testing.T) (*State, Findings, []byte, []byte) {
	t.Helper()
	st, f := findFixture(t, "tfstate-modules.json")
	in := readFile(t, stackFixture)
	out, err := f.ApplyTo(in)
	if err != nil {
		t.Fatal(err)
	}
	return st, f, in, out
}

func decodeConfig(t *testing.T, doc []byte) map[string]any {
	t.Helper()
	var v struct {
		Config map[string]any `yaml:"config"`
	}
	if err := yaml.Unmarshal(doc, &v); err != nil {
		t.Fatal(err)
	}
	return v.Config
}

func TestApplyToGolden(t *testing.T) {
	t.Parallel()
	_, _, _, out := applyModules(t)
	if *update {
		if err := os.WriteFile(stackGolden, out, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if want := readFile(t, stackGolden); !bytes.Equal(out, want) {
		t.Errorf("ApplyTo(%s) differs from %s (go test -update to rewrite after checking):\n%s", stackFixture, stackGolden, out)
	}
}

// Each value written is the fixture's attribute, read independently of Find.
func TestApplyToWritesTheFixturesValues(t *testing.T) {
	t.Parallel()
	st, _, _, out := applyModules(t)
	cfg := decodeConfig(t, out)
	imports, _ := cfg[config.KeyImports].(map[string]any)
	edge, _ := cfg[config.KeyEdge].(map[string]any)
	ident, _ := cfg[config.KeyIdentity].(map[string]any)
	arn := strings.Split(attr(t, st, "module.cognito.aws_cognito_user_pool.flip_user_pool", "arn"), ":")
	cases := []struct {
		path string
		got  any
		want any
	}{
		{"imports.kmsKey", imports["kmsKey"], attr(t, st, "aws_kms_key.flip_app_key", "key_id")},
		{"imports.flipApiSecret", imports["flipApiSecret"], attr(t, st, "module.flip_api_secret.aws_secretsmanager_secret.this[0]", "arn")},
		{"imports.cognitoUserPool", imports["cognitoUserPool"], attr(t, st, "module.cognito.aws_cognito_user_pool.flip_user_pool", "id")},
		{"imports.bucket:model-files-uploads", imports["bucket:model-files-uploads"], attr(t, st, "module.flip_model_files_uploads_bucket.aws_s3_bucket.this", "bucket")},
		{"imports.bucket:fl-results", imports["bucket:fl-results"], attr(t, st, "module.flip_fl_results_bucket.aws_s3_bucket.this", "bucket")},
		{"imports.bucket:app-bundles", imports["bucket:app-bundles"], attr(t, st, "module.flip_app_bundles_bucket.aws_s3_bucket.this", "bucket")},
		{"imports.cognitoDomain", imports["cognitoDomain"], attr(t, st, "module.cognito.aws_cognito_user_pool_domain.main", "domain")},
		{"imports.cognitoAppClient", imports["cognitoAppClient"], attr(t, st, "module.cognito.aws_cognito_user_pool_client.client", "user_pool_id") + "/" +
			attr(t, st, "module.cognito.aws_cognito_user_pool_client.client", "id")},
		{"imports.cognitoAdminUser", imports["cognitoAdminUser"], attr(t, st, "module.cognito.aws_cognito_user.admin_user", "user_pool_id") + "/" +
			attr(t, st, "module.cognito.aws_cognito_user.admin_user", "username")},
		{"imports.cognitoResearcherUser", imports["cognitoResearcherUser"], attr(t, st, "module.cognito.aws_cognito_user.researcher_user[0]", "user_pool_id") + "/" +
			attr(t, st, "module.cognito.aws_cognito_user.researcher_user[0]", "username")},
		{"imports.sesIdentity", imports["sesIdentity"], attr(t, st, "module.ses.aws_ses_email_identity.flip_sender", "email")},
		{"imports.sesTemplate:flip-access-request", imports["sesTemplate:flip-access-request"], attr(t, st, "module.ses.aws_ses_template.flip_access_request", "name")},
		{"imports.sesTemplate:flip-xnat-invite", imports["sesTemplate:flip-xnat-invite"], attr(t, st, "module.ses.aws_ses_template.flip_xnat_invite", "name")},
		{"imports.sesTemplate:flip-xnat-added-to-project", imports["sesTemplate:flip-xnat-added-to-project"], attr(t, st, "module.ses.aws_ses_template.flip_xnat_added_to_project", "name")},
		{"edge.domain", edge["domain"], attr(t, st, "aws_acm_certificate.flip", "domain_name")},
		{"edge.zoneName", edge["zoneName"], attr(t, st, "data.aws_route53_zone.subdomain", "name")},
		{"edge.manageDns", edge["manageDns"], true},
		{"identity.domainPrefix", ident["domainPrefix"], attr(t, st, "module.cognito.aws_cognito_user_pool_domain.main", "domain")},
		{"identity.senderEmail", ident["senderEmail"], attr(t, st, "module.ses.aws_ses_email_identity.flip_sender", "email")},
		{"identity.sesIdentity", ident["sesIdentity"], "email"},
		{"identity.adminUser", ident["adminUser"], attr(t, st, "module.cognito.aws_cognito_user.admin_user", "username")},
		{"identity.researcherUser", ident["researcherUser"], attr(t, st, "module.cognito.aws_cognito_user.researcher_user[0]", "username")},
		{"identity.mfa", ident["mfa"], "app"},
		{"identity.deletionProtection", ident["deletionProtection"], true},
		{"aws:region", cfg[config.KeyRegion], arn[3]},
		{"aws:allowedAccountIds", cfg[config.KeyAllowedAccountIDs], []any{arn[4]}},
	}
	for _, c := range cases {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %#v; want %#v", c.path, c.got, c.want)
		}
	}
	if len(imports) != 14 {
		t.Errorf("imports %v; want the fourteen adoptable resources only", imports)
	}
	// Nothing secret is written: secrets go through pulumi config set --secret.
	for _, k := range []string{config.KeyFlipAPIAESKey, config.KeyFlipAPIInternalServiceKey} {
		if _, ok := cfg[k]; ok {
			t.Errorf("%s written to the stack file", k)
		}
	}
}

func TestApplyToIsIdempotent(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, fixture string
		stack         []byte
	}{
		{"stack file", "tfstate-modules.json", readFile(t, stackFixture)},
		{"new stack file", "tfstate-modules.json", nil},
		{"g1", "tfstate-g1.json", readFile(t, stackFixture)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, f := findFixture(t, c.fixture)
			once, err := f.ApplyTo(c.stack)
			if err != nil {
				t.Fatal(err)
			}
			twice, err := f.ApplyTo(once)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(once, twice) {
				t.Errorf("a second apply changed the file:\n--- once\n%s\n--- twice\n%s", once, twice)
			}
		})
	}
}

// The fixture stack file names another domain: adoption changes exactly the keys it sets, and
// keeps every comment.
func TestApplyToPreservesCommentsAndOtherKeys(t *testing.T) {
	t.Parallel()
	_, f, in, out := applyModules(t)
	for _, line := range strings.Split(string(in), "\n") {
		if i := strings.Index(line, "#"); i >= 0 {
			comment := strings.TrimSpace(line[i:])
			if !strings.Contains(string(out), comment) {
				t.Errorf("comment %q lost", comment)
			}
		}
	}
	if !bytes.Contains(out, []byte("domain: stag.flip.example.org # replaced by adoption")) {
		t.Errorf("the replaced domain lost its line comment:\n%s", out)
	}
	before, after := decodeConfig(t, in), decodeConfig(t, out)
	set := map[string][]string{config.KeyImports: nil, config.KeyRegion: nil, config.KeyAllowedAccountIDs: nil}
	for _, s := range f.Settings {
		top, field, _ := strings.Cut(s.Key, ".")
		set[top] = append(set[top], field)
	}
	for k, v := range before {
		fields, touched := set[k]
		switch {
		case !touched:
			if !reflect.DeepEqual(after[k], v) {
				t.Errorf("%s changed: %#v → %#v", k, v, after[k])
			}
		case len(fields) > 0 && fields[0] != "":
			// An object adoption writes fields of: every other field is kept.
			b, _ := v.(map[string]any)
			a, _ := after[k].(map[string]any)
			for field, val := range b {
				if !slices.Contains(fields, field) && !reflect.DeepEqual(a[field], val) {
					t.Errorf("%s.%s changed: %#v → %#v", k, field, val, a[field])
				}
			}
		}
	}
	var top map[string]any
	if err := yaml.Unmarshal(out, &top); err != nil {
		t.Fatal(err)
	}
	if top["encryptionsalt"] == nil {
		t.Error("encryptionsalt lost")
	}
}

// The written file is valid flip-hub config by the CLI's rules and config.Parse (which refuses
// unknown fields, so every field name is checked), once the secrets are set as the report says.
func TestApplyToParsesAsFlipHubConfig(t *testing.T) {
	t.Parallel()
	_, f, _, out := applyModules(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Pulumi.yaml"), readFile(t, "../../Pulumi.yaml"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Pulumi.adopt.yaml"), out, 0o600); err != nil {
		t.Fatal(err)
	}
	raw, err := plan.LoadStackConfig(dir, "adopt")
	if err != nil {
		t.Fatal(err)
	}
	withSecrets := raw.Clone()
	for k, v := range f.Secrets {
		withSecrets.Values[k] = v
	}
	cfg, err := config.Parse("adopt", config.MapSource(withSecrets.Values))
	if err != nil {
		t.Fatalf("the adopted stack file is not valid config: %v", err)
	}
	if !maps.Equal(cfg.Imports, f.Imports) {
		t.Errorf("config imports %v; want %v", cfg.Imports, f.Imports)
	}
	if cfg.Edge.Domain != "stag.flip.example.org" || cfg.Edge.ZoneName != "stag.flip.example.org" || !cfg.Edge.ManageDNS ||
		cfg.Identity.DomainPrefix != "k3x9q2mz" || cfg.Identity.SESDomainIdentity || cfg.Identity.SenderEmail != "noreply@stag.flip.example.org" ||
		cfg.Identity.ResearcherUser != "rafaelagd@gmail.com" || !cfg.Identity.DeletionProtection || cfg.Identity.MFA != config.MFAApp {
		t.Errorf("config read back: edge %+v, identity %+v", cfg.Edge, cfg.Identity)
	}
	// Without the secrets, config refuses to adopt the FLIP_API secret: the report's secret
	// step is not optional.
	if _, err := config.Parse("adopt", config.MapSource(raw.Values)); err == nil || !strings.Contains(err.Error(), "flipApiSecret") {
		t.Errorf("config without the FLIP_API values: %v; want a refusal naming imports.flipApiSecret", err)
	}
}

func TestApplyToRefuses(t *testing.T) {
	t.Parallel()
	_, f := findFixture(t, "tfstate-modules.json")
	cases := []struct {
		name, stack, want string
	}{
		{"other region", "config:\n  aws:region: eu-west-1\n", `aws:region: the stack file says "eu-west-1" but the adopted resources are in "eu-west-2"`},
		{"other account", "config:\n  aws:allowedAccountIds: [\"222222222222\"]\n", "aws:allowedAccountIds: the stack file allows [222222222222] but the adopted resources are in account 111111111111"},
		{"accounts not a list", "config:\n  aws:allowedAccountIds: \"111111111111\"\n", "want a list of account IDs"},
		{"identity not a mapping", "config:\n  flip-hub:identity: [a]\n", "flip-hub:identity: the stack file holds a list; want a mapping"},
		{"config not a mapping", "config: 3\n", "config: the stack file holds a scalar; want a mapping"},
		{"not a mapping", "- a\n- b\n", "want a YAML mapping"},
		{"not yaml", "config: [\n", "stack file: "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			out, err := f.ApplyTo([]byte(c.stack))
			if err == nil {
				t.Fatalf("applied:\n%s\nwant an error containing %q", out, c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q; want it to contain %q", err, c.want)
			}
		})
	}
}

func TestApplyToFillsAnEmptyValue(t *testing.T) {
	t.Parallel()
	_, f := findFixture(t, "tfstate-modules.json")
	out, err := f.ApplyTo([]byte("config:\n  flip-hub:imports:\n  aws:region: eu-west-2\n"))
	if err != nil {
		t.Fatal(err)
	}
	imports, _ := decodeConfig(t, out)[config.KeyImports].(map[string]any)
	if len(imports) != len(f.Imports) {
		t.Errorf("imports %v; want %d entries", imports, len(f.Imports))
	}
}
