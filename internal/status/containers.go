package status

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/londonaicentre/flip-hub/internal/deploy"
	"github.com/londonaicentre/flip-hub/internal/ssmrun"
)

// Commander runs a script on an instance through SSM; *ssmrun.Runner satisfies it.
type Commander interface {
	Run(ctx context.Context, instanceID string, commands []string, opts ssmrun.Options) (ssmrun.Result, error)
}

var _ Commander = (*ssmrun.Runner)(nil)

// ContainersTimeout bounds the containers check: an SSM command takes a few seconds to be delivered.
const ContainersTimeout = 90 * time.Second

// ContainersScript lists the hub's compose containers, running or not, as JSON. It only reads.
var ContainersScript = ssmrun.Script(deploy.ComposeCommand("ps --all --format json"))

// Container is one line of `docker compose ps --format json`.
type Container struct {
	Name     string `json:"Name"`
	Service  string `json:"Service"`
	State    string `json:"State"`
	Health   string `json:"Health"`
	ExitCode int    `json:"ExitCode"`
	Status   string `json:"Status"`
}

// ParseContainers reads `docker compose ps --format json` output: one JSON object per line (Compose
// 2.21 and later) or one JSON array (earlier releases).
func ParseContainers(out string) ([]Container, error) {
	trimmed := strings.TrimSpace(out)
	if trimmed == "" {
		return nil, nil
	}
	if strings.HasPrefix(trimmed, "[") {
		var cs []Container
		if err := json.Unmarshal([]byte(trimmed), &cs); err != nil {
			return nil, fmt.Errorf("compose ps output: %w", err)
		}
		return cs, nil
	}
	var cs []Container
	sc := bufio.NewScanner(strings.NewReader(trimmed))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var c Container
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			return nil, fmt.Errorf("compose ps output line %q: %w", clip(line), err)
		}
		cs = append(cs, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("compose ps output: %w", err)
	}
	return cs, nil
}

// EvaluateContainers compares the containers with the services that must be running. A wanted
// service must be running and not unhealthy or still starting; any other container must be running
// or have exited with code 0 (a one-shot job). It returns one complaint per problem.
func EvaluateContainers(cs []Container, want []string) []string {
	var problems []string
	byService := map[string][]Container{}
	for _, c := range cs {
		byService[c.Service] = append(byService[c.Service], c)
	}
	for _, svc := range want {
		list := byService[svc]
		if len(list) == 0 {
			problems = append(problems, svc+" has no container")
			continue
		}
		for _, c := range list {
			switch {
			case c.State != "running":
				problems = append(problems, fmt.Sprintf("%s is %s (%s)", svc, c.State, c.Status))
			case c.Health == "unhealthy" || c.Health == "starting":
				problems = append(problems, fmt.Sprintf("%s is running but %s", svc, c.Health))
			}
		}
	}
	services := make([]string, 0, len(byService))
	for svc := range byService {
		services = append(services, svc)
	}
	sort.Strings(services)
	for _, svc := range services {
		if slices.Contains(want, svc) {
			continue
		}
		for _, c := range byService[svc] {
			switch {
			case c.State == "restarting" || c.State == "dead":
				problems = append(problems, fmt.Sprintf("%s is %s", svc, c.State))
			case c.State == "exited" && c.ExitCode != 0:
				problems = append(problems, fmt.Sprintf("%s exited with code %d", svc, c.ExitCode))
			}
		}
	}
	return problems
}

// Containers checks, with a read-only SSM command on the hub host, that every wanted compose service
// is running and healthy.
func Containers(c Commander, instanceID string, want []string) Check {
	return containersWith(c, instanceID, want, ContainersScript, "the services are not deployed: run `hubctl up` for this stack "+
		"(the hub deploy step starts them)")
}

// containersWith checks the compose containers script lists on instanceID; notDeployed is the fix
// when it lists none.
func containersWith(c Commander, instanceID string, want, script []string, notDeployed string) Check {
	return &Func{
		CheckName: "containers",
		Timeout:   ContainersTimeout,
		Fix: "fix the instance check first; otherwise the SSM command could not run: your role needs ssm:SendCommand " +
			"and ssm:GetCommandInvocation on the host",
		Fn: func(ctx context.Context) (string, error) {
			res, err := c.Run(ctx, instanceID, script, ssmrun.Options{
				Comment:          "hubctl status: docker compose ps",
				ExecutionTimeout: 30 * time.Second,
			})
			if errors.Is(err, ssmrun.ErrCommandFailed) {
				return "", problem("docker or the compose project is not there: redeploy with `hubctl up` "+
					"(its deploy step writes /opt/flip and starts the services)", err, "docker compose ps failed on %s", instanceID)
			}
			if err != nil {
				return "", fmt.Errorf("ssm command on %s: %w", instanceID, err)
			}
			cs, err := ParseContainers(res.Stdout)
			if err != nil {
				return "", err
			}
			if len(cs) == 0 {
				return "", problem(notDeployed, nil, "no compose containers on %s (command %s)", instanceID, res.CommandID)
			}
			if p := EvaluateContainers(cs, want); len(p) > 0 {
				return "", problem("read the service's logs (its containers log group, or `docker compose logs "+
					"<service>` through `hubctl host run`), fix the cause, then `docker compose up -d` or redeploy",
					nil, "%s", strings.Join(p, "; "))
			}
			return fmt.Sprintf("%d containers; %s running and healthy", len(cs), strings.Join(want, ", ")), nil
		},
	}
}

func clip(s string) string {
	const limit = 120
	if len(s) > limit {
		return s[:limit] + "…"
	}
	return s
}
