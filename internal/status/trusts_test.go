package status_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	fliphub "github.com/londonaicentre/flip-hub/hub"
	"github.com/londonaicentre/flip-hub/internal/status"
)

func TestTrustHostsFromOutputs(t *testing.T) {
	t.Parallel()
	o := fliphub.Outputs{
		TrustHosts: map[string]map[string]any{
			"kch":  {fliphub.TrustHostInstanceID: "i-0fedcba9876543210"},
			"gstt": {fliphub.TrustHostInstanceID: "i-0123456789abcdef0", fliphub.TrustHostLogGroups: []any{"/flip-stag-trust-gstt-containers"}},
		},
		TrustRegistrations: map[string]map[string]any{"gstt": {"slotNumber": float64(3)}},
		FLPort:             8002,
	}
	got := status.TrustHosts(o)
	want := []status.TrustHost{
		{Code: "gstt", InstanceID: "i-0123456789abcdef0", SlotNumber: 3, FLPort: 8002, LogGroups: []string{"/flip-stag-trust-gstt-containers"}},
		{Code: "kch", InstanceID: "i-0fedcba9876543210", FLPort: 8002},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("trust hosts %+v; want %+v", got, want)
	}
}

// TestTrustChecks: each AWS-hosted trust gets its instance, containers and host resources checked,
// under its own names; the containers check wants upstream's trust services, its FL client among
// them, in the trust's compose project.
func TestTrustChecks(t *testing.T) {
	t.Parallel()
	all := []map[string]any{}
	for _, s := range []string{"trust-api", "imaging-api", "data-access-api", "fl-client-net-1", "omop-db", "orthanc", "xnat-web", "grafana"} {
		all = append(all, ctr(s, "running", "", 0))
	}
	cases := []struct {
		name   string
		stdout string
		slot   int
		ok     bool
		detail string
	}{
		{"all running", ps(all...), 3, true, "fl-client-net-1"},
		{"fl client down", ps(append(all[:3:3], append([]map[string]any{ctr("fl-client-net-1", "restarting", "", 1)}, all[4:]...)...)...), 3, false, "fl-client-net-1 is restarting"},
		{"not deployed", "", 3, false, "no compose containers"},
		{"no slot", ps(all...), 0, false, "no FL kit slot"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := &fakeCommander{stdout: tc.stdout}
			checks := status.TrustChecks(status.TrustHost{Code: "gstt", InstanceID: "i-0123456789abcdef0", SlotNumber: tc.slot}, nil, nil, f)
			var names []string
			for _, c := range checks {
				names = append(names, c.Name())
			}
			want := "trust gstt instance,trust gstt containers,trust gstt fl client,trust gstt host resources"
			if tc.slot == 0 {
				want = "trust gstt instance,trust gstt containers,trust gstt host resources"
			}
			if strings.Join(names, ",") != want {
				t.Fatalf("checks %v", names)
			}
			res := checks[1].Run(context.Background())
			if res.OK != tc.ok || !strings.Contains(res.Detail, tc.detail) || res.Name != "trust gstt containers" {
				t.Errorf("containers: ok %v %q (%s); want ok %v and %q", res.OK, res.Detail, res.Name, tc.ok, tc.detail)
			}
			if tc.slot > 0 && !strings.Contains(strings.Join(f.got, "\n"), "docker compose --project-name trust3 ps --all --format json") {
				t.Errorf("ran %v; want the trust3 project's ps", f.got)
			}
		})
	}
}

// TestFLClientConnected: connected is at least one established connection of the FL client to
// the FL port, read in its network namespace on the trust's compose project.
func TestFLClientConnected(t *testing.T) {
	t.Parallel()
	cases := []struct {
		stdout string
		ok     bool
		detail string
	}{
		{"connections 1\n", true, "connected to the FL server port 9092 (1 connection(s))"},
		{"connections 0\n", false, "holds no connection to the FL server port 9092"},
		{"not-running\n", false, "fl-client-net-1 is not running"},
		{"no-container\n", false, "fl-client-net-1 is not running"},
		{"connections many\n", false, "unexpected output"},
		{"", false, "unexpected output"},
	}
	for _, tc := range cases {
		f := &fakeCommander{stdout: tc.stdout}
		res := status.FLClientConnected(f, status.TrustHost{Code: "gstt", InstanceID: "i-0123456789abcdef0", SlotNumber: 2, FLPort: 9092}).Run(context.Background())
		if res.OK != tc.ok || !strings.Contains(res.Detail, tc.detail) {
			t.Errorf("%q: ok %v %q; want ok %v and %q", tc.stdout, res.OK, res.Detail, tc.ok, tc.detail)
		}
		script := strings.Join(f.got, "\n")
		for _, want := range []string{"--project-name trust2 ps -q fl-client-net-1", "nsenter -t", "dport = :9092"} {
			if !strings.Contains(script, want) {
				t.Errorf("script lacks %q:\n%s", want, script)
			}
		}
	}
}
