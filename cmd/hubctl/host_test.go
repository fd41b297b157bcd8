package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/londonaicentre/flip-hub/internal/deploy"
	"github.com/londonaicentre/flip-hub/internal/testmoto"
)

// runHubctl runs hubctl in-process as main does and returns what it printed and its exit code.
func runHubctl(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	root := newRoot()
	root.SetArgs(args)
	var out, errOut bytes.Buffer
	root.SetIn(strings.NewReader(stdin))
	root.SetOut(&out)
	root.SetErr(&errOut)
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(&errOut, "hubctl:", err)
		code = exitCode(err)
	}
	return out.String(), errOut.String(), code
}

// fakeSSM is an SSM endpoint on loopback that plays one scripted instance: its ping status, and
// the invocation status, exit code and output every sent command ends with.
type fakeSSM struct {
	url string

	mu           sync.Mutex
	ping         string // "" leaves the instance unlisted
	status       string // invocation status GetCommandInvocation reports
	details      string
	responseCode int
	stdout       string
	stderr       string
	throttle     bool // every call answers ThrottlingException
	calls        map[string]int
	sent         []map[string]any
	cancelled    []string
}

const fakeInstance = "i-0123456789abcdef0"

func newFakeSSM(t *testing.T) *fakeSSM {
	t.Helper()
	f := &fakeSSM{ping: "Online", status: "Success", calls: map[string]int{}}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	srv := &httptest.Server{Listener: l, Config: &http.Server{Handler: f}}
	srv.Start()
	t.Cleanup(srv.Close)
	f.url = srv.URL
	return f
}

func (f *fakeSSM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AmazonSSM.")
	var in map[string]any
	body, _ := io.ReadAll(r.Body)
	_ = json.Unmarshal(body, &in)

	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[op]++
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	if f.throttle {
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": "ThrottlingException", "message": "Rate exceeded"})
		return
	}
	var resp any
	switch op {
	case "DescribeInstanceInformation":
		list := []map[string]any{}
		if f.ping != "" {
			list = append(list, map[string]any{"InstanceId": fakeInstance, "PingStatus": f.ping})
		}
		resp = map[string]any{"InstanceInformationList": list}
	case "SendCommand":
		f.sent = append(f.sent, in)
		resp = map[string]any{"Command": map[string]any{"CommandId": fmt.Sprintf("cmd-%d", len(f.sent)), "Status": "Pending"}}
	case "GetCommandInvocation":
		resp = map[string]any{
			"CommandId": in["CommandId"], "InstanceId": in["InstanceId"], "Status": f.status,
			"StatusDetails": f.details, "ResponseCode": f.responseCode,
			"StandardOutputContent": f.stdout, "StandardErrorContent": f.stderr,
		}
	case "CancelCommand":
		f.cancelled = append(f.cancelled, fmt.Sprint(in["CommandId"]))
		resp = map[string]any{}
	default:
		w.WriteHeader(http.StatusBadRequest)
		resp = map[string]string{"__type": "InvalidAction", "message": op}
	}
	_ = json.NewEncoder(w).Encode(resp)
}

func (f *fakeSSM) count(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[op]
}

func (f *fakeSSM) lastSent(t *testing.T) map[string]any {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.sent) == 0 {
		t.Fatal("no command was sent")
	}
	return f.sent[len(f.sent)-1]
}

// fakeArgs are the flags that point hubctl at the fake with short waits.
func (f *fakeSSM) args(extra ...string) []string {
	return append([]string{
		"host", "run", "--instance", fakeInstance, "--region", testmoto.Region,
		"--endpoint-url", f.url, "--poll", "5ms", "--ping-timeout", "200ms",
		"--throttle-retries", "2", "--throttle-backoff", "5ms",
	}, extra...)
}

const testScript = "#!/bin/bash\nset -euo pipefail\necho deploying\n"

