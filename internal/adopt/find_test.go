package adopt

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/londonaicentre/flip-hub/config"
)

// importResourcesAddresses are the addresses upstream's persistent-resource import imports, in
// its module-based version: londonaicentre/FLIP deploy/providers/AWS/scripts/import-resources.sh
// @c95ec9afc6e13038111bc165a55936a46ac269ee (import_flip_bucket for the three bucket modules,
// CORS for uploads and results only; the aicentre bucket; module.flip_api_secret; module.cognito;
// module.ses; the ACM certificate, its validation and record, keyed by ALB_SUBDOMAIN; the NLB
// record). Kept here, apart from the package's own list, as the independent check of it; the
// validation record's key is the fixture's domain.
var importResourcesAddresses = []string{
	"module.flip_model_files_uploads_bucket.aws_s3_bucket.this",
	"module.flip_model_files_uploads_bucket.aws_s3_bucket_public_access_block.this",
	"module.flip_model_files_uploads_bucket.aws_s3_bucket_server_side_encryption_configuration.this",
	"module.flip_model_files_uploads_bucket.aws_s3_bucket_versioning.this",
	"module.flip_model_files_uploads_bucket.aws_s3_bucket_cors_configuration.this[0]",
	"module.flip_fl_results_bucket.aws_s3_bucket.this",
	"module.flip_fl_results_bucket.aws_s3_bucket_public_access_block.this",
	"module.flip_fl_results_bucket.aws_s3_bucket_server_side_encryption_configuration.this",
	"module.flip_fl_results_bucket.aws_s3_bucket_versioning.this",
	"module.flip_fl_results_bucket.aws_s3_bucket_cors_configuration.this[0]",
	"module.flip_app_bundles_bucket.aws_s3_bucket.this",
	"module.flip_app_bundles_bucket.aws_s3_bucket_public_access_block.this",
	"module.flip_app_bundles_bucket.aws_s3_bucket_server_side_encryption_configuration.this",
	"module.flip_app_bundles_bucket.aws_s3_bucket_versioning.this",
	"aws_s3_bucket.aicentre_bucket",
	"aws_s3_bucket_cors_configuration.aicentre_bucket_cors",
	"module.flip_api_secret.aws_secretsmanager_secret.this[0]",
	"module.flip_api_secret.aws_secretsmanager_secret_version.this[0]",
	"module.cognito.aws_cognito_user_pool.flip_user_pool",
	"module.cognito.aws_cognito_user_pool_domain.main",
	"module.cognito.random_string.cognito_domain",
	"module.cognito.aws_cognito_user_pool_client.client",
	"module.cognito.aws_cognito_user.admin_user",
	"module.cognito.aws_cognito_user.researcher_user[0]",
	"module.ses.aws_ses_email_identity.flip_sender",
	"aws_acm_certificate.flip",
	"aws_acm_certificate_validation.flip",
	`aws_route53_record.cert_validation["stag.flip.example.org"]`,
	"aws_route53_record.fl_server_nlb",
}

// movedFrom maps each G1 root address to its module address: upstream's moved blocks
// (deploy/providers/AWS/services.tf for Cognito, main.tf for SES).
var movedFrom = map[string]string{
	"aws_cognito_user_pool.flip_user_pool": "module.cognito.aws_cognito_user_pool.flip_user_pool",
	"random_string.cognito_domain":         "module.cognito.random_string.cognito_domain",
	"aws_cognito_user_pool_domain.main":    "module.cognito.aws_cognito_user_pool_domain.main",
	"aws_cognito_user_pool_client.client":  "module.cognito.aws_cognito_user_pool_client.client",
	"aws_cognito_user.admin_user":          "module.cognito.aws_cognito_user.admin_user",
	"aws_cognito_user.researcher_user":     "module.cognito.aws_cognito_user.researcher_user[0]",
	"aws_ses_email_identity.flip_sender":   "module.ses.aws_ses_email_identity.flip_sender",
	"aws_ses_template.flip_access_request": "module.ses.aws_ses_template.flip_access_request",
}

