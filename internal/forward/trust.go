package forward

import (
	"fmt"
	"sort"
	"strings"

	"github.com/londonaicentre/flip-hub/internal/flip"
)

// TrustNames are the forwards of an AWS-hosted trust, in upstream's order.
// [deploy/providers/AWS/scripts/forward-trust-all.sh @b7cfb19]
var TrustNames = trustNames()

func trustNames() []string {
	names := make([]string, len(flip.TrustUIs))
	for i, u := range flip.TrustUIs {
		names[i] = strings.ToLower(u.Name)
	}
	return names
}

// Trust returns the forwards of the AWS-hosted trust code, by name (xnat, orthanc, trust-api,
// imaging-api, data-access-api, grafana), and the trust host's instance, from the stack output
// trustHosts (code → {instanceId, ...}). Local ports are upstream's, the remote ones.
func Trust(hosts map[string]map[string]any, code, instanceKey string) (map[string]Target, string, error) {
	entry, ok := hosts[code]
	if !ok {
		codes := make([]string, 0, len(hosts))
		for c := range hosts {
			codes = append(codes, c)
		}
		sort.Strings(codes)
		if len(codes) == 0 {
			return nil, "", fmt.Errorf("--trust %s: the stack has no AWS-hosted trust (trusts[].hosting: aws)", code)
		}
		return nil, "", fmt.Errorf("--trust %s: no such AWS-hosted trust; want one of %s", code, strings.Join(codes, ", "))
	}
	id, _ := entry[instanceKey].(string)
	if id == "" {
		return nil, "", fmt.Errorf("--trust %s: the stack output has no instance for it yet; run `hubctl up`", code)
	}
	out := map[string]Target{}
	for i, u := range flip.TrustUIs {
		out[TrustNames[i]] = Target{Name: TrustNames[i], RemotePort: u.Port, LocalPort: u.Port, URL: "http://%s" + u.Path,
			Note: u.Name + " of trust " + code}
	}
	return out, id, nil
}

// For selects (see Select) the hub's forwards on the hub host, or, with trust set, that AWS-hosted
// trust's forwards on its host (see Trust), and returns them with the instance to open them on.
func For(o HubOptions, hubInstance string, hosts map[string]map[string]any, trust, instanceKey string,
	names []string, ports map[string]int) ([]Target, string, error) {
	all, id := Hub(o), hubInstance
	if trust != "" {
		var err error
		if all, id, err = Trust(hosts, trust, instanceKey); err != nil {
			return nil, "", err
		}
	}
	targets, err := Select(all, names, ports)
	return targets, id, err
}
