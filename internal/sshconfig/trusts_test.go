package sshconfig_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/londonaicentre/flip-hub/internal/sshconfig"
)

// TestWriteTrusts: one flip-trust-<code> block per AWS-hosted trust, through SSM, beside the
// hub's block; none when the stack has no such trust.
func TestWriteTrusts(t *testing.T) {
	t.Parallel()
	base := sshconfig.Host{User: "ubuntu", IdentityFile: "~/.ssh/id_ed25519"}
	outs := map[string]any{
		"region": "eu-west-2",
		"trustHosts": map[string]any{
			"kch":  map[string]any{"instanceId": "i-0fedcba9876543210"},
			"gstt": map[string]any{"instanceId": "i-0123456789abcdef0"},
		},
	}
	path := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(path, []byte("Host other\n  HostName example.org\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	aliases, err := sshconfig.WriteTrusts(path, outs, base)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(aliases, ",") != "flip-trust-gstt,flip-trust-kch" {
		t.Errorf("aliases %v", aliases)
	}
	b, _ := os.ReadFile(path)
	text := string(b)
	for _, want := range []string{"Host other\n", "Host flip-trust-gstt\n  HostName i-0123456789abcdef0\n", "Host flip-trust-kch\n  HostName i-0fedcba9876543210\n",
		"ssm start-session --target %h --document-name AWS-StartSSHSession"} {
		if !strings.Contains(text, want) {
			t.Errorf("config lacks %q:\n%s", want, text)
		}
	}
	if _, err := sshconfig.WriteTrusts(path, outs, base); err != nil {
		t.Fatal(err)
	}
	if again, _ := os.ReadFile(path); string(again) != text {
		t.Error("a second write changed the file")
	}
	none, err := sshconfig.WriteTrusts(filepath.Join(t.TempDir(), "absent"), map[string]any{"region": "eu-west-2"}, base)
	if err != nil || len(none) != 0 {
		t.Errorf("no AWS-hosted trust: %v %v; want nothing", none, err)
	}
	bad := map[string]any{"region": "eu-west-2", "trustHosts": map[string]any{"gstt": map[string]any{"instanceId": "i-1; rm"}}}
	if _, err := sshconfig.WriteTrusts(path, bad, base); err == nil {
		t.Error("an instance id that is not one was written")
	}
}
