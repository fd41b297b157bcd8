package compute_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/londonaicentre/flip-hub/compute"
	"github.com/londonaicentre/flip-hub/internal/testexec"
)

func userData(t *testing.T, arch string) string {
	t.Helper()
	ud, err := compute.UserData(compute.UserDataArgs{Region: "eu-west-2", Arch: arch, LogGroups: compute.LogGroups{
		Containers: "/flip-test-hub-containers", System: "/flip-test-hub-system", Deploy: "/flip-test-hub-deploy",
	}})
	if err != nil {
		t.Fatalf("UserData: %v", err)
	}
	return ud
}

// heredoc returns the body of the quoted heredoc ending at delimiter.
func heredoc(t *testing.T, script, delimiter string) string {
	t.Helper()
	start := strings.Index(script, "<<'"+delimiter+"'\n")
	end := strings.Index(script, "\n"+delimiter+"\n")
	if start < 0 || end < start {
		t.Fatalf("no heredoc %s", delimiter)
	}
	return script[start+len("<<'"+delimiter+"'\n") : end+1]
}

func TestUserDataInstalls(t *testing.T) {
	t.Parallel()
	ud := userData(t, "amd64")
	must := []string{
		"#!/bin/bash\n",
		"set -euo pipefail",
		// Docker Engine with the compose plugin, from Docker's repository, key pinned.
		"https://download.docker.com/linux/ubuntu",
		"readonly DOCKER_KEY_FPR='" + compute.DockerKeyFingerprint + "'",
		"docker-ce docker-ce-cli containerd.io docker-compose-plugin",
		"systemctl enable --now docker",
		// The AWS CLI.
		"snap install aws-cli --classic",
		// The CloudWatch agent, signature verified, configured and started.
		"readonly CWAGENT_KEY_FPR='" + compute.CloudWatchAgentKeyFingerprint + "'",
		`gpg --batch --quiet --homedir "${tmp}/gnupg" --verify`,
		"amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c file:",
	}
	for _, m := range must {
		if !strings.Contains(ud, m) {
			t.Errorf("user data lacks %q", m)
		}
	}
	if len(ud) > 16<<10 {
		t.Errorf("user data is %d bytes; EC2 allows 16 KiB", len(ud))
	}

	var agent struct {
		Agent struct {
			RunAsUser string `json:"run_as_user"`
		} `json:"agent"`
		Logs struct {
			LogsCollected struct {
				Files struct {
					CollectList []struct {
						FilePath         string `json:"file_path"`
						LogGroupName     string `json:"log_group_name"`
						PublishMultiLogs bool   `json:"publish_multi_logs"`
						RetentionInDays  *int   `json:"retention_in_days"`
					} `json:"collect_list"`
				} `json:"files"`
			} `json:"logs_collected"`
		} `json:"logs"`
	}
	if err := json.Unmarshal([]byte(heredoc(t, ud, "FLIP_EOF_CWAGENT")), &agent); err != nil {
		t.Fatalf("CloudWatch agent config is not JSON: %v", err)
	}
	groups := map[string]string{}
	for _, c := range agent.Logs.LogsCollected.Files.CollectList {
		groups[c.FilePath] = c.LogGroupName
		if c.RetentionInDays != nil {
			t.Errorf("%s sets retention in the agent; the stack owns it", c.FilePath)
		}
		if strings.Contains(c.FilePath, "*") && !c.PublishMultiLogs {
			t.Errorf("%s is a wildcard without publish_multi_logs: only the newest container would ship", c.FilePath)
		}
	}
	if groups["/var/lib/docker/containers/*/*-json.log"] != "/flip-test-hub-containers" || groups["/var/log/syslog"] != "/flip-test-hub-system" {
		t.Errorf("agent ships %v", groups)
	}

	var daemon struct {
		LogDriver string            `json:"log-driver"`
		LogOpts   map[string]string `json:"log-opts"`
	}
	if err := json.Unmarshal([]byte(heredoc(t, ud, "FLIP_EOF_DAEMON")), &daemon); err != nil {
		t.Fatalf("docker daemon.json is not JSON: %v", err)
	}
	if daemon.LogDriver != "json-file" || daemon.LogOpts["max-size"] == "" {
		t.Errorf("docker logs %+v: want rotated json-file logs the agent can read", daemon)
	}
}

