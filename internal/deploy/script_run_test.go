package deploy_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/londonaicentre/flip-hub/internal/deploy"
	"github.com/londonaicentre/flip-hub/internal/testexec"
)

// The deploy script is run here for real, by bash, against stub commands: cloud-init, systemctl,
// docker, aws, curl, chown and sleep are small scripts that log their arguments and play a
// scripted host; everything else (python3, install, mktemp, mv, timeout...) is the real thing.
// /opt/flip is moved into a temporary directory.

const (
	stubInternalKey = "Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5d2FsZG8"
	stubToken       = "ghp_stubtokenstubtokenstubtoken0000"
)

var stubs = map[string]string{
	"cloud-init": `exit "${STUB_CLOUDINIT_RC:-0}"`,
	"systemctl": `case " $* " in
*" restart flip-firewall.service "*) exit "${STUB_FIREWALL_RC:-0}" ;;
*" start flip-fl-credentials.service "*) exit "${STUB_CREDENTIALS_RC:-0}" ;;
esac
exit 0`,
	"sleep": `exec /bin/sleep 0.1`,
	"chown": `exit 0`,
	"curl":  `printf '%s' "${STUB_HEALTH:-200}"; [ "${STUB_HEALTH:-200}" = 200 ] || exit 22`,
	"docker": `case " $* " in
*" login "*) cat >"${STUB_DIR}/login-stdin" ;;
*" ps --status running --services "*) printf '%s\n' flip-api "${STUB_FL_RUNNING-fl-server-net-1}" ;;
esac
exit 0`,
	"aws": `case " $* " in
*" get-secret-value "*registry-token*) printf '%s\n' "${STUB_TOKEN}" ;;
*" get-secret-value "*) printf '%s\n' "${STUB_SECRET_JSON}" ;;
*" s3 sync "*)
	dest="${*: -1}"
	if [ -z "${STUB_KIT_EMPTY:-}" ]; then mkdir -p "${dest}" && printf 'kit\n' >"${dest}/fed_server.json"; fi ;;
esac
exit 0`,
}

type runResult struct {
	// base stands for / on the host; root is base + deploy.Dir.
	base, root, log, stdout, stderr string
	code                            int
}

// runScript runs a rendered script under the stubs with extra environment.
func runScript(t *testing.T, b deploy.Bundle, env ...string) runResult {
	t.Helper()
	return runScriptLocked(t, b, false, env...)
}