func findFixture(t *testing.T, name string) (*State, Findings) {
	t.Helper()
	st := loadState(t, name)
	return st, Find(st)
}

func rowsByAddress(f Findings) map[string]Row {
	out := map[string]Row{}
	for _, r := range f.Rows {
		out[r.Address] = r
	}
	return out
}

// attr reads one string attribute of a fixture instance: the independent source of every
// expected value.
func attr(t *testing.T, st *State, address, name string) string {
	t.Helper()
	in, ok := st.Lookup(address)
	if !ok {
		t.Fatalf("fixture has no %s", address)
	}
	v := in.Attr(name)
	if v == "" {
		t.Fatalf("fixture %s has no %s", address, name)
	}
	return v
}

func TestReportListsEveryImportResourcesAddress(t *testing.T) {
	t.Parallel()
	_, f := findFixture(t, "tfstate-modules.json")
	report := f.String()
	rows := rowsByAddress(f)
	for _, a := range importResourcesAddresses {
		r, ok := rows[a]
		switch {
		case !ok:
			t.Errorf("no report row for %s", a)
		case r.Action == Absent:
			t.Errorf("%s is reported absent, but the fixture has it", a)
		}
		if !strings.Contains(report, "\n"+a+" ") {
			t.Errorf("the report's table has no line for %s", a)
		}
	}
	if got, want := len(importResourcesAddresses), 29; got != want {
		t.Errorf("%d addresses listed; upstream's script imports %d", got, want)
	}
}

// The rule behind the test above can fail: a resource missing from the state is reported as
// absent, under upstream's address, and is not removed from Terraform's state.
func TestAbsentResourcesAreReported(t *testing.T) {
	t.Parallel()
	st := loadState(t, "tfstate-modules.json")
	drop := []string{"module.cognito.aws_cognito_user.researcher_user[0]", `aws_route53_record.cert_validation["stag.flip.example.org"]`}
	st.Instances = slices.DeleteFunc(st.Instances, func(in Instance) bool { return slices.Contains(drop, in.Address) })
	f := Find(st)
	rows := rowsByAddress(f)
	for _, a := range []string{"module.cognito.aws_cognito_user.researcher_user[0]", `aws_route53_record.cert_validation["<domain>"]`} {
		if r := rows[a]; r.Action != Absent {
			t.Errorf("%s: action %q; want %q", a, r.Action, Absent)
		}
	}
	if slices.Contains(f.StateRemovals(), drop[1]) {
		t.Errorf("state rm for %s, which the state does not hold", drop[1])
	}
}

