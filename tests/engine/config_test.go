package engine

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/londonaicentre/flip-hub/internal/plan"
)

// TestStackConfigAgreesWithTheCLI runs the real pulumi CLI over the repository's own
// Pulumi.yaml and stack files, as they are and with one key changed, and checks that the
// offline loader behind `hubctl plan` refuses exactly what the CLI refuses, with the CLI's
// message. Nothing here needs a plugin: the CLI validates config before it loads any.
func TestStackConfigAgreesWithTheCLI(t *testing.T) {
	t.Parallel()
	requireSuite(t)
	cases := []struct {
		name  string
		stack string
		edit  func(cfg map[string]any)
		want  string // the CLI's refusal; "" for none
	}{
		{name: "stag as committed", stack: "stag"},
		{name: "prod as committed", stack: "prod"},
		{name: "optional keys left out", stack: "stag", edit: func(cfg map[string]any) {
			for _, k := range []string{"flip-hub:database", "flip-hub:host", "flip-hub:trusts", "flip-hub:logRetentionDays"} {
				delete(cfg, k)
			}
		}},
		{name: "a required object missing", stack: "stag", edit: func(cfg map[string]any) { delete(cfg, "flip-hub:edge") },
			want: "Stack 'stag' is missing configuration value 'edge'"},
		{name: "fl missing (its kitDate is required)", stack: "stag", edit: func(cfg map[string]any) { delete(cfg, "flip-hub:fl") },
			want: "Stack 'stag' is missing configuration value 'fl'"},
		{name: "two required keys missing", stack: "prod", edit: func(cfg map[string]any) {
			delete(cfg, "flip-hub:images")
			delete(cfg, "flip-hub:environment")
		}, want: "Stack 'prod' is missing configuration values 'environment' and 'images'"},
		{name: "trusts not a list", stack: "stag", edit: func(cfg map[string]any) { cfg["flip-hub:trusts"] = "gstt" },
			want: "Stack 'stag' with configuration key 'trusts' must be of type 'array<object>'"},
		{name: "database not an object", stack: "prod", edit: func(cfg map[string]any) { cfg["flip-hub:database"] = []any{"flip"} },
			want: "Stack 'prod' with configuration key 'database' must be of type 'object'"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := scratchProject(t, c.stack, c.edit)
			cli := cliConfigVerdict(t, dir, c.stack)
			if cli != c.want {
				t.Fatalf("the pulumi CLI says %q, want %q", cli, c.want)
			}
			_, err := plan.LoadStackConfig(dir, c.stack)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != cli {
				t.Errorf("plan.LoadStackConfig says %q where the CLI says %q", got, cli)
			}
			if cli == "" {
				if _, err := plan.Run(plan.Options{Stack: c.stack, Dir: dir}); err != nil {
					t.Errorf("config the CLI accepts fails the program: %v", err)
				}
			}
		})
	}
}

// TestPulumiConfigListsProd: `pulumi config -s prod` works on the committed files with no secret set.
func TestPulumiConfigListsProd(t *testing.T) {
	t.Parallel()
	requireSuite(t)
	dir := scratchProject(t, "prod", nil)
	out, err := pulumiIn(dir, "config", "-s", "prod").CombinedOutput()
	if err != nil {
		t.Fatalf("pulumi config -s prod: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "flip-hub:environment") && !strings.Contains(string(out), "environment") {
		t.Errorf("pulumi config -s prod lists no environment:\n%s", out)
	}
}

// scratchProject copies Pulumi.yaml and one stack file, edited, into a new directory with a
// file backend, and initialises the stack there.
func scratchProject(t *testing.T, stack string, edit func(map[string]any)) string {
	t.Helper()
	dir := t.TempDir()
	b, err := os.ReadFile(filepath.Join(suite.repo, "Pulumi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Pulumi.yaml"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	sb, err := os.ReadFile(filepath.Join(suite.repo, "Pulumi."+stack+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		var doc map[string]any
		if err := yaml.Unmarshal(sb, &doc); err != nil {
			t.Fatal(err)
		}
		edit(doc["config"].(map[string]any))
		if sb, err = yaml.Marshal(doc); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "Pulumi."+stack+".yaml"), sb, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := pulumiIn(dir, "stack", "init", stack).CombinedOutput(); err != nil {
		t.Fatalf("pulumi stack init: %v\n%s", err, out)
	}
	return dir
}

func pulumiIn(dir string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(suite.pulumiRoot, "bin", "pulumi"), append(args, "--non-interactive")...)
	cmd.Dir = dir
	cmd.Env = append(cleanEnv(),
		"PULUMI_HOME="+filepath.Join(dir, ".home"),
		"PULUMI_BACKEND_URL=file://"+dir,
		"PULUMI_CONFIG_PASSPHRASE="+testPassphrase,
		"PULUMI_SKIP_UPDATE_CHECK=true",
		"PULUMI_IGNORE_AMBIENT_PLUGINS=true",
		"PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true",
	)
	return cmd
}

// cliConfigVerdict runs `pulumi preview` and returns the CLI's config refusal, or "" when it got
// past config validation (it then stops at the Go language host, which is not installed here).
func cliConfigVerdict(t *testing.T, dir, stack string) string {
	t.Helper()
	out, _ := pulumiIn(dir, "preview", "-s", stack).CombinedOutput()
	text := string(out)
	const prefix = "error: validating stack config: "
	if i := strings.Index(text, prefix); i >= 0 {
		line, _, _ := strings.Cut(text[i+len(prefix):], "\n")
		return strings.TrimSpace(line)
	}
	if !strings.Contains(text, "language plugin") {
		t.Fatalf("pulumi preview neither refused the config nor reached the language host:\n%s", text)
	}
	return ""
}
