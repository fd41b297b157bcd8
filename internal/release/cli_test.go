package release

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/londonaicentre/flip-hub/internal/testexec"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// These tests drive the real pulumi CLI (built by .ci/run into .tools/bin from the Go
// module proxy) against a file:// backend, with inline programs made of component
// resources and outputs: no provider plugin is involved.

// pulumiRoot finds a directory whose bin/pulumi is the CLI.
func pulumiRoot(t *testing.T) string { return testexec.PulumiRoot(t) }

// project is a throwaway project directory with stag and prod stack files and its own
// file backend.
type project struct {
	dir, backend string
	env          map[string]string
	root         string
}

func newProject(t *testing.T) *project {
	t.Helper()
	dir := t.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("Pulumi.yaml", "name: flip-hub\nruntime: go\n")
	write("Pulumi.stag.yaml", "config:\n  flip-hub:environment: stag\n")
	write("Pulumi.prod.yaml", "config:\n  flip-hub:environment: prod\n")
	write("Pulumi.canary.yaml", "config:\n  flip-hub:environment: prod\n")
	state := filepath.Join(dir, ".state")
	if err := os.MkdirAll(state, 0o700); err != nil {
		t.Fatal(err)
	}
	return &project{
		dir:     dir,
		backend: "file://" + state,
		root:    pulumiRoot(t),
		env: map[string]string{
			"PULUMI_CONFIG_PASSPHRASE":                    "test-only-passphrase",
			"PULUMI_SKIP_UPDATE_CHECK":                    "true",
			"PULUMI_HOME":                                 filepath.Join(dir, ".pulumi-home"),
			"PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
		},
	}
}

func (p *project) open(t *testing.T, stack string, program pulumi.RunFunc, jsonOut bool) (*Stack, *bytes.Buffer) {
	t.Helper()
	out := &syncBuffer{}
	st, err := Open(context.Background(), Options{
		Stack: stack, Dir: p.dir, Program: program, Backend: p.backend, PulumiRoot: p.root,
		Out: out, Err: out, JSON: jsonOut, EnvVars: p.env,
	})
	if err != nil {
		t.Fatalf("open %s: %v", stack, err)
	}
	return st, &out.Buffer
}

type syncBuffer struct {
	mu sync.Mutex
	bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.Buffer.Write(p)
}

// thing is a component standing in for a resource of a given type token.
type thing struct{ pulumi.ResourceState }

// hubLike registers components named by type token, and exports a plain and a secret
// output.
func hubLike(things map[string]string) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		for name, typ := range things {
			var c thing
			if err := ctx.RegisterComponentResource(typ, name, &c); err != nil {
				return err
			}
		}
		ctx.Export("domain", pulumi.String("stag.example.org"))
		ctx.Export("apiKey", pulumi.ToSecret(pulumi.String("s3cr3t-value")))
		return nil
	}
}

const (
	dbType  = "aws:rds/instance:Instance"
	vpcType = "flip:network:Network"
)

