package forward_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/londonaicentre/flip-hub/internal/forward"
)

var hosts = map[string]map[string]any{"gstt": {"instanceId": "i-0123456789abcdef0"}, "kch": {"instanceId": ""}}

// TestTrustForwards: --trust opens upstream's forward-trust-all.sh ports on the trust's host, in
// its order, each with its URL.
func TestTrustForwards(t *testing.T) {
	t.Parallel()
	targets, id, err := forward.For(forward.HubOptions{APIPort: 8000}, "i-hub", hosts, "gstt", "instanceId", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if id != "i-0123456789abcdef0" {
		t.Errorf("instance %s; want the trust host", id)
	}
	var got []string
	for _, tg := range targets {
		got = append(got, tg.Name+":"+strings.ReplaceAll(tg.URL, "%s", "")+":"+strconv.Itoa(tg.RemotePort)+"/"+strconv.Itoa(tg.LocalPort))
	}
	want := "xnat:http://:8105/8105 orthanc:http://:8042/8042 trust-api:http:///docs:8020/8020 imaging-api:http:///docs:8001/8001 " +
		"data-access-api:http:///docs:8010/8010 grafana:http://:3000/3000"
	if strings.Join(got, " ") != want {
		t.Errorf("forwards\n%s\nwant\n%s", strings.Join(got, " "), want)
	}
	hub, id, err := forward.For(forward.HubOptions{APIPort: 8000}, "i-hub", hosts, "", "instanceId", nil, nil)
	if err != nil || id != "i-hub" || len(hub) != 1 || hub[0].Name != forward.FlipAPI {
		t.Errorf("without --trust: %v %s %v; want flip-api on the hub host", hub, id, err)
	}
	one, _, err := forward.For(forward.HubOptions{}, "i-hub", hosts, "gstt", "instanceId", []string{"orthanc"}, map[string]int{"orthanc": 0})
	if err != nil || len(one) != 1 || one[0].LocalPort != 0 {
		t.Errorf("orthanc on a free port: %v %v", one, err)
	}
}

func TestTrustForwardErrors(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		hosts map[string]map[string]any
		code  string
		want  string
	}{
		"unknown":     {hosts, "uclh", "want one of gstt, kch"},
		"no hosts":    {nil, "gstt", "no AWS-hosted trust"},
		"no instance": {hosts, "kch", "no instance"},
	} {
		_, _, err := forward.For(forward.HubOptions{}, "i-hub", tc.hosts, tc.code, "instanceId", nil, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v; want %q", name, err, tc.want)
		}
	}
}