// runScriptLocked runs the script, with another deploy holding the host's deploy lock when lockHeld.
func runScriptLocked(t *testing.T, b deploy.Bundle, lockHeld bool, env ...string) runResult {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	root := filepath.Join(dir, "root")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(dir, "argv.log")
	for name, body := range stubs {
		script := "#!/bin/bash\nprintf '%s\\n' \"" + name + " $*\" >>\"${STUB_LOG}\"\n" + body + "\n"
		testexec.Write(t, filepath.Join(bin, name), script, 0o755)
	}
	script := strings.ReplaceAll(b.Script, deploy.Dir, root+deploy.Dir)
	// /etc moves too: the script writes systemd units and apt settings there.
	etc := filepath.Join(dir, "etc")
	for _, d := range []string{"systemd/system", "apt/apt.conf.d"} {
		if err := os.MkdirAll(filepath.Join(etc, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if !strings.Contains(script, "readonly ETC_DIR='/etc'\n") {
		t.Fatal("the script does not set ETC_DIR; it would write this machine's /etc")
	}
	script = strings.Replace(script, "readonly ETC_DIR='/etc'\n", "readonly ETC_DIR="+shellQuoted(etc)+"\n", 1)
	if strings.Contains(script, `"/etc/`) || strings.Contains(script, " /etc/") {
		t.Fatal("the script names /etc other than through ETC_DIR")
	}
	// Give up on flip-api's health after a second rather than minutes.
	script = strings.Replace(script, "readonly HEALTH_TIMEOUT=", "readonly HEALTH_TIMEOUT=1 #", 1)
	script = strings.Replace(script, "readonly LOCK_TIMEOUT=", "readonly LOCK_TIMEOUT=1 #", 1)
	if lockHeld {
		lockDir := root + deploy.Dir
		if err := os.MkdirAll(lockDir, 0o750); err != nil {
			t.Fatal(err)
		}
		f, err := os.OpenFile(filepath.Join(lockDir, ".deploy.lock"), os.O_CREATE|os.O_RDWR, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "deploy.sh")
	if err := os.WriteFile(path, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", path)
	cmd.Env = append([]string{
		"PATH=" + bin + ":" + os.Getenv("PATH"),
		"HOME=" + dir,
		"TMPDIR=" + dir,
		"STUB_LOG=" + logPath,
		"STUB_DIR=" + dir,
		"STUB_TOKEN=" + stubToken,
		`STUB_SECRET_JSON={"aes_key":"x","internal_service_key":"` + stubInternalKey + `","internal_service_key_hash":"y"}`,
	}, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := runResult{base: root, root: root + deploy.Dir, stdout: stdout.String(), stderr: stderr.String()}
	if err != nil {
		var ee *exec.ExitError
		ok := errors.As(err, &ee)
		if !ok {
			t.Fatalf("run script: %v", err)
		}
		res.code = ee.ExitCode()
	}
	logText, _ := os.ReadFile(logPath)
	res.log = string(logText)
	return res
}

func TestScriptRunsOnAHost(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not installed")
	}
	for _, backend := range []deploy.Backend{deploy.NVFlare, deploy.Flower} {
		t.Run(string(backend)+" healthy", func(t *testing.T) {
			t.Parallel()
			b := render(t, validSpec(backend))
			r := runScript(t, b)
			if r.code != 0 {
				t.Fatalf("exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
			}
			compose, err := os.ReadFile(filepath.Join(r.root, "compose.yaml"))
			if err != nil || !strings.Contains(string(compose), "flip-api:sha-1a2b3c4") {
				t.Errorf("compose.yaml not written from the script: %v", err)
			}
			for _, f := range b.EnvFiles {
				got, err := os.ReadFile(filepath.Join(r.root, f.Path))
				if err != nil || string(got) != f.Content {
					t.Errorf("%s on the host differs from the rendered file (%v)", f.Path, err)
				}
			}
			secretFile := filepath.Join(r.root, deploy.SecretEnvFile)
			info, err := os.Stat(secretFile)
			if err != nil || info.Mode().Perm() != 0o600 {
				t.Fatalf("secret env file %v mode %v; want 0600", err, info)
			}
			if got, _ := os.ReadFile(secretFile); string(got) != "INTERNAL_SERVICE_KEY='"+stubInternalKey+"'\n" {
				t.Errorf("secret env file holds %q", got)
			}
			if got, _ := os.ReadFile(filepath.Join(filepath.Dir(r.base), "login-stdin")); string(got) != stubToken {
				t.Errorf("docker login read %q on stdin, want the token", got)
			}
			for _, k := range deploy.KitDirs(backend, "2025-06-01") {
				if _, err := os.Stat(filepath.Join(r.base, k.Host, "fed_server.json")); err != nil {
					t.Errorf("kit %s not synced into %s: %v", k.S3, k.Host, err)
				}
			}
			if _, err := os.Stat(filepath.Join(r.root, "deployed.env")); err != nil {
				t.Errorf("no state file: %v", err)
			}
			// The host machinery is installed, and the firewall and fl-server's credentials
			// are in place before any container starts.
			etc := filepath.Join(filepath.Dir(r.base), "etc")
			for path, mode := range map[string]os.FileMode{
				filepath.Join(r.base, deploy.FirewallScript):                    0o750,
				filepath.Join(r.base, deploy.CredentialsScript):                 0o750,
				filepath.Join(etc, "systemd/system", deploy.FirewallUnit):       0o644,
				filepath.Join(etc, "systemd/system", deploy.CredentialsUnit):    0o644,
				filepath.Join(etc, "systemd/system", deploy.CredentialsTimer):   0o644,
				filepath.Join(etc, strings.TrimPrefix(deploy.AptConf, "/etc/")): 0o644,
			} {
				if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != mode {
					t.Errorf("%s: %v, mode %v; want %v", path, err, fi, mode)
				}
			}
			firewall := strings.Index(r.log, "systemctl restart "+deploy.FirewallUnit)
			creds := strings.Index(r.log, "systemctl start "+deploy.CredentialsUnit)
			up := strings.Index(r.log, "up --detach --remove-orphans")
			if firewall < 0 || creds < 0 || up < 0 || firewall > up || creds > up {
				t.Errorf("firewall at %d, credentials at %d, compose up at %d in the command log; want both before up:\n%s", firewall, creds, up, r.log)
			}
			// Secrets never reach any command line or the output SSM keeps.
			for _, s := range []string{stubInternalKey, stubToken} {
				if strings.Contains(r.log, s) || strings.Contains(r.stdout, s) || strings.Contains(r.stderr, s) {
					t.Errorf("a secret appears in argv or output")
				}
			}
			for _, want := range []string{
				"docker compose --project-name flip",
				"pull --quiet",
				"up --detach --remove-orphans",
				"curl -fsS --max-time 5 -o /dev/null -w %{http_code} http://127.0.0.1:8000/api/health",
				wantKitSync[backend],
			} {
				if !strings.Contains(r.log, want) {
					t.Errorf("no %q among the commands run:\n%s", want, r.log)
				}
			}
		})
	}

	failures := []struct {
		name string
		env  []string
		want string
	}{
		{"flip-api never healthy", []string{"STUB_HEALTH=503"}, "flip-api is not healthy"},
		{"fl-server not running", []string{"STUB_FL_RUNNING="}, "fl-server-net-1 is not running"},
		{"empty kit", []string{"STUB_KIT_EMPTY=1"}, "the FL kit s3://flip-stag-fl-kits/fl-flare-participant-kits/2025-06-01/net-1/services/fl-server-net-1/startup/ is empty"},
		{"bootstrap failed", []string{"STUB_CLOUDINIT_RC=1"}, "the host bootstrap failed"},
		{"secret without the key", []string{`STUB_SECRET_JSON={"aes_key":"x"}`}, "cannot write the fl-server secret env file"},
		{"firewall not applied", []string{"STUB_FIREWALL_RC=1"}, "the host firewall could not be applied"},
		{"fl-server role not assumable", []string{"STUB_CREDENTIALS_RC=1"}, "cannot assume the fl-server role"},
	}
	for _, tc := range failures {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runScript(t, render(t, validSpec(deploy.NVFlare)), tc.env...)
			if r.code == 0 || !strings.Contains(r.stderr, "FAILED: ") || !strings.Contains(r.stderr, tc.want) {
				t.Fatalf("exit %d, stderr %q; want a failure saying %q", r.code, r.stderr, tc.want)
			}
			if strings.Contains(r.stdout, "deployed:") {
				t.Error("a failed deploy reported success")
			}
			if strings.HasPrefix(tc.name, "firewall") || strings.HasPrefix(tc.name, "fl-server role") {
				if strings.Contains(r.log, "up --detach") {
					t.Error("containers started without the firewall or fl-server's credentials")
				}
			}
			if tc.name == "flip-api never healthy" && !strings.Contains(r.log, "ps --all") {
				t.Error("an unhealthy deploy does not show the containers' state")
			}
		})
	}
}

// wantKitSync is one sync each backend's deploy must run: from the kits bucket in FLIP's
// provisioning layout (ecs_efs_provision.tf @08a2ee9 for NVFLARE, package-onprem-trust-kit.sh for
// Flower), Flower's certificates without the CA's private key.
var wantKitSync = map[deploy.Backend]string{
	deploy.NVFlare: "aws s3 sync --only-show-errors --no-progress s3://flip-stag-fl-kits/fl-flare-participant-kits/2025-06-01/net-1/services/fl-server-net-1/startup/ ",
	deploy.Flower:  "aws s3 sync --only-show-errors --no-progress --exclude * --include ca.crt --include server.pem --include server.key s3://flip-stag-fl-kits/fl-flower-participant-kits/2025-06-01/net-1/certificates/ ",
}

// A deploy that finds another holding the host's lock gives up instead of running alongside it.
func TestScriptWaitsForTheDeployLock(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("flock"); err != nil {
		t.Skip("flock is not installed")
	}
	r := runScriptLocked(t, render(t, validSpec(deploy.NVFlare)), true)
	if r.code == 0 || !strings.Contains(r.stderr, "another deploy still holds") {
		t.Fatalf("exit %d, stderr %q; want a refusal naming the lock", r.code, r.stderr)
	}
	if strings.Contains(r.log, "pull --quiet") || strings.Contains(r.log, "up --detach") {
		t.Errorf("the deploy ran compose while another held the lock:\n%s", r.log)
	}
}

// shellQuoted single-quotes a path for bash (the test's temporary paths hold no quote).
func shellQuoted(s string) string { return "'" + s + "'" }
