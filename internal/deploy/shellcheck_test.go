package deploy_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/londonaicentre/flip-hub/internal/deploy"
	"github.com/londonaicentre/flip-hub/internal/testexec"
)

// TestScriptPassesShellcheck runs shellcheck, every default check down to style, and bash -n over
// the script of every backend, with and without a registry token.
func TestScriptPassesShellcheck(t *testing.T) {
	t.Parallel()
	bin := testexec.ShellcheckBin(t)
	for _, backend := range []deploy.Backend{deploy.NVFlare, deploy.Flower} {
		for _, token := range []bool{true, false} {
			name := string(backend) + "/token"
			if !token {
				name = string(backend) + "/anonymous"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				s := validSpec(backend)
				if !token {
					s.RegistryTokenSecretARN = ""
				}
				path := filepath.Join(t.TempDir(), "deploy.sh")
				if err := os.WriteFile(path, []byte(render(t, s).Script), 0o600); err != nil {
					t.Fatal(err)
				}
				if out, err := exec.Command(bin, "--shell=bash", "--severity=style", path).CombinedOutput(); err != nil {
					t.Errorf("shellcheck: %v\n%s", err, out)
				}
				if out, err := exec.Command("bash", "-n", path).CombinedOutput(); err != nil {
					t.Errorf("bash -n: %v\n%s", err, out)
				}
			})
		}
	}
}

// TestHostScriptsPassShellcheck checks the scripts the deploy installs on the host the same way.
func TestHostScriptsPassShellcheck(t *testing.T) {
	t.Parallel()
	bin := testexec.ShellcheckBin(t)
	script := render(t, validSpec(deploy.NVFlare)).Script
	for _, p := range []string{deploy.FirewallScript, deploy.CredentialsScript} {
		t.Run(filepath.Base(p), func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), filepath.Base(p))
			if err := os.WriteFile(path, []byte(hostFile(t, script, p)), 0o600); err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command(bin, "--shell=bash", "--severity=style", path).CombinedOutput(); err != nil {
				t.Errorf("shellcheck: %v\n%s", err, out)
			}
		})
	}
}
