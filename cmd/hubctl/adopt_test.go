package main

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/londonaicentre/flip-hub/internal/testexec"
)

// TestAdoptCommand runs `hubctl adopt` over the repository's own stag stack file and an
// upstream-shaped Terraform state through the real pulumi CLI and a file backend: a dry run
// changes nothing; the real run sets the FLIP_API values as stack secrets (compared by hash:
// the pulumi CLI decrypts them to the fixture's values, and no plaintext lands in the file or
// the output) and writes the imports into the stack file, keeping its comments.
func TestAdoptCommand(t *testing.T) {
	root := testexec.PulumiRoot(t)
	dir := t.TempDir()
	for _, name := range []string{"Pulumi.yaml", "Pulumi.stag.yaml"} {
		b, err := os.ReadFile(filepath.Join("..", "..", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env := []string{"PULUMI_CONFIG_PASSPHRASE=test-only-passphrase", "PULUMI_SKIP_UPDATE_CHECK=true",
		"PULUMI_HOME=" + filepath.Join(dir, ".pulumi-home"), "PULUMI_BACKEND_URL=file://" + t.TempDir()}
	for _, e := range env {
		k, v, _ := strings.Cut(e, "=")
		t.Setenv(k, v)
	}
	stackFile := filepath.Join(dir, "Pulumi.stag.yaml")
	before, _ := os.ReadFile(stackFile)
	tfstate, err := filepath.Abs(filepath.Join("..", "..", "internal", "adopt", "testdata", "tfstate-modules.json"))
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"adopt", "--dir", dir, "--stack", "stag", "--tfstate", tfstate, "--pulumi-root", root}

	out, stderr, code := day2Run(t, "", append(args, "--dry-run")...)
	if code != 0 || !strings.Contains(out, "terraform state rm") {
		t.Fatalf("dry run: exit %d\n%s\n%s", code, out, stderr)
	}
	if after, _ := os.ReadFile(stackFile); string(after) != string(before) {
		t.Fatal("the dry run changed the stack file")
	}

	out, stderr, code = day2Run(t, "", args...)
	if code != 0 {
		t.Fatalf("adopt: exit %d\n%s\n%s", code, out, stderr)
	}
	after, _ := os.ReadFile(stackFile)
	const aesKey, serviceKey = "Zml4dHVyZS1hZXMta2V5LW5vdC1hLXJlYWwta2V5ISE=", "FixtureInternalServiceKey-not-a-real-one-0000"
	for _, plain := range []string{aesKey, serviceKey} {
		if strings.Contains(string(after), plain) || strings.Contains(out+stderr, plain) {
			t.Fatal("a FLIP_API value appears in plain text in the stack file or the output")
		}
	}
	for _, want := range []string{"# Staging hub: disposable.", "flip-hub:imports:", "cognitoUserPool:", "flipApiSecret:",
		"flip-hub:flipApiAesKey:\n    secure:", "flip-hub:flipApiInternalServiceKey:\n    secure:"} {
		if !strings.Contains(string(after), want) {
			t.Errorf("stack file lacks %q:\n%s", want, after)
		}
	}
	for key, want := range map[string]string{"flip-hub:flipApiAesKey": aesKey, "flip-hub:flipApiInternalServiceKey": serviceKey} {
		cmd := exec.Command(filepath.Join(root, "bin", "pulumi"), "config", "get", key, "--stack", "stag")
		cmd.Dir, cmd.Env = dir, append(os.Environ(), env...)
		got, err := cmd.Output()
		if err != nil {
			t.Fatalf("pulumi config get %s: %v", key, err)
		}
		if hash(strings.TrimSpace(string(got))) != hash(want) {
			t.Errorf("%s decrypts to a value with hash %s; want the state's (%s)", key, hash(strings.TrimSpace(string(got))), hash(want))
		}
	}
}

func hash(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:8]) }