func TestFindModulesActions(t *testing.T) {
	t.Parallel()
	_, f := findFixture(t, "tfstate-modules.json")
	rows := rowsByAddress(f)
	cases := []struct {
		address string
		action  Action
		key     string
	}{
		{"module.flip_model_files_uploads_bucket.aws_s3_bucket.this", Import, "bucket:model-files-uploads"},
		{"module.flip_model_files_uploads_bucket.aws_s3_bucket_cors_configuration.this[0]", TakeOver, "bucket:model-files-uploads"},
		{"module.flip_fl_results_bucket.aws_s3_bucket.this", Import, "bucket:fl-results"},
		{"module.flip_fl_results_bucket.aws_s3_bucket_versioning.this", TakeOver, "bucket:fl-results"},
		{"module.flip_app_bundles_bucket.aws_s3_bucket.this", Import, "bucket:app-bundles"},
		{"module.flip_app_bundles_bucket.aws_s3_bucket_policy.this", TakeOver, "bucket:app-bundles"},
		{"module.flip_app_bundles_bucket.aws_s3_bucket_logging.this[0]", TakeOver, "bucket:app-bundles"},
		{"aws_kms_key.flip_app_key", Import, "kmsKey"},
		{"aws_kms_alias.flip_app_key", KeepOutside, ""},
		{"aws_s3_bucket.aicentre_bucket", KeepOutside, ""},
		{"aws_s3_bucket_cors_configuration.aicentre_bucket_cors", KeepOutside, ""},
		{"module.flip_api_secret.aws_secretsmanager_secret.this[0]", Import, "flipApiSecret"},
		{"module.flip_api_secret.aws_secretsmanager_secret_version.this[0]", TakeOver, "flipApiSecret"},
		{"module.cognito.aws_cognito_user_pool.flip_user_pool", Import, "cognitoUserPool"},
		{"module.cognito.aws_cognito_user_pool_domain.main", Import, "cognitoDomain"},
		{"module.cognito.random_string.cognito_domain", KeepOutside, ""},
		{"module.cognito.aws_cognito_user_pool_client.client", Import, "cognitoAppClient"},
		{"module.cognito.aws_cognito_user.admin_user", Import, "cognitoAdminUser"},
		{"module.cognito.aws_cognito_user.researcher_user[0]", Import, "cognitoResearcherUser"},
		{"module.ses.aws_ses_email_identity.flip_sender", Import, config.ImportSESIdentity},
		{"module.ses.aws_ses_template.flip_xnat_invite", Import, config.ImportSESTemplate("flip-xnat-invite")},
		{"aws_acm_certificate.flip", KeepOutside, ""},
		{"aws_acm_certificate_validation.flip", KeepOutside, ""},
		{`aws_route53_record.cert_validation["stag.flip.example.org"]`, TakeOver, config.KeyEdge + ".manageDns"},
		{"aws_route53_record.fl_server_nlb", TakeOver, config.KeyEdge + ".manageDns"},
		{"aws_route53_record.alb", TakeOver, config.KeyEdge + ".manageDns"},
		{"aws_cloudfront_distribution.flip_ui", KeepOutside, ""},
		{"module.flip_db.module.db_instance.aws_db_instance.this[0]", KeepOutside, ""},
		{"aws_key_pair.flip_keypair", KeepOutside, ""},
	}
	for _, c := range cases {
		r, ok := rows[c.address]
		if !ok {
			t.Errorf("no row for %s", c.address)
			continue
		}
		if r.Action != c.action || r.Key != c.key {
			t.Errorf("%s: %s %q; want %s %q", c.address, r.Action, r.Key, c.action, c.key)
		}
		if r.Note == "" {
			t.Errorf("%s: no note saying why", c.address)
		}
	}
	if f.Layout != LayoutModules {
		t.Errorf("layout %s; want %s", f.Layout, LayoutModules)
	}
	if f.Other != 1 {
		t.Errorf("%d unrecognised resources; the fixture has one (the VPC)", f.Other)
	}
}

