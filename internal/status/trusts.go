package status

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

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
	// FLPort is the hub's FL port its FL client connects to (stack output flPort).
	FLPort int
	// LogGroups are the host's log groups (containers, system, deploy).
	LogGroups []string
}

// TrustHosts reads the AWS-hosted trusts from the outputs trustHosts and trustRegistrations,
// sorted by code.
func TrustHosts(o hub.Outputs) []TrustHost {
	var out []TrustHost
	for code, entry := range o.TrustHosts {
		id, _ := entry[hub.TrustHostInstanceID].(string)
		t := TrustHost{Code: code, InstanceID: id, FLPort: o.FLPort}
		groups, _ := entry[hub.TrustHostLogGroups].([]any)
		for _, g := range groups {
			if s, ok := g.(string); ok && s != "" {
				t.LogGroups = append(t.LogGroups, s)
			}
		}
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
// stores —, its FL client connected to the hub's FL server, and its disk and memory. [deploy/providers/AWS/check_status.py @05c8564 "Trust EC2 Status"]
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
		checks = append(checks, Renamed(name("containers"), trustContainers(runner, t)),
			Renamed(name("fl client"), FLClientConnected(runner, t)))
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

// FLClientScript counts the FL client's established TCP connections to the hub's FL port, read in
// the container's own network namespace (nsenter, ss) so nothing runs inside the container. It
// only reads.
func FLClientScript(slotNumber, flPort int) []string {
	return ssmrun.Script(
		"id=\"$(docker compose --project-name "+flip.TrustProject(slotNumber)+" ps -q "+flip.TrustServiceFLClient+")\"",
		"[[ -n \"${id}\" ]] || { echo 'no-container'; exit 0; }",
		"pid=\"$(docker inspect -f '{{.State.Pid}}' \"${id}\")\"",
		"[[ \"${pid}\" != 0 ]] || { echo 'not-running'; exit 0; }",
		fmt.Sprintf("echo \"connections $(nsenter -t \"${pid}\" -n ss -Htn state established '( dport = :%d )' | wc -l)\"", flPort),
	)
}

// EvaluateFLClient reads FLClientScript's output: how many connections the FL client holds.
func EvaluateFLClient(out string, flPort int) (string, error) {
	line := strings.TrimSpace(out)
	switch {
	case line == "no-container" || line == "not-running":
		return "", problem("start the trust's services (`hubctl up` re-runs the trust deploy) and read "+
			flip.TrustServiceFLClient+"'s logs", nil, "%s is not running", flip.TrustServiceFLClient)
	case !strings.HasPrefix(line, "connections "):
		return "", fmt.Errorf("unexpected output %q", clip(line))
	}
	n, err := strconv.Atoi(strings.TrimPrefix(line, "connections "))
	if err != nil {
		return "", fmt.Errorf("unexpected output %q", clip(line))
	}
	if n == 0 {
		return "", problem("read "+flip.TrustServiceFLClient+"'s logs; the FL endpoint admits this trust through the hub's NAT "+
			"addresses in the prefix list "+"fl-trust-networks (check it holds them), and the hub's fl-server must be running",
			nil, "%s holds no connection to the FL server port %d", flip.TrustServiceFLClient, flPort)
	}
	return fmt.Sprintf("%s connected to the FL server port %d (%d connection(s))", flip.TrustServiceFLClient, flPort, n), nil
}

// FLClientConnected checks, with a read-only SSM command on the trust host, that the trust's FL
// client holds a connection to the hub's FL server: the "FL client connected" of upstream's status.
func FLClientConnected(c Commander, t TrustHost) Check {
	return &Func{
		CheckName: "fl client",
		Timeout:   ContainersTimeout,
		Fix:       "fix the trust's instance check first; your role needs ssm:SendCommand on the trust host",
		Fn: func(ctx context.Context) (string, error) {
			res, err := c.Run(ctx, t.InstanceID, FLClientScript(t.SlotNumber, t.FLPort), ssmrun.Options{
				Comment:          "hubctl status: fl client connections",
				ExecutionTimeout: 30 * time.Second,
			})
			if err != nil {
				return "", fmt.Errorf("ssm command on %s: %w", t.InstanceID, err)
			}
			return EvaluateFLClient(res.Stdout, t.FLPort)
		},
	}
}