func TestCLIUpOutputsAndNoChanges(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	ctx := context.Background()
	base := hubLike(map[string]string{"db": dbType, "network": vpcType})
	st, out := p.open(t, "stag", base, false)
	if err := st.Up(ctx, UpOptions{}); err != nil {
		t.Fatalf("up: %v\n%s", err, out)
	}
	if !strings.Contains(out.String(), "Resources:") {
		t.Errorf("up printed no progress:\n%s", out)
	}
	outs, err := st.Outputs(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if outs["domain"] != "stag.example.org" || outs["apiKey"] != Masked {
		t.Fatalf("outputs %v; want domain in clear and apiKey masked", outs)
	}
	shown, err := st.Outputs(ctx, true)
	if err != nil || shown["apiKey"] != "s3cr3t-value" {
		t.Fatalf("outputs with secrets: %v, %v", shown, err)
	}
	if err := st.Up(ctx, UpOptions{ExpectNoChanges: true}); err != nil {
		t.Fatalf("unchanged program reported changes: %v", err)
	}

	grown, _ := p.open(t, "stag", hubLike(map[string]string{"db": dbType, "network": vpcType, "extra": vpcType}), false)
	if _, err := grown.Preview(ctx, true); CodeOf(err) != ChangesPending {
		t.Fatalf("preview with an added resource: code %v (%v); want ChangesPending", CodeOf(err), err)
	}
	if err := grown.Up(ctx, UpOptions{ExpectNoChanges: true}); CodeOf(err) != ChangesPending {
		t.Fatalf("up --expect-no-changes with an added resource: code %v; want ChangesPending", CodeOf(err))
	}
	if err := grown.Refresh(ctx, true); err != nil {
		t.Fatalf("refresh of components found drift: %v", err)
	}
}

func TestCLIProdGuards(t *testing.T) {
	t.Parallel()
	for _, stack := range []string{"prod", "canary"} { // canary is prod by its config only
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			p := newProject(t)
			ctx := context.Background()
			st, out := p.open(t, stack, hubLike(map[string]string{"db": dbType, "network": vpcType}), false)
			if err := st.Up(ctx, UpOptions{}); err != nil {
				t.Fatalf("first up: %v\n%s", err, out)
			}
			dbURN := "urn:pulumi:" + stack + "::flip-hub::" + dbType + "::db"

			shrunk, _ := p.open(t, stack, hubLike(map[string]string{"network": vpcType}), false)
			err := shrunk.Up(ctx, UpOptions{})
			if CodeOf(err) != Refused || !strings.Contains(err.Error(), dbURN) {
				t.Fatalf("up deleting the database: code %v, %v; want Refused naming %s", CodeOf(err), err, dbURN)
			}
			// Nothing was deleted: the original program still has no changes.
			if _, err := st.Preview(ctx, true); err != nil {
				t.Fatalf("the refused up changed the stack: %v", err)
			}
			if err := shrunk.Up(ctx, UpOptions{AllowReplace: []string{"urn:pulumi:" + stack + "::flip-hub::" + vpcType + "::network"}}); CodeOf(err) != Refused {
				t.Fatalf("allowing another URN let the delete through: %v", err)
			}
			if err := shrunk.Up(ctx, UpOptions{AllowReplace: []string{dbURN}}); err != nil {
				t.Fatalf("up with --allow-replace of the database: %v", err)
			}
			if err := shrunk.Destroy(ctx); CodeOf(err) != Refused {
				t.Fatalf("destroy of a prod stack: code %v; want Refused", CodeOf(err))
			}
		})
	}
}

func TestCLIDestroyStag(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	ctx := context.Background()
	st, _ := p.open(t, "stag", hubLike(map[string]string{"db": dbType}), false)
	if err := st.Up(ctx, UpOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := st.Destroy(ctx); err != nil {
		t.Fatalf("destroy stag: %v", err)
	}
	empty, _ := p.open(t, "stag", hubLike(nil), false)
	res, err := empty.Preview(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range res.Steps {
		if s.Type == dbType {
			t.Fatalf("the database survived destroy: %v", s)
		}
	}
}

func TestCLIJSONEvents(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	st, out := p.open(t, "stag", hubLike(map[string]string{"db": dbType}), true)
	if err := st.Up(context.Background(), UpOptions{}); err != nil {
		t.Fatalf("up: %v", err)
	}
	kinds := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(out.Bytes()))
	lines := 0
	for sc.Scan() {
		lines++
		var ev map[string]any
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("line %d is not one JSON event: %q", lines, sc.Text())
		}
		for k := range ev {
			if strings.HasSuffix(k, "Event") {
				kinds[k] = true
			}
		}
	}
	for _, want := range []string{"preludeEvent", "resourcePreEvent", "summaryEvent"} {
		if !kinds[want] {
			t.Errorf("no %s among %d JSON lines (kinds %v)", want, lines, kinds)
		}
	}
	if strings.Contains(out.String(), "s3cr3t-value") {
		t.Error("a secret output appears in the JSON events")
	}
}