func TestFindModulesImportsAndIDs(t *testing.T) {
	t.Parallel()
	st, f := findFixture(t, "tfstate-modules.json")
	want := map[string]string{
		ImportKMSKey:                        attr(t, st, "aws_kms_key.flip_app_key", "key_id"),
		ImportFlipAPISecret:                 attr(t, st, "module.flip_api_secret.aws_secretsmanager_secret.this[0]", "arn"),
		ImportCognitoUserPool:               attr(t, st, "module.cognito.aws_cognito_user_pool.flip_user_pool", "id"),
		ImportBucket("model-files-uploads"): attr(t, st, "module.flip_model_files_uploads_bucket.aws_s3_bucket.this", "bucket"),
		ImportBucket("fl-results"):          attr(t, st, "module.flip_fl_results_bucket.aws_s3_bucket.this", "bucket"),
		ImportBucket("app-bundles"):         attr(t, st, "module.flip_app_bundles_bucket.aws_s3_bucket.this", "bucket"),
	}
	pool := want[ImportCognitoUserPool]
	want[config.ImportCognitoDomain] = attr(t, st, "module.cognito.aws_cognito_user_pool_domain.main", "domain")
	want[config.ImportCognitoAppClient] = pool + "/" + attr(t, st, "module.cognito.aws_cognito_user_pool_client.client", "id")
	want[config.ImportCognitoAdminUser] = pool + "/" + attr(t, st, "module.cognito.aws_cognito_user.admin_user", "username")
	want[config.ImportCognitoResearcherUser] = pool + "/" + attr(t, st, "module.cognito.aws_cognito_user.researcher_user[0]", "username")
	want[config.ImportSESIdentity] = attr(t, st, "module.ses.aws_ses_email_identity.flip_sender", "email")
	for _, tmpl := range []string{"flip_access_request", "flip_xnat_invite", "flip_xnat_added_to_project"} {
		name := attr(t, st, "module.ses.aws_ses_template."+tmpl, "name")
		want[config.ImportSESTemplate(name)] = name
	}
	if !maps.Equal(f.Imports, want) {
		t.Errorf("imports %v; want %v", f.Imports, want)
	}
	// The IDs of every row, in the forms of upstream's script.
	ids := map[string]string{
		"module.cognito.aws_cognito_user_pool_domain.main":         attr(t, st, "module.cognito.aws_cognito_user_pool_domain.main", "domain"),
		"module.cognito.aws_cognito_user_pool_client.client":       pool + "/" + attr(t, st, "module.cognito.aws_cognito_user_pool_client.client", "id"),
		"module.cognito.aws_cognito_user.admin_user":               pool + "/" + attr(t, st, "module.cognito.aws_cognito_user.admin_user", "username"),
		"module.cognito.aws_cognito_user.researcher_user[0]":       pool + "/" + attr(t, st, "module.cognito.aws_cognito_user.researcher_user[0]", "username"),
		"module.ses.aws_ses_email_identity.flip_sender":            attr(t, st, "module.ses.aws_ses_email_identity.flip_sender", "email"),
		"aws_acm_certificate.flip":                                 attr(t, st, "aws_acm_certificate.flip", "arn"),
		"aws_route53_record.fl_server_nlb":                         attr(t, st, "aws_route53_record.fl_server_nlb", "id"),
		"module.flip_api_secret.aws_secretsmanager_secret.this[0]": attr(t, st, "module.flip_api_secret.aws_secretsmanager_secret.this[0]", "arn"),
	}
	rows := rowsByAddress(f)
	for a, id := range ids {
		if got := rows[a].ID; got != id {
			t.Errorf("%s: ID %q; want %q", a, got, id)
		}
	}
	// Every key written is one config accepts.
	for k := range f.Imports {
		if !slices.Contains(config.ImportKeys(), k) {
			t.Errorf("imports key %q is not one config accepts (%v)", k, config.ImportKeys())
		}
	}
}

func TestFindModulesSettings(t *testing.T) {
	t.Parallel()
	st, f := findFixture(t, "tfstate-modules.json")
	got := map[string]any{}
	for _, s := range f.Settings {
		if _, dup := got[s.Key]; dup {
			t.Errorf("%s is set twice", s.Key)
		}
		got[s.Key] = s.Value
	}
	arn := strings.Split(attr(t, st, "module.flip_api_secret.aws_secretsmanager_secret.this[0]", "arn"), ":")
	want := map[string]any{
		config.KeyRegion:                           arn[3],
		config.KeyAllowedAccountIDs:                []string{arn[4]},
		config.KeyEdge + ".domain":                 attr(t, st, "aws_acm_certificate.flip", "domain_name"),
		config.KeyEdge + ".zoneName":               attr(t, st, "data.aws_route53_zone.subdomain", "name"),
		config.KeyEdge + ".manageDns":              true,
		config.KeyIdentity + ".domainPrefix":       attr(t, st, "module.cognito.aws_cognito_user_pool_domain.main", "domain"),
		config.KeyIdentity + ".senderEmail":        attr(t, st, "module.ses.aws_ses_email_identity.flip_sender", "email"),
		config.KeyIdentity + ".sesIdentity":        "email",
		config.KeyIdentity + ".adminUser":          attr(t, st, "module.cognito.aws_cognito_user.admin_user", "username"),
		config.KeyIdentity + ".researcherUser":     attr(t, st, "module.cognito.aws_cognito_user.researcher_user[0]", "username"),
		config.KeyIdentity + ".mfa":                string(config.MFAApp), // the pool's mfa_configuration is OPTIONAL
		config.KeyIdentity + ".deletionProtection": true,                  // the pool's deletion_protection is ACTIVE
	}
	if len(got) != len(want) {
		t.Errorf("%d settings %v; want %d", len(got), got, len(want))
	}
	for k, w := range want {
		g, ok := got[k]
		gj, _ := json.Marshal(g)
		wj, _ := json.Marshal(w)
		if !ok || string(gj) != string(wj) {
			t.Errorf("%s = %s; want %s", k, gj, wj)
		}
	}
	if arn[3] != "eu-west-2" || arn[4] != "111111111111" {
		t.Fatalf("the fixture's ARN %v is not in the fake account and region", arn)
	}
	if len(f.Warnings) != 0 {
		t.Errorf("warnings for a consistent state: %q", f.Warnings)
	}
}

