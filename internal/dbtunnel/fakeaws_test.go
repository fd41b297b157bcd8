package dbtunnel

import (
	"crypto/tls"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/londonaicentre/flip-hub/internal/testexec"
)

// The test binary doubles as a fake `aws` CLI and session-manager-plugin: TestMain hands control
// to fakeMain when fakeRoleEnv is set. The fake CLI records its command line and whether it saw
// the dropped variable, then starts the fake plugin as its own child (as the real CLI does); the
// plugin binds the local port, prints what the real plugin prints, and forwards each connection to
// a real PostgreSQL, optionally terminating TLS first the way RDS does (SSLRequest, 'S', handshake).
const (
	fakeRoleEnv    = "DBTUNNEL_FAKE_ROLE" // "aws" or "plugin"
	fakeModeEnv    = "DBTUNNEL_FAKE_MODE" // plain, tls, notls, hang (exit is the wrapper script's)
	fakeForwardEnv = "DBTUNNEL_FAKE_FORWARD"
	fakeCertEnv    = "DBTUNNEL_FAKE_CERT"
	fakeKeyEnv     = "DBTUNNEL_FAKE_KEY"
	fakeRecordEnv  = "DBTUNNEL_FAKE_RECORD"
	// watchedEnv is the variable the tests ask the tunnel to drop.
	watchedEnv  = "FLIP_TRUST_API_KEY_HASH"
	fakeSession = "fake-session-0a1b2c3d4e"
)

// record is what the fake CLI saw.
type record struct {
	Args       []string `json:"args"`
	SawWatched bool     `json:"sawWatched"`
}

// fakeMain runs the role; the process then ends with status 0 (TestMain returns without running
// tests). The tunnel tells a session that ended from one that is ready by its output, not its
// status; a session that must fail with a status is the wrapper script's "exit" mode.
func fakeMain() {
	switch os.Getenv(fakeRoleEnv) {
	case "aws":
		fakeCLI()
	case "plugin":
		fakePlugin()
	default:
		fmt.Fprintln(os.Stderr, "fake: unknown role")
	}
}

func fakeCLI() {
	_, saw := os.LookupEnv(watchedEnv)
	if path := os.Getenv(fakeRecordEnv); path != "" {
		b, _ := json.Marshal(record{Args: os.Args[1:], SawWatched: saw})
		if err := os.WriteFile(path, b, 0o600); err != nil {
			fmt.Fprintln(os.Stderr, "fake aws:", err)
			return
		}
	}
	if os.Getenv(fakeModeEnv) == "hang" {
		fmt.Println("Starting session with SessionId: " + fakeSession)
		time.Sleep(time.Hour)
		return
	}
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, "fake aws:", err)
		return
	}
	plugin := exec.Command(self, os.Args[1:]...)
	plugin.Env = append(os.Environ(), fakeRoleEnv+"=plugin")
	plugin.Stdout, plugin.Stderr = os.Stdout, os.Stderr
	if err := plugin.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "fake aws:", err)
	}
}

func fakePlugin() {
	var params map[string][]string
	for i, a := range os.Args {
		if a == "--parameters" && i+1 < len(os.Args) {
			if err := json.Unmarshal([]byte(os.Args[i+1]), &params); err != nil {
				fmt.Fprintln(os.Stderr, "fake plugin: parameters:", err)
				return
			}
		}
	}
	if len(params["localPortNumber"]) != 1 {
		fmt.Fprintln(os.Stderr, "fake plugin: no localPortNumber")
		return
	}
	fmt.Println("\nStarting session with SessionId: " + fakeSession)
	l, err := net.Listen("tcp", "127.0.0.1:"+params["localPortNumber"][0])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	fmt.Printf("Port %s opened for sessionId %s.\nWaiting for connections...\n", params["localPortNumber"][0], fakeSession)
	mode, target := os.Getenv(fakeModeEnv), os.Getenv(fakeForwardEnv)
	var tlsCfg *tls.Config
	if mode == "tls" {
		cert, err := tls.LoadX509KeyPair(os.Getenv(fakeCertEnv), os.Getenv(fakeKeyEnv))
		if err != nil {
			fmt.Fprintln(os.Stderr, "fake plugin:", err)
			return
		}
		tlsCfg = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		go serve(c, mode, target, tlsCfg)
	}
}

// sslRequestCode is the PostgreSQL SSLRequest message's request code.
const sslRequestCode = 80877103

func serve(c net.Conn, mode, target string, tlsCfg *tls.Config) {
	defer c.Close()
	client := c
	if mode == "tls" || mode == "notls" {
		var req [8]byte
		if _, err := io.ReadFull(c, req[:]); err != nil || binary.BigEndian.Uint32(req[4:]) != sslRequestCode {
			return
		}
		if mode == "notls" {
			_, _ = c.Write([]byte{'N'})
			// A client that accepts this would now send its startup message in clear.
		} else {
			if _, err := c.Write([]byte{'S'}); err != nil {
				return
			}
			tc := tls.Server(c, tlsCfg)
			if err := tc.Handshake(); err != nil {
				return
			}
			client = tc
		}
	}
	upstream, err := net.Dial("tcp", target)
	if err != nil {
		return
	}
	defer upstream.Close()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); _, _ = io.Copy(upstream, client); closeWrite(upstream) }()
	go func() { defer wg.Done(); _, _ = io.Copy(client, upstream); closeWrite(client) }()
	wg.Wait()
}

func closeWrite(c net.Conn) {
	type writeCloser interface{ CloseWrite() error }
	if wc, ok := c.(writeCloser); ok {
		_ = wc.CloseWrite()
	}
}

// fake is a fake aws CLI set up for one test.
type fake struct {
	cli    string // path of the wrapper script to use as TunnelOptions.AWSCLI
	record string // where the CLI writes what it saw
}

// newFake writes a wrapper script that runs this test binary as the fake CLI in mode, forwarding
// to target, serving tlsFiles (cert, key) in tls mode.
func newFake(t *testing.T, mode, target string, tlsFiles ...string) fake {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	f := fake{cli: filepath.Join(dir, "aws"), record: filepath.Join(dir, "record.json")}
	vars := []string{fakeRoleEnv + "=aws", fakeModeEnv + "=" + mode, fakeForwardEnv + "=" + target, fakeRecordEnv + "=" + f.record}
	if len(tlsFiles) == 2 {
		vars = append(vars, fakeCertEnv+"="+tlsFiles[0], fakeKeyEnv+"="+tlsFiles[1])
	}
	quoted := make([]string, 0, len(vars)+1)
	for _, v := range append(vars, self) {
		quoted = append(quoted, "'"+strings.ReplaceAll(v, "'", `'\''`)+"'")
	}
	script := "#!/bin/sh\nexec env " + strings.Join(quoted, " ") + ` "$@"` + "\n"
	if mode == "exit" {
		// What the CLI prints, and its status, when the instance's agent is not connected.
		script = "#!/bin/sh\necho 'An error occurred (TargetNotConnected) when calling the StartSession operation: " +
			"i-0123456789abcdef0 is not connected.' >&2\nexit 254\n"
	}
	testexec.Write(t, f.cli, script, 0o700)
	return f
}

// seen returns what the fake CLI recorded.
func (f fake) seen(t *testing.T) record {
	t.Helper()
	b, err := os.ReadFile(f.record)
	if err != nil {
		t.Fatalf("the fake aws CLI recorded nothing: %v", err)
	}
	var r record
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return r
}
