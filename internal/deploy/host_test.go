package deploy_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/londonaicentre/flip-hub/internal/deploy"
	"github.com/londonaicentre/flip-hub/internal/testexec"
)

// hostFile extracts one of the host files the deploy script writes from a heredoc.
func hostFile(t *testing.T, script, path string) string {
	t.Helper()
	written := path
	if rest, ok := strings.CutPrefix(path, "/etc/"); ok {
		written = "${ETC_DIR}/" + rest
	}
	re := regexp.MustCompile(`(?s)write_file "` + regexp.QuoteMeta(written) + `" [0-7]+ <<'(FLIP_EOF_HOST_[0-9]+)'\n(.*?)\n`)
	m := re.FindStringSubmatch(script)
	if m == nil {
		t.Fatalf("the deploy script writes no %s", path)
	}
	body := script[strings.Index(script, m[0])+len(m[0])-len(m[2])-1:]
	end := strings.Index(body, "\n"+m[1]+"\n")
	return body[:end+1]
}

// The firewall script run for real by bash against a stub iptables that keeps its rules in a
// file: the order of each chain's rules is what the kernel evaluates, and a second run (every
// boot, every deploy) leaves the same rules and one jump to each chain.
func TestFirewallScript(t *testing.T) {
	t.Parallel()
	script := hostFile(t, render(t, validSpec(deploy.NVFlare)).Script, deploy.FirewallScript)
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	// State: one file per chain, a rule a line. -C succeeds when the line is there.
	testexec.Write(t, filepath.Join(bin, "iptables"), `#!/bin/bash
state="${STUB_STATE}"
[ "$1" = -w ] && shift 2
op="$1" chain="$2"; shift 2
f="${state}/${chain}"
case "${op}" in
-N) [ -e "${f}" ] && exit 1; : >"${f}" ;;
-F) : >"${f}" ;;
-L) [ -e "${f}" ] || exit 1 ;;
-A) printf '%s\n' "$*" >>"${f}" ;;
-I) shift; { printf '%s\n' "$*"; cat "${f}" 2>/dev/null; } >"${f}.new" && mv "${f}.new" "${f}" ;;
-C) grep -qxF -- "$*" "${f}" ;;
*) exit 2 ;;
esac
`, 0o755)
	path := filepath.Join(dir, "flip-firewall")
	testexec.Write(t, path, script, 0o755)
	state := filepath.Join(dir, "state")
	if err := os.Mkdir(state, 0o700); err != nil {
		t.Fatal(err)
	}
	run := func() (string, error) {
		cmd := exec.Command("bash", path)
		cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), "STUB_STATE="+state)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := run(); err == nil || !strings.Contains(out, "DOCKER-USER chain is missing") {
		t.Fatalf("without Docker's chain: %v %s; want a refusal", err, out)
	}
	for _, chain := range []string{"DOCKER-USER", "OUTPUT"} {
		if err := os.WriteFile(filepath.Join(state, chain), []byte("-j RETURN\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string][]string{
		"FLIP-CONTAINERS": {
			"-s " + deploy.FLSubnet + " -d " + deploy.IMDSAddress + "/32 -j REJECT", // FL job code: no instance role
			"-d " + deploy.IMDSAddress + "/32 -j RETURN",                            // flip-api: its instance role
			"-s " + deploy.HubSubnet + " ! -d " + deploy.HubSubnet + " -p tcp --dport 80 -j REJECT",
		},
		"FLIP-HOST": {
			"-o lo -j RETURN",
			"-d " + deploy.IMDSAddress + "/32 -j RETURN", // the SSM agent and the AWS CLI
			"-p tcp --dport 80 -m owner --uid-owner _apt -j RETURN",
			"-p tcp --dport 80 -j REJECT",
		},
		"DOCKER-USER": {"-j FLIP-CONTAINERS", "-j RETURN"},
		"OUTPUT":      {"-j FLIP-HOST", "-j RETURN"},
	}
	for round := 1; round <= 2; round++ {
		if out, err := run(); err != nil {
			t.Fatalf("run %d: %v\n%s", round, err, out)
		}
		for chain, rules := range want {
			b, err := os.ReadFile(filepath.Join(state, chain))
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n"); strings.Join(got, "\n") != strings.Join(rules, "\n") {
				t.Errorf("run %d: chain %s holds\n%s\nwant\n%s", round, chain, strings.Join(got, "\n"), strings.Join(rules, "\n"))
			}
		}
	}
}

