package adopt

import (
	"os"
	"strings"
	"testing"
)

// loadState parses a fixture of testdata.
func loadState(t *testing.T, name string) *State {
	t.Helper()
	fh, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	st, err := ParseState(fh)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return st
}

func TestParseStateAddresses(t *testing.T) {
	t.Parallel()
	const state = `{"version": 4, "terraform_version": "1.9.8", "serial": 3, "lineage": "l", "resources": [
	  {"module": "module.cognito", "mode": "managed", "type": "aws_cognito_user_pool", "name": "flip_user_pool",
	   "instances": [{"attributes": {"id": "pool"}}]},
	  {"mode": "managed", "type": "aws_route53_record", "name": "cert_validation",
	   "instances": [{"index_key": "flip.example.org", "attributes": {}},
	                 {"index_key": "a\"b\\c${x}%{y}$z\n", "attributes": {}}]},
	  {"module": "module.flip_api_secret", "mode": "managed", "type": "aws_secretsmanager_secret", "name": "this",
	   "instances": [{"index_key": 0, "attributes": {}}, {"index_key": 1, "attributes": {}},
	                 {"index_key": 1, "deposed": "00000001", "attributes": {}}]},
	  {"module": "module.flip_db.module.db_instance", "mode": "data", "type": "aws_iam_policy_document", "name": "p",
	   "instances": [{"attributes": {}}]},
	  {"module": "module.bucket[\"a\"]", "mode": "managed", "type": "aws_s3_bucket", "name": "this",
	   "instances": [{"attributes": {}}]}
	]}`
	st, err := ParseState(strings.NewReader(state))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ address, resource string }{
		{"module.cognito.aws_cognito_user_pool.flip_user_pool", "module.cognito.aws_cognito_user_pool.flip_user_pool"},
		{`aws_route53_record.cert_validation["flip.example.org"]`, "aws_route53_record.cert_validation"},
		{`aws_route53_record.cert_validation["a\"b\\c$${x}%%{y}$z\n"]`, "aws_route53_record.cert_validation"},
		{"module.flip_api_secret.aws_secretsmanager_secret.this[0]", "module.flip_api_secret.aws_secretsmanager_secret.this"},
		{"module.flip_api_secret.aws_secretsmanager_secret.this[1]", "module.flip_api_secret.aws_secretsmanager_secret.this"},
		{"module.flip_db.module.db_instance.data.aws_iam_policy_document.p", "module.flip_db.module.db_instance.data.aws_iam_policy_document.p"},
		{`module.bucket["a"].aws_s3_bucket.this`, `module.bucket["a"].aws_s3_bucket.this`},
	}
	if len(st.Instances) != len(want) {
		t.Fatalf("%d instances (the deposed one must be skipped); want %d", len(st.Instances), len(want))
	}
	for i, w := range want {
		in := st.Instances[i]
		if in.Address != w.address || in.Resource != w.resource {
			t.Errorf("instance %d: address %s, resource %s; want %s, %s", i, in.Address, in.Resource, w.address, w.resource)
		}
		if got, ok := st.Lookup(w.address); !ok || got.Address != w.address {
			t.Errorf("Lookup(%s) = %v, %v", w.address, got.Address, ok)
		}
	}
	if st.Instances[0].Attr("id") != "pool" || st.Instances[3].Key != 0 || st.Instances[1].Key != "flip.example.org" {
		t.Errorf("attributes or keys lost: %q %v %v", st.Instances[0].Attr("id"), st.Instances[3].Key, st.Instances[1].Key)
	}
	if st.Serial != 3 || st.TerraformVersion != "1.9.8" {
		t.Errorf("serial %d, terraform %s", st.Serial, st.TerraformVersion)
	}
}

func TestParseStateRefuses(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, state, want string
	}{
		{"version 3", `{"version": 3, "terraform_version": "0.11.14", "modules": [{"path": ["root"], "resources": {}}]}`, "format version 3; want 4"},
		{"version 5", `{"version": 5, "resources": []}`, "format version 5; want 4"},
		{"no version", `{"resources": []}`, "no format version"},
		{"not json", `terraform state list output`, "not a state file"},
		{"duplicate", `{"version": 4, "resources": [
			{"mode": "managed", "type": "aws_s3_bucket", "name": "b", "instances": [{"attributes": {}}]},
			{"mode": "managed", "type": "aws_s3_bucket", "name": "b", "instances": [{"attributes": {}}]}]}`, "aws_s3_bucket.b appears twice"},
		{"bad key", `{"version": 4, "resources": [
			{"mode": "managed", "type": "aws_s3_bucket", "name": "b", "instances": [{"index_key": true, "attributes": {}}]}]}`, "neither a count index nor a for_each key"},
		{"bad mode", `{"version": 4, "resources": [
			{"mode": "ephemeral", "type": "aws_s3_bucket", "name": "b", "instances": []}]}`, `mode "ephemeral"`},
		{"no type", `{"version": 4, "resources": [{"mode": "managed", "name": "b", "instances": []}]}`, "without type or name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			st, err := ParseState(strings.NewReader(c.state))
			if err == nil {
				t.Fatalf("parsed %v; want an error containing %q", st, c.want)
			}
			msg := err.Error()
			if !strings.Contains(msg, c.want) {
				t.Errorf("error %q; want it to contain %q", msg, c.want)
			}
			if !strings.HasPrefix(msg, "terraform state: ") || strings.HasSuffix(msg, ".") {
				t.Errorf("error %q: want it to start with its context, lower-case, without a trailing full stop", msg)
			}
		})
	}
}

func TestFixturesParse(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"tfstate-modules.json", "tfstate-g1.json"} {
		st := loadState(t, name)
		if len(st.Instances) < 30 {
			t.Errorf("%s: %d instances; the fixture has more", name, len(st.Instances))
		}
		if s := st.String(); strings.Contains(s, "secret") {
			t.Errorf("State.String() = %q; want a summary without attributes", s)
		}
	}
}