func TestFindModulesSteps(t *testing.T) {
	t.Parallel()
	_, f := findFixture(t, "tfstate-modules.json")
	steps := strings.Join(f.Steps, "\n")
	for _, want := range []string{
		"Move the CloudFront alias stag.flip.example.org from the old distribution E1EXAMPLE23456",
		"s3://flipstag-aicentre/fl-flare-participant-kits/",
		"pg_dump of flip-database",
		"sesVerified",
	} {
		if !strings.Contains(steps, want) {
			t.Errorf("steps lack %q:\n%s", want, steps)
		}
	}
	// Everything flip-hub has an equivalent of is imported, taken over or kept outside with a reason.
	if strings.Contains(steps, "cannot adopt") {
		t.Errorf("steps say something cannot be adopted:\n%s", steps)
	}
	if strings.Contains(steps, "G1 root addresses") {
		t.Errorf("a module-layout state is told about G1 addresses")
	}
}

func TestStateRemovals(t *testing.T) {
	t.Parallel()
	_, f := findFixture(t, "tfstate-modules.json")
	report := f.String()
	rm := f.StateRemovals()
	for _, r := range f.Rows {
		adopted := r.Action == Import || r.Action == TakeOver
		if adopted != slices.Contains(rm, r.Address) {
			t.Errorf("%s (%s): in state rm list = %v; want %v", r.Address, r.Action, !adopted, adopted)
		}
	}
	for _, line := range []string{
		`terraform state rm 'module.cognito.aws_cognito_user_pool.flip_user_pool'`,
		`terraform state rm 'module.flip_api_secret.aws_secretsmanager_secret.this[0]'`,
		`terraform state rm 'aws_route53_record.cert_validation["stag.flip.example.org"]'`,
		`terraform state rm 'module.flip_fl_results_bucket.aws_s3_bucket_cors_configuration.this[0]'`,
		`terraform state rm 'aws_kms_key.flip_app_key'`,
		`terraform state rm 'module.cognito.aws_cognito_user_pool_domain.main'`,
		`terraform state rm 'module.cognito.aws_cognito_user.admin_user'`,
	} {
		if !strings.Contains(report, "\n  "+line+"\n") {
			t.Errorf("report lacks the line %s", line)
		}
	}
	for _, never := range []string{"aws_s3_bucket.aicentre_bucket'", "aws_acm_certificate.flip'"} {
		if strings.Contains(report, "terraform state rm 'module.cognito."+never) || strings.Contains(report, "terraform state rm '"+never) {
			t.Errorf("report removes %s from Terraform, which flip-hub does not adopt", never)
		}
	}
}