func TestHostRunAgainstFakeSSM(t *testing.T) {
	// testmoto.SetEnv gives LoadDefaultConfig fake credentials and hides the developer's
	// profiles; the fake's URL comes in through --endpoint-url.
	testmoto.SetEnv(t, "http://127.0.0.1:1")

	cases := []struct {
		name      string
		setup     func(f *fakeSSM)
		extra     []string
		wantCode  int
		wantErr   string // in stderr
		wantOut   string // in stdout
		wantSent  int
		wantCancl int
	}{
		{
			name:     "success prints the output and the result line",
			setup:    func(f *fakeSSM) { f.stdout = "deploying\nflip-api healthy" },
			wantCode: 0, wantOut: "deploying\nflip-api healthy\n" + deploy.ResultLine("cmd-1", fakeInstance, "Success") + "\n", wantSent: 1,
		},
		{
			name: "failed script",
			setup: func(f *fakeSSM) {
				f.status, f.responseCode, f.stderr = "Failed", 3, "flip-deploy: FAILED: flip-api is not healthy"
			},
			wantCode: 1, wantErr: "the script failed on " + fakeInstance + " (exit code 3)", wantOut: "flip-api is not healthy", wantSent: 1,
		},
		{
			name:     "cancelled command",
			setup:    func(f *fakeSSM) { f.status, f.responseCode = "Cancelled", -1 },
			wantCode: 1, wantErr: "the command was cancelled", wantSent: 1,
		},
		{
			name:     "timed out on the host",
			setup:    func(f *fakeSSM) { f.status, f.details, f.responseCode = "TimedOut", "ExecutionTimedOut", -1 },
			wantCode: 1, wantErr: "the command timed out on the host", wantSent: 1,
		},
		{
			name:     "still running when --timeout passes is cancelled",
			setup:    func(f *fakeSSM) { f.status = "InProgress" },
			extra:    []string{"--timeout", "150ms"},
			wantCode: 1, wantErr: "did not finish within --timeout 150ms", wantSent: 1, wantCancl: 1,
		},
		{
			name:     "instance offline",
			setup:    func(f *fakeSSM) { f.ping = "ConnectionLost" },
			wantCode: 1, wantErr: "instance " + fakeInstance + " is not online in SSM", wantSent: 0,
		},
		{
			name:     "instance not registered",
			setup:    func(f *fakeSSM) { f.ping = "" },
			wantCode: 1, wantErr: "not registered with ssm", wantSent: 0,
		},
		{
			name:     "throttled beyond retries",
			setup:    func(f *fakeSSM) { f.throttle = true },
			wantCode: 1, wantErr: "SSM throttled the requests beyond the retries", wantSent: 0,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeSSM(t)
			tc.setup(f)
			stdout, stderr, code := runHubctl(t, testScript, f.args(tc.extra...)...)
			if code != tc.wantCode {
				t.Fatalf("exit code %d, want %d\nstdout: %s\nstderr: %s", code, tc.wantCode, stdout, stderr)
			}
			if tc.wantErr != "" && !strings.Contains(stderr, tc.wantErr) {
				t.Errorf("stderr %q does not say %q", stderr, tc.wantErr)
			}
			if tc.wantCode == 0 && stdout != tc.wantOut {
				t.Errorf("stdout %q, want %q", stdout, tc.wantOut)
			}
			if tc.wantCode != 0 && tc.wantOut != "" && !strings.Contains(stdout, tc.wantOut) {
				t.Errorf("stdout %q lacks the command's output %q", stdout, tc.wantOut)
			}
			if tc.wantCode != 0 && strings.Contains(stdout, ": Success") {
				t.Errorf("a failed run printed a success line: %q", stdout)
			}
			if got := f.count("SendCommand"); got != tc.wantSent {
				t.Errorf("%d commands sent, want %d", got, tc.wantSent)
			}
			if got := len(f.cancelled); got != tc.wantCancl {
				t.Errorf("%d cancels, want %d", got, tc.wantCancl)
			}
		})
	}

	t.Run("throttled calls are retried the configured number of times", func(t *testing.T) {
		f := newFakeSSM(t)
		f.throttle = true
		_, _, code := runHubctl(t, testScript, f.args()...)
		if code != 1 || f.count("DescribeInstanceInformation") != 3 {
			t.Fatalf("exit %d after %d DescribeInstanceInformation calls; want 1 after 3 (1 + 2 retries)", code, f.count("DescribeInstanceInformation"))
		}
	})

	t.Run("the command carries the script, its limits and the log group", func(t *testing.T) {
		f := newFakeSSM(t)
		_, stderr, code := runHubctl(t, testScript, f.args("--timeout", "90s", "--comment", "flip-hub deploy abc", "--log-group", "/flip-stag-hub-deploy")...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		in := f.lastSent(t)
		params, _ := in["Parameters"].(map[string]any)
		wantLines := []any{"#!/bin/bash", "set -euo pipefail", "echo deploying"}
		checks := []struct {
			name string
			got  any
			want any
		}{
			{"document", in["DocumentName"], "AWS-RunShellScript"},
			{"instances", in["InstanceIds"], []any{fakeInstance}},
			{"commands", params["commands"], wantLines},
			{"executionTimeout", params["executionTimeout"], []any{"90"}},
			{"comment", in["Comment"], "flip-hub deploy abc"},
			{"log group", in["CloudWatchOutputConfig"], map[string]any{"CloudWatchLogGroupName": "/flip-stag-hub-deploy", "CloudWatchOutputEnabled": true}},
		}
		for _, c := range checks {
			if fmt.Sprint(c.got) != fmt.Sprint(c.want) {
				t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
			}
		}
	})

	t.Run("a script without an interpreter line runs under bash with errexit", func(t *testing.T) {
		f := newFakeSSM(t)
		if _, stderr, code := runHubctl(t, "echo hi\n", f.args()...); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		params := f.lastSent(t)["Parameters"].(map[string]any)
		if got := fmt.Sprint(params["commands"]); got != fmt.Sprint([]any{"#!/bin/bash", "set -euo pipefail", "echo hi"}) {
			t.Errorf("commands = %s", got)
		}
	})

	t.Run("the script file flag", func(t *testing.T) {
		f := newFakeSSM(t)
		path := filepath.Join(t.TempDir(), "deploy.sh")
		if err := os.WriteFile(path, []byte(testScript), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, stderr, code := runHubctl(t, "", f.args("--script", path)...); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if got := fmt.Sprint(f.lastSent(t)["Parameters"].(map[string]any)["commands"]); !strings.Contains(got, "echo deploying") {
			t.Errorf("commands %s do not come from %s", got, path)
		}
	})

	t.Run("a script holding a named secret is never sent", func(t *testing.T) {
		f := newFakeSSM(t)
		t.Setenv("FLIP_TEST_TOKEN", "ghp_supersecretsupersecret")
		_, stderr, code := runHubctl(t, "echo ghp_supersecretsupersecret | docker login --password-stdin\n", f.args("--secret-env", "FLIP_TEST_TOKEN")...)
		if code != 1 || f.count("SendCommand") != 0 || !strings.Contains(stderr, "refused to send the script") {
			t.Fatalf("exit %d, %d commands sent, stderr %q; want exit 1, nothing sent, a refusal", code, f.count("SendCommand"), stderr)
		}
		if strings.Contains(stderr, "ghp_supersecret") {
			t.Errorf("stderr shows the secret: %q", stderr)
		}
	})
}

func TestHostRunUsage(t *testing.T) {
	testmoto.SetEnv(t, "http://127.0.0.1:1")
	cases := []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"no instance", testScript, []string{"host", "run", "--region", "eu-west-2"}, "--instance is required"},
		{"no region", testScript, []string{"host", "run", "--instance", fakeInstance}, "--region is required"},
		{"empty script", " \n", []string{"host", "run", "--instance", fakeInstance, "--region", "eu-west-2"}, "script - is empty"},
		{"missing script file", "", []string{"host", "run", "--instance", fakeInstance, "--region", "eu-west-2", "--script", "/nonexistent/deploy.sh"}, "no such file"},
		{"bad timeout", testScript, []string{"host", "run", "--instance", fakeInstance, "--region", "eu-west-2", "--timeout", "soon"}, "invalid argument"},
		{"zero timeout", testScript, []string{"host", "run", "--instance", fakeInstance, "--region", "eu-west-2", "--timeout", "0s"}, "must be positive"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := runHubctl(t, tc.stdin, tc.args...)
			if code != exitUsage || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, exitUsage, tc.want)
			}
		})
	}
}

