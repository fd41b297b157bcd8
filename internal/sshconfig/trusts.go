package sshconfig

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/londonaicentre/flip-hub/hub"
)

// TrustAlias is the ssh alias of an AWS-hosted trust's host: upstream's `ssh flip-trust`, one per
// trust. [deploy/providers/AWS/site.yml @034729e add_host name: flip-trust]
func TrustAlias(code string) string { return "flip-trust-" + code }

// TrustHosts are the hosts of the AWS-hosted trusts in a stack's outputs (trustHosts, region),
// sorted by code, each with base's user, identity file and profile.
func TrustHosts(outs map[string]any, base Host) ([]Host, error) {
	region, _ := outs[hub.OutputKey(&hub.Out.Region)].(string)
	raw, err := json.Marshal(outs[hub.OutputKey(&hub.Out.TrustHosts)])
	if err != nil {
		return nil, fmt.Errorf("stack output trustHosts: %w", err)
	}
	var hosts map[string]map[string]any
	if err := json.Unmarshal(raw, &hosts); err != nil {
		return nil, fmt.Errorf("stack output trustHosts: %w", err)
	}
	codes := make([]string, 0, len(hosts))
	for c := range hosts {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	var out []Host
	for _, c := range codes {
		id, _ := hosts[c][hub.TrustHostInstanceID].(string)
		h := base
		h.Alias, h.InstanceID, h.Region = TrustAlias(c), id, region
		out = append(out, h)
	}
	return out, nil
}

// WriteTrusts merges a block per AWS-hosted trust of outs into the ssh config at path and
// returns their aliases; with none it writes nothing.
func WriteTrusts(path string, outs map[string]any, base Host) ([]string, error) {
	hosts, err := TrustHosts(outs, base)
	if err != nil || len(hosts) == 0 {
		return nil, err
	}
	aliases := make([]string, len(hosts))
	for i, h := range hosts {
		aliases[i] = h.Alias
	}
	if err := Write(path, hosts...); err != nil {
		return nil, err
	}
	return aliases, nil
}
