package status

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/internal/deployed"
	"github.com/londonaicentre/flip-hub/internal/release"
	"github.com/londonaicentre/flip-hub/internal/testexec"
)

func TestDriftFunc(t *testing.T) {
	refresh := func(err error) func(context.Context, bool) error {
		return func(_ context.Context, expectNoChanges bool) error {
			if !expectNoChanges {
				t.Fatal("status ran a refresh that writes the state; want the preview")
			}
			return err
		}
	}
	cases := []struct {
		name   string
		err    error
		ok     bool
		detail string
		fix    string
	}{
		{"no drift", nil, true, "no changes", ""},
		{"drift", &release.Error{Code: release.ChangesPending, Err: errors.New("stag has drifted from its state: [1 to update]")},
			false, "1 to update", "hubctl refresh --stack stag --expect-no-changes"},
		{"refresh failed", &release.Error{Code: release.Failed, Err: errors.New("no credentials")}, false, "no credentials", "AWS credentials"},
	}
	for _, tc := range cases {
		r := Drift("stag", driftFunc(refresh(tc.err)), time.Minute).Run(context.Background())
		if r.OK != tc.ok || !strings.Contains(r.Detail, tc.detail) || !strings.Contains(r.Fix, tc.fix) {
			t.Errorf("%s: %+v", tc.name, r)
		}
	}
}

// TestHubChecksDriftWithPulumi runs the drift check through the real pulumi CLI against a file backend,
// with an inline program of components (no provider plugin): a deployed stack has no drift.
func TestHubChecksDriftWithPulumi(t *testing.T) {
	root := testexec.PulumiRoot(t)
	dir := t.TempDir()
	for name, body := range map[string]string{
		"Pulumi.yaml": "name: flip-hub\nruntime: go\n", "Pulumi.stag.yaml": "config:\n  flip-hub:environment: stag\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	st, err := release.Open(ctx, release.Options{
		Stack: "stag", Dir: dir, Backend: "file://" + t.TempDir(), PulumiRoot: root,
		Program: func(pctx *pulumi.Context) error {
			var c struct{ pulumi.ResourceState }
			if err := pctx.RegisterComponentResource("flip:network:Network", "network", &c); err != nil {
				return err
			}
			pctx.Export("region", pulumi.String("eu-west-2"))
			return nil
		},
		EnvVars: map[string]string{
			"PULUMI_CONFIG_PASSPHRASE": "test-only-passphrase", "PULUMI_SKIP_UPDATE_CHECK": "true",
			"PULUMI_HOME": filepath.Join(dir, ".pulumi-home"), "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Up(ctx, release.UpOptions{}); err != nil {
		t.Fatal(err)
	}
	outs, err := st.Outputs(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	h := &deployed.Hub{Name: "stag", Stack: st, Raw: outs, Region: "eu-west-2"}
	checks := HubChecks(h, Settings{Timeout: time.Minute, DriftTimeout: 5 * time.Minute, LogWindow: time.Hour},
		func(context.Context) (DB, error) { return nil, errors.New("no database in this test") })
	var drift Check
	for _, c := range checks {
		if c.Name() == "drift" {
			drift = c
		}
	}
	if drift == nil {
		t.Fatal("no drift check for a stack opened through the state backend")
	}
	if r := drift.Run(ctx); !r.OK || r.Skipped || !strings.Contains(r.Detail, "no changes") {
		t.Fatalf("drift of a freshly deployed stack: %+v", r)
	}
}

func TestLiveLine(t *testing.T) {
	for _, tc := range []struct {
		r    Result
		want string
	}{
		{Result{Name: "instance", OK: true, Detail: "running, SSM online", Duration: 1200 * time.Millisecond}, "ok   instance (1s): running, SSM online"},
		{Result{Name: "drift", OK: true, Skipped: true, Detail: "skipped with --skip drift"}, "skip drift (0s): skipped with --skip drift"},
		{Result{Name: "database", Detail: "no connection", Duration: 65 * time.Second}, "FAIL database (1m05s): no connection"},
	} {
		if got := liveLine(tc.r); got != tc.want {
			t.Errorf("liveLine(%+v) = %q, want %q", tc.r, got, tc.want)
		}
	}
}