// TestHostRunAgainstMoto sends a real rendered deploy script through the real SDK client to
// moto_server. moto never runs the script (every invocation reports Success), so this proves the
// wire exchange and what SSM records, not the script's behaviour on a host.
func TestHostRunAgainstMoto(t *testing.T) {
	srv := testmoto.Check(t, moto, motoErr)
	instance := testmoto.LaunchInstance(t, srv.URL)
	proxy := testmoto.SSMProxy(t, srv.URL)
	testmoto.SetEnv(t, proxy)

	b, err := deploy.Render(testDeploySpec())
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := runHubctl(t, b.Script,
		"host", "run", "--instance", instance, "--region", testmoto.Region, "--poll", "20ms",
		"--ping-timeout", "5s", "--timeout", "2m", "--comment", "flip-hub deploy "+b.Hash[:12])
	if code != 0 {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	commandID := deploy.CommandIDFromOutput(stdout)
	if commandID == "" || !strings.HasSuffix(stdout, deploy.ResultLine(commandID, instance, "Success")+"\n") {
		t.Fatalf("stdout %q does not end with the result line", stdout)
	}

	client := ssm.NewFromConfig(srv.AWSConfig())
	listed, err := client.ListCommands(context.Background(), &ssm.ListCommandsInput{CommandId: aws.String(commandID)})
	if err != nil || len(listed.Commands) != 1 {
		t.Fatalf("moto ListCommands(%s) = %v, %v", commandID, listed, err)
	}
	cmd := listed.Commands[0]
	if got := aws.ToString(cmd.DocumentName); got != "AWS-RunShellScript" {
		t.Errorf("document %q", got)
	}
	if !slices.Contains(cmd.InstanceIds, instance) {
		t.Errorf("command targets %v, not %s", cmd.InstanceIds, instance)
	}
	if got, want := strings.Join(cmd.Parameters["commands"], "\n"), strings.TrimSuffix(b.Script, "\n"); got != want {
		t.Errorf("moto recorded a different script (%d bytes, want %d)", len(got), len(want))
	}
	if got := aws.ToString(cmd.Comment); got != "flip-hub deploy "+b.Hash[:12] {
		t.Errorf("comment %q", got)
	}

	t.Run("a stopped instance is not online", func(t *testing.T) {
		stopped := testmoto.LaunchInstance(t, srv.URL)
		stopInstance(t, srv, stopped)
		_, stderr, code := runHubctl(t, testScript, "host", "run", "--instance", stopped, "--region", testmoto.Region,
			"--poll", "20ms", "--ping-timeout", "300ms")
		if code != 1 || !strings.Contains(stderr, "is not online in SSM") || !strings.Contains(stderr, "ConnectionLost") {
			t.Fatalf("exit %d, stderr %q; want 1 naming the ConnectionLost instance", code, stderr)
		}
	})
}

// testDeploySpec is a complete deploy spec with plausible values and no secret.
func testDeploySpec() deploy.Spec {
	arn := func(name string) string {
		return "arn:aws:secretsmanager:eu-west-2:111111111111:secret:" + name + "-AbCdEf"
	}
	return deploy.Spec{
		Backend: deploy.NVFlare, Region: "eu-west-2",
		Images: deploy.Images{Registry: "ghcr.io/londonaicentre/", Tag: "sha-1a2b3c4", FLRegistry: "ghcr.io/londonaicentre/", FLTag: "sha-4c3b2a1"},
		FLPort: 8002, EnforceMFA: true, UserPoolID: "eu-west-2_AbCdEfGhI", AppClientID: "1h2j3k4l5m6n7o8p9q0r",
		DBHost: "flip-stag-db.cabc.eu-west-2.rds.amazonaws.com", DBPort: 5432, DBName: "flip", DBUser: "flip_admin",
		DBSecretARN: arn("rds!db-1"), FlipAPISecretName: "flip-stag/flip-api", FlipAPISecretARN: arn("flip-stag/flip-api"),
		RegistryTokenSecretARN: arn("flip-stag/registry-token"), FLServerRoleARN: "arn:aws:iam::111111111111:role/flip-stag-fl-server",
		SESAdminEmail: "flip-admin@aicentre.co.uk", SESSenderEmail: "noreply@stag.flip.aicentre.co.uk",
		Buckets: deploy.Buckets{
			ModelFilesUploads: "flip-stag-model-files-uploads", FLResults: "flip-stag-fl-results",
			AppBundles: "flip-stag-app-bundles", FLKits: "flip-stag-fl-kits",
		},
		KitDate: "2025-06-01", KitSlotNames: []string{"Trust_1", "Trust_2"}, MinClients: 1,
	}
}
