package status

import (
	"context"
	"fmt"
	"math"
	"sort"

	"github.com/londonaicentre/flip-hub/hub"
	"github.com/londonaicentre/flip-hub/internal/flip"
	"github.com/londonaicentre/flip-hub/internal/ssmrun"
	"github.com/londonaicentre/flip-hub/trusts"
)

// TrustHost is one AWS-hosted trust as the stack outputs describe it.
type TrustHost struct {
	Code       string
	InstanceID string
	// SlotNumber names its compose project (trust<N>); 0 when the trust is not registered yet.
	SlotNumber int
}

// TrustHosts reads the AWS-hosted trusts from the outputs trustHosts and trustRegistrations,
// sorted by code.
func TrustHosts(o hub.Outputs) []TrustHost {
	var out []TrustHost
	for code, entry := range o.TrustHosts {
		id, _ := entry[hub.TrustHostInstanceID].(string)
		t := TrustHost{Code: code, InstanceID: id}
		switch n := o.TrustRegistrations[code][trusts.KeySlotNumber].(type) {
		case float64:
			if n == math.Trunc(n) {
				t.SlotNumber = int(n)
			}
		case int:
			t.SlotNumber = n
		}
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// TrustContainersScript lists a trust's compose containers (project trust<N>), running or not,
// as JSON. It only reads. [trust/Makefile @0046dc2 TRUST_PROJECT := trust$(TRUST_NUM)]
func TrustContainersScript(slotNumber int) []string {
	return ssmrun.Script("docker compose --project-name " + flip.TrustProject(slotNumber) + " ps --all --format json")
}

// TrustChecks are the checks of one AWS-hosted trust, as upstream's check_status.py checks its
// trust EC2: the instance running (and, here, online in SSM), the trust's services running —
// trust-api, imaging-api, data-access-api, its FL client fl-client-net-1, omop-db, and the imaging
// stores — and its disk and memory. [deploy/providers/AWS/check_status.py @05c8564 "Trust EC2 Status"]
func TrustChecks(t TrustHost, ec2c EC2API, ssmc SSMPingAPI, runner Commander) []Check {
	name := func(what string) string { return "trust " + t.Code + " " + what }
	if t.InstanceID == "" {
		return []Check{Fail(name("instance"), "stack output trustHosts has no instance for "+t.Code, "run `hubctl up`")}
	}
	checks := []Check{Renamed(name("instance"), Instance(ec2c, ssmc, t.InstanceID))}
	if t.SlotNumber < 1 {
		checks = append(checks, Fail(name("containers"), "trust "+t.Code+" has no FL kit slot in stack output trustRegistrations",
			"run `hubctl up`: the trust's register command claims its slot, then the trust deploy starts its services"))
	} else {
		checks = append(checks, Renamed(name("containers"), trustContainers(runner, t)))
	}
	return append(checks, Renamed(name("host resources"), HostResources(runner, t.InstanceID)))
}

func trustContainers(c Commander, t TrustHost) Check {
	return containersWith(c, t.InstanceID, flip.TrustCoreServices, TrustContainersScript(t.SlotNumber),
		fmt.Sprintf("the trust's services are not deployed: run `hubctl up` (the trust-%s-deploy step starts them)", t.Code))
}

// renamed is a check under another name.
type renamed struct {
	Check
	name string
}

func (r renamed) Name() string { return r.name }

func (r renamed) Run(ctx context.Context) Result {
	res := r.Check.Run(ctx)
	res.Name = r.name
	return res
}

// Renamed runs c under name.
func Renamed(name string, c Check) Check { return renamed{Check: c, name: name} }