func TestG1MapsToTheSameKeys(t *testing.T) {
	t.Parallel()
	_, mod := findFixture(t, "tfstate-modules.json")
	_, g1 := findFixture(t, "tfstate-g1.json")
	if g1.Layout != LayoutG1 {
		t.Errorf("layout %s; want %s", g1.Layout, LayoutG1)
	}
	// Every import of the G1 state is one of the module state's, with the same ID; what only the
	// module state has are the split buckets and the KMS key, which G1 did not have.
	onlyModules := map[string]bool{}
	for k, v := range mod.Imports {
		if g, ok := g1.Imports[k]; !ok {
			onlyModules[k] = true
		} else if g != v {
			t.Errorf("imports %s: G1 %q, modules %q", k, g, v)
		}
	}
	for k := range g1.Imports {
		if _, ok := mod.Imports[k]; !ok {
			t.Errorf("imports %s only in G1", k)
		}
	}
	// G1 sent the access request template only.
	wantOnly := map[string]bool{ImportKMSKey: true, ImportBucket("model-files-uploads"): true, ImportBucket("fl-results"): true, ImportBucket("app-bundles"): true,
		config.ImportSESTemplate("flip-xnat-invite"): true, config.ImportSESTemplate("flip-xnat-added-to-project"): true}
	if !maps.Equal(onlyModules, wantOnly) {
		t.Errorf("imports only in the module layout: %v; want %v", onlyModules, wantOnly)
	}
	gj, _ := json.Marshal(g1.Settings)
	mj, _ := json.Marshal(mod.Settings)
	if !settingsEqual(g1.Settings, mod.Settings) {
		t.Errorf("settings differ:\nG1      %s\nmodules %s", gj, mj)
	}
	// Each G1 root address is read as its module address is.
	g1Rows, modRows := rowsByAddress(g1), rowsByAddress(mod)
	for old, moved := range movedFrom {
		o, ok := g1Rows[old]
		if !ok {
			t.Errorf("no row for G1 address %s", old)
			continue
		}
		m := modRows[moved]
		if o.Action != m.Action || o.Key != m.Key || o.ID != m.ID {
			t.Errorf("%s: %s %s %s; its module address %s: %s %s %s", old, o.Action, o.Key, o.ID, moved, m.Action, m.Key, m.ID)
		}
		if _, absent := g1Rows[moved]; absent {
			t.Errorf("%s is reported absent although the state holds it at %s", moved, old)
		}
	}
	// G1-only resources stay outside.
	for _, a := range []string{
		"aws_key_pair.flip_keypair", "aws_key_pair.host_key", "aws_s3_bucket.flip_bucket",
		"aws_s3_bucket_cors_configuration.flip_bucket_cors", "aws_s3_object.app_destination_bucket",
		"aws_s3_object.model_files", "aws_s3_object.uploaded_federated_data",
		"aws_ec2_transit_gateway_vpc_attachment.flip_vpc_attachment",
		"aws_ec2_transit_gateway_route_table_propagation.flip_vpc_propagation",
		"aws_ses_template.flip_xnat_credentials",
	} {
		if r := g1Rows[a]; r.Action != KeepOutside {
			t.Errorf("%s: %q; want %q", a, r.Action, KeepOutside)
		}
	}
	// The G1 NLB record has another name than flip-hub's fl.<domain>: trusts must move.
	if r := g1Rows["aws_route53_record.fl_server_nlb"]; r.Action != KeepOutside {
		t.Errorf("fl-server.<domain> record: %q; want %q", r.Action, KeepOutside)
	}
	steps := strings.Join(g1.Steps, "\n")
	for _, want := range []string{"fl-server.stag.flip.example.org", "G1 root addresses", "migrate-flip-bucket", "internal_service_key_hash"} {
		if !strings.Contains(steps, want) {
			t.Errorf("G1 steps lack %q:\n%s", want, steps)
		}
	}
}

func settingsEqual(a, b []Setting) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		aj, _ := json.Marshal(a[i].Value)
		bj, _ := json.Marshal(b[i].Value)
		if a[i].Key != b[i].Key || string(aj) != string(bj) {
			return false
		}
	}
	return true
}

func TestSecretValuesFromTheState(t *testing.T) {
	t.Parallel()
	st, mod := findFixture(t, "tfstate-modules.json")
	var payload map[string]string
	if err := json.Unmarshal([]byte(attr(t, st, "module.flip_api_secret.aws_secretsmanager_secret_version.this[0]", "secret_string")), &payload); err != nil {
		t.Fatal(err)
	}
	want := SecretValues{
		config.KeyFlipAPIAESKey:             payload["aes_key"],
		config.KeyFlipAPIInternalServiceKey: payload["internal_service_key"],
	}
	if !maps.Equal(mod.Secrets, want) || want[config.KeyFlipAPIAESKey] == "" || want[config.KeyFlipAPIInternalServiceKey] == "" {
		t.Errorf("secrets keys %v do not hold the fixture's aes_key and internal_service_key", mod.Secrets.Keys())
	}

	// The G1 secret has the hash only: the AES key comes across, the internal service key is a step.
	_, g1 := findFixture(t, "tfstate-g1.json")
	if got := g1.Secrets.Keys(); !slices.Equal(got, []string{config.KeyFlipAPIAESKey}) {
		t.Errorf("G1 secrets %v; want the AES key only", got)
	}
	if g1.Secrets[config.KeyFlipAPIAESKey] != payload["aes_key"] {
		t.Errorf("G1 AES key differs from the fixture's")
	}
}

