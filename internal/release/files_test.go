package release

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// hubOutputs exports the outputs the env and ssh-config writers read, plus a secret.
func hubOutputs(ctx *pulumi.Context) error {
	ctx.Export("region", pulumi.String("eu-west-2"))
	ctx.Export("domain", pulumi.String("stag.example.org"))
	ctx.Export("apiUrl", pulumi.String("https://stag.example.org/api"))
	ctx.Export("hubInstanceId", pulumi.String("i-0123456789abcdef0"))
	ctx.Export("userPoolId", pulumi.String("eu-west-2_AbCdEf"))
	ctx.Export("dbPort", pulumi.Int(5432))
	ctx.Export("aesKeyBase64", pulumi.ToSecret(pulumi.String("c2VjcmV0LWFlcy1rZXk=")))
	return nil
}

func TestCLIWriteEnv(t *testing.T) {
	t.Parallel()
	cases := []struct {
		stack, file string
	}{
		{"stag", ".env.stag"},
		{"prod", ".env.production"},
	}
	for _, tc := range cases {
		t.Run(tc.stack, func(t *testing.T) {
			t.Parallel()
			p := newProject(t)
			ctx := context.Background()
			st, _ := p.open(t, tc.stack, hubOutputs, false)
			if err := st.Up(ctx, UpOptions{}); err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			own := filepath.Join(dir, tc.file)
			if err := os.WriteFile(own, []byte("# operator notes\nMY_SETTING=keep\nDOMAIN=stale.example.org\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			path, changed, err := st.WriteEnv(ctx, dir)
			if err != nil || !changed || path != own {
				t.Fatalf("WriteEnv = %s, %v, %v; want %s written", path, changed, err, own)
			}
			b, _ := os.ReadFile(path)
			got := string(b)
			for _, want := range []string{"MY_SETTING=keep\n", "AWS_REGION=eu-west-2\n", "DOMAIN=stag.example.org\n", "HUB_INSTANCE_ID=i-0123456789abcdef0\n", "DB_PORT=5432\n", "AWS_COGNITO_USER_POOL_ID=eu-west-2_AbCdEf\n", "CENTRAL_HUB_API_URL=https://stag.example.org/api\n"} {
				if !strings.Contains(got, want) {
					t.Errorf("env file lacks %q:\n%s", want, got)
				}
			}
			if strings.Contains(got, "stale.example.org") || strings.Contains(got, "c2VjcmV0") {
				t.Errorf("stale or secret value in the env file:\n%s", got)
			}
			if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
				t.Errorf("env file mode %v; want 0600", info.Mode().Perm())
			}
			if _, changed, err := st.WriteEnv(ctx, dir); err != nil || changed {
				t.Errorf("second WriteEnv changed the file (%v, %v)", changed, err)
			}
		})
	}
}

func TestCLIWriteSSHConfig(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	ctx := context.Background()
	st, _ := p.open(t, "stag", hubOutputs, false)
	if err := st.Up(ctx, UpOptions{}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(path, []byte("Host bastion\n  HostName 192.0.2.1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	alias, err := st.WriteSSHConfig(ctx, SSHOptions{Path: path, User: "ubuntu", IdentityFile: "~/.ssh/id_ed25519"})
	if err != nil || alias != "flip-stag" {
		t.Fatalf("WriteSSHConfig = %q, %v", alias, err)
	}
	b, _ := os.ReadFile(path)
	got := string(b)
	if !strings.HasPrefix(got, "Host bastion\n  HostName 192.0.2.1\n") || !strings.Contains(got, "HostName i-0123456789abcdef0") || !strings.Contains(got, "AWS-StartSSHSession") {
		t.Fatalf("ssh config:\n%s", got)
	}
	empty, _ := p.open(t, "prod", hubLike(nil), false)
	if err := empty.Up(ctx, UpOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := empty.WriteSSHConfig(ctx, SSHOptions{Path: path, User: "ubuntu", IdentityFile: "~/.ssh/k"}); CodeOf(err) != Failed {
		t.Fatalf("ssh-config for a stack without a host: %v; want a clear failure", err)
	}
}