// The credentials script run for real against a stub aws CLI answering as STS does, then read
// by the real botocore the way fl-server's SDK reads it: through the config file's
// credential_process, as refreshable credentials with the role's expiry.
func TestCredentialsScript(t *testing.T) {
	t.Parallel()
	if err := exec.Command("python3", "-c", "import botocore.session").Run(); err != nil {
		t.Fatal("python3 with botocore is needed (moto_server brings it): ", err)
	}
	spec := validSpec(deploy.Flower)
	script := hostFile(t, render(t, spec).Script, deploy.CredentialsScript)
	dir := t.TempDir()
	creds := filepath.Join(dir, "fl-aws")
	script = strings.ReplaceAll(script, deploy.CredentialsDir, creds)
	bin := filepath.Join(dir, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	testexec.Write(t, filepath.Join(bin, "aws"), `#!/bin/bash
printf '%s\n' "$*" >"${STUB_ARGS}"
cat <<'JSON'
{"Credentials": {"AccessKeyId": "ASIASTUBSTUBSTUBSTUB", "SecretAccessKey": "stub/secret/key", "SessionToken": "stub-session-token", "Expiration": "2031-01-02T03:04:05+00:00"},
 "AssumedRoleUser": {"AssumedRoleId": "AROASTUB:flip-fl-server", "Arn": "arn:aws:sts::123456789012:assumed-role/flip-stag-fl-server/flip-fl-server"}}
JSON
`, 0o755)
	path := filepath.Join(dir, "flip-fl-credentials")
	testexec.Write(t, path, script, 0o755)
	cmd := exec.Command("bash", path, spec.FLServerRoleARN, spec.Region)
	cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), "STUB_ARGS="+filepath.Join(dir, "args"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	args, _ := os.ReadFile(filepath.Join(dir, "args"))
	wantArgs := "sts assume-role --region eu-west-2 --role-arn " + spec.FLServerRoleARN + " --role-session-name flip-fl-server --duration-seconds 3600 --output json\n"
	if string(args) != wantArgs {
		t.Errorf("aws was run with %q; want %q", args, wantArgs)
	}
	b, err := os.ReadFile(filepath.Join(creds, "credentials.json"))
	if err != nil {
		t.Fatal(err)
	}
	var process map[string]any
	if err := json.Unmarshal(b, &process); err != nil || process["Version"] != float64(1) || process["Expiration"] != "2031-01-02T03:04:05+00:00" {
		t.Fatalf("credentials.json %s (%v); want the credential_process format, version 1, with the expiry", b, err)
	}
	for _, f := range []string{"credentials.json", "config"} {
		if fi, err := os.Stat(filepath.Join(creds, f)); err != nil || fi.Mode().Perm() != 0o644 {
			t.Errorf("%s: %v %v; want 0644 (the container's user reads it; the parent dir is root-only)", f, err, fi)
		}
	}
	// Inside the container the directory is mounted at CredentialsMount; here it stays put.
	config, err := os.ReadFile(filepath.Join(creds, "config"))
	if err != nil {
		t.Fatal(err)
	}
	local := filepath.Join(dir, "config")
	if err := os.WriteFile(local, []byte(strings.ReplaceAll(string(config), deploy.CredentialsMount, creds)), 0o600); err != nil {
		t.Fatal(err)
	}
	probe := exec.Command("python3", "-c", botocoreProbe)
	env := []string{"AWS_CONFIG_FILE=" + local, "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "none"), "HOME=" + dir}
	for k, v := range deploy.FLServerAWSEnv() {
		if k != "AWS_CONFIG_FILE" {
			env = append(env, k+"="+v)
		}
	}
	probe.Env = append(env, "PATH="+os.Getenv("PATH"))
	out, err := probe.CombinedOutput()
	if err != nil {
		t.Fatalf("botocore: %v\n%s", err, out)
	}
	var got map[string]any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("botocore printed %s", out)
	}
	if got["method"] != "custom-process" || got["key"] != "ASIASTUBSTUBSTUBSTUB" || got["refreshable"] != true || got["region"] != "eu-west-2" {
		t.Errorf("botocore resolved %v; want the role's key from credential_process, refreshable, in eu-west-2", got)
	}
}

// botocoreProbe resolves credentials as any boto3 client in fl-server would.
const botocoreProbe = `
import botocore.session, json
s = botocore.session.get_session()
c = s.get_credentials()
print(json.dumps({"method": c.method, "key": c.access_key, "refreshable": hasattr(c, "refresh_needed"), "region": s.get_config_variable("region")}))
`