func TestCLIConcurrentUpdate(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	ctx := context.Background()
	started := make(chan struct{})
	var once sync.Once
	slow := func(ctx *pulumi.Context) error {
		once.Do(func() { close(started) })
		time.Sleep(8 * time.Second)
		return hubLike(map[string]string{"db": dbType})(ctx)
	}
	st, _ := p.open(t, "stag", slow, false)
	other, _ := p.open(t, "stag", hubLike(map[string]string{"db": dbType}), false)
	errc := make(chan error, 1)
	go func() { errc <- st.Up(ctx, UpOptions{}) }()
	select {
	case <-started:
	case <-time.After(2 * time.Minute):
		t.Fatal("the first update never ran its program")
	}
	err := other.Up(ctx, UpOptions{})
	if CodeOf(err) != Concurrent {
		t.Errorf("second update while the first runs: code %v (%v); want Concurrent", CodeOf(err), err)
	}
	if err := <-errc; err != nil {
		t.Fatalf("first update: %v", err)
	}
}

func TestOpenRefusesUnknownStack(t *testing.T) {
	t.Parallel()
	_, err := Open(context.Background(), Options{Stack: "qa", Dir: t.TempDir(), Program: hubLike(nil)})
	if CodeOf(err) != Usage || !errors.As(err, new(*Error)) {
		t.Fatalf("open of a stack without a config file: %v; want a usage error", err)
	}
}

// Reads never create a stack: with a wrong backend or stack name, opening an existing stack is a
// usage error naming the backend, and the backend still has no such stack afterwards.
func TestCLIReadsNeverCreateStacks(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	open := func() error {
		_, err := Open(context.Background(), Options{
			Stack: "stag", Dir: p.dir, Program: hubLike(nil), Backend: p.backend, PulumiRoot: p.root,
			EnvVars: p.env, Existing: true,
		})
		return err
	}
	err := open()
	if CodeOf(err) != Usage || !strings.Contains(fmt.Sprint(err), p.backend) || !strings.Contains(fmt.Sprint(err), "does not exist") {
		t.Fatalf("open of a missing stack: %v (code %v); want a usage error naming the backend", err, CodeOf(err))
	}
	if err := open(); CodeOf(err) != Usage {
		t.Fatalf("second open: %v; the first one created the stack", err)
	}
	// preview and up may still create it.
	st, _ := p.open(t, "stag", hubLike(nil), false)
	if _, err := st.Outputs(context.Background(), false); err != nil {
		t.Fatal(err)
	}
	if err := open(); err != nil {
		t.Errorf("open of the stack up created: %v", err)
	}
}

// TestCLIMessage: an update's message reaches the stack history exactly as given, quotes,
// backslashes and all (the Automation API would wrap it in Go quotes), and without one the
// message is left to the CLI.
func TestCLIMessage(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	ctx := context.Background()
	const msg = `release v1.2: "hub" images \ FL images`
	program := hubLike(map[string]string{"network": vpcType})
	out := &syncBuffer{}
	st, err := Open(ctx, Options{Stack: "stag", Dir: p.dir, Program: program, Backend: p.backend, PulumiRoot: p.root,
		Out: out, Err: out, EnvVars: p.env, Message: msg})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Up(ctx, UpOptions{}); err != nil {
		t.Fatalf("up: %v\n%s", err, out.String())
	}
	hist, err := st.stack.History(ctx, 1, 1)
	if err != nil || len(hist) != 1 {
		t.Fatalf("history: %v, %v", hist, err)
	}
	if hist[0].Message != msg {
		t.Errorf("history message %q; want %q", hist[0].Message, msg)
	}
}