func TestSecretProblemsAreReportedWithoutValues(t *testing.T) {
	t.Parallel()
	const version = "module.flip_api_secret.aws_secretsmanager_secret_version.this[0]"
	const leak = "LEAKED-VALUE-0123456789-abcdefghijklmnopqrstuvwxyz"
	cases := []struct {
		name, secretString, want string
		keys                     []string
	}{
		{"hash mismatch", `{"aes_key":"` + leak + `","internal_service_key":"` + leak + `","internal_service_key_hash":"00"}`,
			"does not hash to the secret's internal_service_key_hash", []string{config.KeyFlipAPIAESKey, config.KeyFlipAPIInternalServiceKey}},
		{"bad aes key", `{"aes_key":"` + leak + `","internal_service_key":"` + leak + `"}`,
			"aes_key is not the base64 of 32 bytes", []string{config.KeyFlipAPIAESKey, config.KeyFlipAPIInternalServiceKey}},
		{"not json", leak, "secret_string is not a JSON object", nil},
		{"no aes key", `{"internal_service_key":"` + leak + `"}`, "the secret has no aes_key", []string{config.KeyFlipAPIInternalServiceKey}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			st := loadState(t, "tfstate-modules.json")
			i := slices.IndexFunc(st.Instances, func(in Instance) bool { return in.Address == version })
			st.Instances[i].Attributes = map[string]any{"id": "x", "secret_string": c.secretString}
			f := Find(st)
			if !strings.Contains(strings.Join(f.Warnings, "\n"), c.want) {
				t.Errorf("warnings %q; want one containing %q", f.Warnings, c.want)
			}
			if got := f.Secrets.Keys(); !slices.Equal(got, c.keys) && (len(got) > 0 || len(c.keys) > 0) {
				t.Errorf("secret keys %v; want %v", got, c.keys)
			}
			if out := f.String() + strings.Join(f.Warnings, ""); strings.Contains(out, leak) {
				t.Errorf("the report shows the secret value")
			}
		})
	}
}

func TestRegionConflictIsWarned(t *testing.T) {
	t.Parallel()
	st := loadState(t, "tfstate-modules.json")
	for i, in := range st.Instances {
		if in.Address == "aws_kms_key.flip_app_key" {
			st.Instances[i].Attributes["arn"] = strings.Replace(in.Attr("arn"), "eu-west-2", "eu-west-1", 1)
		}
	}
	f := Find(st)
	if !strings.Contains(strings.Join(f.Warnings, "\n"), "aws_kms_key.flip_app_key is in region eu-west-1 but the other resources are in eu-west-2") {
		t.Errorf("warnings %q; want the region conflict", f.Warnings)
	}
	for _, s := range f.Settings {
		if s.Key == config.KeyRegion && s.Value != "eu-west-2" {
			t.Errorf("region %v; want the region most resources are in, eu-west-2", s.Value)
		}
	}
}

func TestImportKeysAreConfigs(t *testing.T) {
	t.Parallel()
	keys := config.ImportKeys()
	for _, k := range []string{ImportKMSKey, ImportFlipAPISecret, ImportCognitoUserPool} {
		if !slices.Contains(keys, k) {
			t.Errorf("%q is not an imports key of config (%v)", k, keys)
		}
	}
	for _, b := range upstreamBuckets {
		if !slices.Contains(keys, ImportBucket(b.purpose)) {
			t.Errorf("%s maps to purpose %q, which config does not know (%v)", b.module, b.purpose, keys)
		}
	}
}
