package plan

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/londonaicentre/flip-hub/config"
)

func writeProject(t *testing.T, project, stack string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Pulumi.yaml"), []byte(project), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Pulumi.test.yaml"), []byte(stack), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestLoadStackConfig(t *testing.T) {
	t.Parallel()
	dir := writeProject(t, `
name: flip-hub
runtime: go
config:
  pulumi:disable-default-providers:
    value: ["*"]
  logRetentionDays:
    type: integer
    default: 90
  fl:
    type: object
    default: {backend: nvflare}
  images:
    type: object
`, `
config:
  aws:region: eu-west-2
  flip-hub:environment: stag
  flip-hub:fl: {backend: flower, port: 9092}
  flip-hub:flipApiAesKey:
    secure: v1:AAAAciphertext
  flip-hub:images:
    tag: sha-1
    nested:
      token:
        secure: v1:BBBBciphertext
  flip-hub:trusts:
    - code: gstt
      egressCidrs: [203.0.113.0/28]
`)
	c, err := LoadStackConfig(dir, "test")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ key, want string }{
		{"aws:region", "eu-west-2"},
		{"flip-hub:environment", "stag"},
		{"flip-hub:logRetentionDays", "90"},
		{"flip-hub:fl", `{"backend":"flower","port":9092}`},
		{"flip-hub:trusts", `[{"code":"gstt","egressCidrs":["203.0.113.0/28"]}]`},
		{"pulumi:disable-default-providers", `["*"]`},
	}
	for _, tc := range cases {
		if got := c.Values[tc.key]; got != tc.want {
			t.Errorf("%s = %q; want %q", tc.key, got, tc.want)
		}
	}
	aes := c.Values[config.KeyFlipAPIAESKey]
	if b, err := base64.StdEncoding.DecodeString(aes); err != nil || len(b) != 32 {
		t.Errorf("fake aes key %q is not base64 of 32 bytes", aes)
	}
	if strings.Contains(c.Values["flip-hub:images"], "ciphertext") || !strings.Contains(c.Values["flip-hub:images"], "fake-secret-") {
		t.Errorf("nested secure value not replaced: %s", c.Values["flip-hub:images"])
	}
	wantSecret := []string{config.KeyFlipAPIAESKey, "flip-hub:images"}
	if !slices.Equal(c.SecretKeys, wantSecret) {
		t.Errorf("secret keys %v; want %v", c.SecretKeys, wantSecret)
	}
	if _, has := c.Values["flip-hub:nested"]; has {
		t.Error("nested keys leaked to the top level")
	}
}

func TestLoadStackConfigErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, project, stack, stackName string
	}{
		{"missing stack file", "name: flip-hub\nruntime: go\n", "config: {}\n", "other"},
		{"broken yaml", "name: flip-hub\nruntime: go\n", "config: [\n", "test"},
		{"no project name", "runtime: go\n", "config: {}\n", "test"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := writeProject(t, tc.project, tc.stack)
			if _, err := LoadStackConfig(dir, tc.stackName); err == nil {
				t.Fatal("loaded; want an error")
			}
		})
	}
}

func TestFakeSecretShapes(t *testing.T) {
	t.Parallel()
	if FakeSecret("a") == FakeSecret("b") {
		t.Fatal("fakes of different keys are equal")
	}
	if first, again := FakeSecret("a"), FakeSecret("a"); first != again {
		t.Fatal("fakes are not deterministic")
	}
	isk := FakeSecret(config.KeyFlipAPIInternalServiceKey)
	if len(isk) < 43 || strings.ContainsAny(isk, "+/=") {
		t.Fatalf("fake internal key %q is not URL-safe with 256 bits", isk)
	}
}

func TestLookup(t *testing.T) {
	t.Parallel()
	r := Resource{Inputs: map[string]any{
		"rootBlockDevice": map[string]any{"encrypted": true, "volumeSize": 50.0},
		"ingress":         []any{map[string]any{"fromPort": 443.0}},
		"name":            "x",
	}}
	if !r.Bool("rootBlockDevice.encrypted") || r.Number("rootBlockDevice.volumeSize") != 50 || r.Number("ingress[0].fromPort") != 443 || r.String("name") != "x" {
		t.Fatalf("lookups failed on %v", r.Inputs)
	}
	for _, missing := range []string{"nope", "ingress[3].fromPort", "name.deeper", "rootBlockDevice.size"} {
		if _, ok := r.Lookup(missing); ok {
			t.Errorf("Lookup(%q) found something", missing)
		}
	}
}

func TestStackNames(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"Pulumi.yaml", "Pulumi.stag.yaml", "Pulumi.prod.yaml", "Pulumi.dev.yaml.bak", "Pulumi.a.b.yaml", "README.md"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := strings.Join(StackNames(dir), ","), "prod,stag"; got != want {
		t.Fatalf("StackNames = %q, want %q", got, want)
	}
	if got := StackNames(filepath.Join(dir, "missing")); len(got) != 0 {
		t.Fatalf("StackNames of a missing dir = %v", got)
	}
	// The repository's own stack files.
	if got := strings.Join(StackNames("../.."), ","); got != "prod,stag" {
		t.Fatalf("StackNames(repo) = %q, want prod,stag", got)
	}
}