// TestUserDataHoldsNoSecret: nothing in the bootstrap reads or carries a credential.
func TestUserDataHoldsNoSecret(t *testing.T) {
	t.Parallel()
	ud := userData(t, "arm64")
	forbidden := []*regexp.Regexp{
		regexp.MustCompile(`(AKIA|ASIA)[A-Z0-9]{16}`),
		regexp.MustCompile(`(?i)aws_secret_access_key|aws_session_token|aws configure set`),
		regexp.MustCompile(`(?i)secretsmanager|get-secret-value|password|ghp_|BEGIN [A-Z ]*PRIVATE KEY`),
	}
	for _, re := range forbidden {
		if m := re.FindString(ud); m != "" {
			t.Errorf("user data contains %q", m)
		}
	}
}

func TestUserDataPassesShellcheck(t *testing.T) {
	t.Parallel()
	bin := testexec.ShellcheckBin(t)
	for _, arch := range []string{"amd64", "arm64"} {
		path := filepath.Join(t.TempDir(), "user-data.sh")
		if err := os.WriteFile(path, []byte(userData(t, arch)), 0o600); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(bin, "--shell=bash", "--severity=style", path).CombinedOutput(); err != nil {
			t.Errorf("%s: shellcheck: %v\n%s", arch, err, out)
		}
		if out, err := exec.Command("bash", "-n", path).CombinedOutput(); err != nil {
			t.Errorf("%s: bash -n: %v\n%s", arch, err, out)
		}
	}
}

func TestUserDataRejected(t *testing.T) {
	t.Parallel()
	good := compute.UserDataArgs{Region: "eu-west-2", Arch: "amd64", LogGroups: compute.LogGroups{Containers: "/a", System: "/b"}}
	cases := map[string]func(*compute.UserDataArgs){
		"bad region":          func(a *compute.UserDataArgs) { a.Region = "eu-west-2a" },
		"bad arch":            func(a *compute.UserDataArgs) { a.Arch = "x86_64" },
		"quote in log group":  func(a *compute.UserDataArgs) { a.LogGroups.Containers = "/a'b" },
		"no system log group": func(a *compute.UserDataArgs) { a.LogGroups.System = "" },
	}
	for name, mutate := range cases {
		a := good
		mutate(&a)
		if _, err := compute.UserData(a); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := compute.UserData(good); err != nil {
		t.Errorf("fixture rejected: %v", err)
	}
}

// The user data's fingerprint check runs against real OpenPGP key files: the pinned key alone
// matches; the pinned key followed by another does not (the whole file would become trusted).
func TestUserDataFingerprintNeedsTheOneKey(t *testing.T) {
	t.Parallel()
	gpg, err := exec.LookPath("gpg")
	if err != nil {
		t.Skip("gpg is not installed")
	}
	ud := userData(t, "amd64")
	fn := regexp.MustCompile(`(?m)^fingerprint\(\) \{.*\}$`).FindString(ud)
	if fn == "" {
		t.Fatal("no fingerprint() in the user data")
	}
	home := t.TempDir()
	gen := func(uid string) string {
		cmd := exec.Command(gpg, "--batch", "--homedir", home, "--passphrase", "", "--quick-gen-key", uid, "ed25519", "sign", "never")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("gpg gen-key: %v\n%s", err, out)
		}
		out, err := exec.Command(gpg, "--batch", "--homedir", home, "--with-colons", "--fingerprint", uid).Output()
		if err != nil {
			t.Fatal(err)
		}
		return regexp.MustCompile(`(?m)^fpr:+([0-9A-F]{40}):`).FindStringSubmatch(string(out))[1]
	}
	pinned := gen("pinned@example.test")
	gen("other@example.test")
	export := func(name string, uids ...string) string {
		path := filepath.Join(home, name)
		out, err := exec.Command(gpg, append([]string{"--batch", "--homedir", home, "--armor", "--export"}, uids...)...).Output()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, out, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	cases := []struct {
		name, file string
		match      bool
	}{
		{"the pinned key alone", export("one.asc", "pinned@example.test"), true},
		{"the pinned key and another", export("two.asc", "pinned@example.test", "other@example.test"), false},
		{"another key", export("other.asc", "other@example.test"), false},
	}
	for _, c := range cases {
		script := fn + "\n[[ \"$(fingerprint \"$1\")\" == \"$2\" ]]\n"
		cmd := exec.Command("bash", "-c", script, "check", c.file, pinned)
		cmd.Env = append(os.Environ(), "GNUPGHOME="+home)
		if err := cmd.Run(); (err == nil) != c.match {
			t.Errorf("%s: matches the pin = %v, want %v", c.name, err == nil, c.match)
		}
	}
}
