package engine

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/londonaicentre/flip-hub/internal/testpg"
)

// suite is what every engine test shares: the hubctl under test, the pulumi CLI, a
// PULUMI_HOME holding the test provider plugins, and the services the commands reach.
var suite struct {
	repo       string
	bin        string // holds hubctl (the test's wrapper) and hubctl.real
	pulumiRoot string
	home       string
	setupErr   error

	pg    *testpg.Server
	pgErr error
}

func TestMain(m *testing.M) {
	if served, err := servePlugin(); served {
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1) //nolint:forbidigo // this process is a provider plugin: its exit status is its report
		}
		return
	}
	// The tests spend much of their time waiting (creates that stand for RDS's minutes, SSM
	// polling, process start-up), so three run at once even on two cores, unless -parallel says
	// otherwise.
	flag.Parse()
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "test.parallel" })
	if !explicit {
		_ = flag.Set("test.parallel", "3")
	}
	tmp, err := os.MkdirTemp("", "flip-engine-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	suite.setupErr = setup(tmp)
	var stopPG func()
	suite.pg, stopPG, suite.pgErr = testpg.StartMain()
	defer stopPG()
	m.Run()
}

// setup builds hubctl, finds the pulumi CLI and installs the test providers.
func setup(tmp string) error {
	_, file, _, _ := runtime.Caller(0)
	suite.repo = filepath.Dir(filepath.Dir(filepath.Dir(file)))
	root, err := pulumiRoot(suite.repo)
	if err != nil {
		return err
	}
	suite.pulumiRoot = root
	suite.bin = filepath.Join(tmp, "bin")
	suite.home = filepath.Join(tmp, "pulumi-home")
	for _, d := range []string{suite.bin, suite.home, filepath.Join(tmp, "plugins")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	// go install into the (git-ignored) tool cache rather than go build -o: it skips the link of
	// the 250 MB binary, most of a warm setup, when the installed one is up to date.
	gobin := filepath.Join(suite.repo, ".tools", "engine-bin")
	build := exec.Command("go", "install", "./cmd/hubctl")
	build.Dir = suite.repo
	build.Env = append(os.Environ(), "GOBIN="+gobin)
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("build hubctl: %w\n%s", err, out)
	}
	if err := os.Symlink(filepath.Join(gobin, "hubctl"), filepath.Join(suite.bin, "hubctl.real")); err != nil {
		return err
	}
	// The program runs `hubctl ...` from PATH. This wrapper is the suite's only route to the
	// throwaway database: it adds an explicit --dsn to `hubctl trust` commands, so the real
	// hubctl connects directly instead of opening an SSM tunnel. Nothing in the program or in
	// hubctl knows about it.
	wrapper := "#!/bin/sh\n" +
		"real=\"$(dirname \"$0\")/hubctl.real\"\n" +
		"if [ \"$1\" = trust ] && [ -n \"$FLIP_ENGINE_TEST_DSN\" ]; then exec \"$real\" \"$@\" --dsn \"$FLIP_ENGINE_TEST_DSN\"; fi\n" +
		"exec \"$real\" \"$@\"\n"
	if err := os.WriteFile(filepath.Join(suite.bin, "hubctl"), []byte(wrapper), 0o755); err != nil { //nolint:gosec // an executable script
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	// The three installs are independent (one plugin directory each): run them together.
	var g errgroup.Group
	for kind, version := range pluginVersions {
		g.Go(func() error { return installPlugin(tmp, self, kind, version) })
	}
	return g.Wait()
}

// installPlugin installs this test binary as pulumi-resource-<kind> at version in the suite's
// PULUMI_HOME.
func installPlugin(tmp, self, kind, version string) error {
	plugin := filepath.Join(tmp, "plugins", "pulumi-resource-"+kind)
	if err := os.Link(self, plugin); err != nil {
		if err := copyFile(self, plugin); err != nil {
			return err
		}
	}
	install := exec.Command(filepath.Join(suite.pulumiRoot, "bin", "pulumi"), "plugin", "install", "resource", kind, version, "--file", plugin)
	install.Env = append(cleanEnv(), "PULUMI_HOME="+suite.home, "PULUMI_SKIP_UPDATE_CHECK=true")
	if out, err := install.CombinedOutput(); err != nil {
		return fmt.Errorf("install test provider %s: %w\n%s", kind, err, out)
	}
	return nil
}

func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o755) //nolint:gosec // an executable
}

// pulumiRoot is the directory whose bin/pulumi is the CLI .ci/run built.
func pulumiRoot(repo string) (string, error) {
	if root := os.Getenv("HUBCTL_PULUMI_ROOT"); root != "" {
		return root, nil
	}
	if _, err := os.Stat(filepath.Join(repo, ".tools", "bin", "pulumi")); err == nil {
		return filepath.Join(repo, ".tools"), nil
	}
	return "", errors.New("no pulumi CLI: run .ci/run (it builds .tools/bin/pulumi) or set HUBCTL_PULUMI_ROOT")
}

// cleanEnv is this process's environment without anything that could reach a real account,
// a real backend or ambient plugins.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "PULUMI_") || strings.HasPrefix(k, "AWS_") || strings.HasPrefix(k, "FLIP_") || k == "HUBCTL_PULUMI_ROOT" {
			continue
		}
		out = append(out, kv)
	}
	return out
}

func requireSuite(tb testing.TB) {
	tb.Helper()
	if suite.setupErr != nil {
		tb.Fatalf("engine suite setup: %v", suite.setupErr)
	}
}

// result is one hubctl run.
type result struct {
	args           []string
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return fmt.Sprintf("hubctl %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(r.args, " "), r.code, tail(r.stdout, 6000), tail(r.stderr, 6000))
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// run runs hubctl with the hub's environment and waits for it, up to timeout.
func (h *hub) run(timeout time.Duration, args ...string) result {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := h.command(ctx, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := result{args: args, stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		res.code = exit.ExitCode()
	case err != nil:
		h.t.Fatalf("hubctl %v: %v", args, err)
	}
	if ctx.Err() != nil {
		h.t.Fatalf("hubctl %v did not finish in %s\n%s", args, timeout, res)
	}
	return res
}

func (h *hub) command(ctx context.Context, args ...string) *exec.Cmd {
	full := append([]string{"--dir", h.dir}, args...)
	cmd := exec.CommandContext(ctx, filepath.Join(suite.bin, "hubctl"), full...)
	cmd.Env = h.env()
	cmd.Dir = h.dir
	return cmd
}

func (h *hub) env() []string {
	return append(append(cleanEnv(),
		"PATH="+suite.bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"PULUMI_HOME="+suite.home,
		"PULUMI_BACKEND_URL=file://"+h.state,
		"PULUMI_SKIP_UPDATE_CHECK=true",
		"PULUMI_IGNORE_AMBIENT_PLUGINS=true",
		"PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true",
		"HUBCTL_PULUMI_ROOT="+suite.pulumiRoot,
		envRecord+"="+h.record,
		"FLIP_ENGINE_TEST_DSN="+h.dsn,
		// Every AWS call hubctl makes goes to moto (through the SSM front), with fake credentials.
		"AWS_ENDPOINT_URL="+h.awsEndpoint,
		"AWS_ACCESS_KEY_ID=testing",
		"AWS_SECRET_ACCESS_KEY=testing",
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null",
	), h.extraEnv...)
}

const testPassphrase = "engine-suite-passphrase"
