package status

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/londonaicentre/flip-hub/internal/ssmrun"
)

// OSUpdatesScript reports, read-only, the host's pending package updates as Ubuntu's
// update-notifier counts them ("updates;security" on stderr of apt-check, the numbers the login
// banner shows), whether a reboot is pending, whether unattended upgrades are on, and how long
// ago apt last refreshed its lists (a stale stamp means the host cannot reach its mirror).
var OSUpdatesScript = ssmrun.Script(
	`counts="$(/usr/lib/update-notifier/apt-check 2>&1 >/dev/null || echo unknown)"`,
	`echo "counts=${counts}"`,
	`if [ -f /var/run/reboot-required ]; then echo reboot=yes; else echo reboot=no; fi`,
	`eval "$(apt-config shell unattended APT::Periodic::Unattended-Upgrade)"`,
	`echo "unattended=${unattended:-0}"`,
	`stamp=/var/lib/apt/periodic/update-success-stamp`,
	`if [ -f "${stamp}" ]; then echo "lists_age=$(( $(date +%s) - $(stat -c %Y "${stamp}") ))"; else echo lists_age=never; fi`,
)

// OSUpdatesTimeout bounds the check: an SSM command takes a few seconds to be delivered.
const OSUpdatesTimeout = 90 * time.Second

// ListsMaxAge is how old apt's lists may be: the daily timer refreshes them, with up to 12 hours
// of randomised delay.
const ListsMaxAge = 48 * time.Hour

// OSUpdates is what OSUpdatesScript reports.
type OSUpdates struct {
	Updates, Security int
	RebootRequired    bool
	Unattended        bool
	// ListsAge is the age of the last successful list refresh; negative when there was none.
	ListsAge time.Duration
}

// ParseOSUpdates reads OSUpdatesScript's output.
func ParseOSUpdates(out string) (OSUpdates, error) {
	u := OSUpdates{ListsAge: -1}
	seen := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), "=")
		if !ok {
			continue
		}
		seen[k] = true
		switch k {
		case "counts":
			a, b, ok := strings.Cut(v, ";")
			n, err1 := strconv.Atoi(a)
			s, err2 := strconv.Atoi(b)
			if !ok || err1 != nil || err2 != nil {
				return u, fmt.Errorf("apt-check printed %q, not updates;security (is update-notifier-common installed?)", clip(v))
			}
			u.Updates, u.Security = n, s
		case "reboot":
			u.RebootRequired = v == "yes"
		case "unattended":
			u.Unattended = v == "1" || strings.EqualFold(v, "true")
		case "lists_age":
			if v != "never" {
				secs, err := strconv.Atoi(v)
				if err != nil {
					return u, fmt.Errorf("lists age %q is not a number of seconds", clip(v))
				}
				u.ListsAge = time.Duration(secs) * time.Second
			}
		}
	}
	for _, k := range []string{"counts", "reboot", "unattended", "lists_age"} {
		if !seen[k] {
			return u, fmt.Errorf("the report lacks %s", k)
		}
	}
	return u, nil
}

// Evaluate returns one complaint per problem: pending security updates, a pending reboot,
// unattended upgrades off, lists never or not recently refreshed.
func (u OSUpdates) Evaluate() []string {
	var p []string
	if u.Security > 0 {
		p = append(p, fmt.Sprintf("%d security updates pending", u.Security))
	}
	if u.RebootRequired {
		p = append(p, "a reboot is pending (a kernel or core library update)")
	}
	if !u.Unattended {
		p = append(p, "unattended upgrades are off")
	}
	switch {
	case u.ListsAge < 0:
		p = append(p, "apt has never refreshed its package lists")
	case u.ListsAge > ListsMaxAge:
		p = append(p, fmt.Sprintf("apt last refreshed its package lists %s ago", u.ListsAge.Round(time.Hour)))
	}
	return p
}

// OSUpdateStatus checks, with a read-only SSM command on the hub host, that the host takes its
// security updates: none pending, no reboot pending, unattended upgrades on, lists fresh.
func OSUpdateStatus(c Commander, instanceID string) Check {
	return &Func{
		CheckName: "os updates",
		Timeout:   OSUpdatesTimeout,
		Fix: "security updates install daily (unattended-upgrades); to install now run " +
			"`sudo unattended-upgrade -v` on the host (`hubctl host run` or an SSM session); a pending reboot needs a " +
			"maintenance window (the FL services restart with the host); stale lists mean the host cannot reach the " +
			"Ubuntu archive over port 80 (security group rule host-out-http, the host firewall): redeploy with `hubctl up`",
		Fn: func(ctx context.Context) (string, error) {
			res, err := c.Run(ctx, instanceID, OSUpdatesScript, ssmrun.Options{
				Comment:          "hubctl status: pending OS updates",
				ExecutionTimeout: 30 * time.Second,
			})
			if errors.Is(err, ssmrun.ErrCommandFailed) {
				return "", fmt.Errorf("the update report failed on %s: %w", instanceID, err)
			}
			if err != nil {
				return "", fmt.Errorf("ssm command on %s: %w", instanceID, err)
			}
			u, err := ParseOSUpdates(res.Stdout)
			if err != nil {
				return "", err
			}
			if p := u.Evaluate(); len(p) > 0 {
				return "", problem("", nil, "%s", strings.Join(p, "; "))
			}
			return fmt.Sprintf("no security update pending (%d other updates); unattended upgrades on; lists refreshed %s ago",
				u.Updates, u.ListsAge.Round(time.Minute)), nil
		},
	}
}

// HostResourcesScript reports, read-only, the use of the host's root and Docker file systems
// and its memory: "disk <mount> <use%>" lines (df) and one "mem <total kB> <available kB>" line
// (/proc/meminfo).
var HostResourcesScript = ssmrun.Script(
	`df -P / /var/lib/docker 2>/dev/null | awk 'NR > 1 { print "disk", $6, $5 }'`,
	`awk '/^MemTotal:/ { t = $2 } /^MemAvailable:/ { a = $2 } END { print "mem", t, a }' /proc/meminfo`,
)

// Limits of the host resources check.
const (
	DiskMaxUsePercent     = 90
	MemoryMinAvailPercent = 10
)

// HostResources checks, with a read-only SSM command, that the hub host's disks have room and
// its memory is not exhausted.
func HostResources(c Commander, instanceID string) Check {
	return &Func{
		CheckName: "host resources",
		Timeout:   OSUpdatesTimeout,
		Fix: "disk: remove old images (`docker image prune -a` through `hubctl host run`) or raise host.rootVolumeGb and " +
			"`hubctl up`; memory: read which container grows (`docker stats --no-stream`), or choose a larger host.instanceType",
		Fn: func(ctx context.Context) (string, error) {
			res, err := c.Run(ctx, instanceID, HostResourcesScript, ssmrun.Options{
				Comment:          "hubctl status: disk and memory",
				ExecutionTimeout: 30 * time.Second,
			})
			if err != nil {
				return "", fmt.Errorf("ssm command on %s: %w", instanceID, err)
			}
			return EvaluateHostResources(res.Stdout)
		},
	}
}

// EvaluateHostResources reads HostResourcesScript's output: a summary, or a problem naming each
// disk at or over DiskMaxUsePercent and memory under MemoryMinAvailPercent available.
func EvaluateHostResources(out string) (string, error) {
	var problems, disks []string
	var total, avail int
	memSeen := false
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 3 && f[0] == "disk":
			use, err := strconv.Atoi(strings.TrimSuffix(f[2], "%"))
			if err != nil {
				return "", fmt.Errorf("disk use %q of %s is not a percentage", f[2], f[1])
			}
			disks = append(disks, fmt.Sprintf("%s %d%%", f[1], use))
			if use >= DiskMaxUsePercent {
				problems = append(problems, fmt.Sprintf("%s is %d%% full", f[1], use))
			}
		case len(f) == 3 && f[0] == "mem":
			var err1, err2 error
			total, err1 = strconv.Atoi(f[1])
			avail, err2 = strconv.Atoi(f[2])
			if err1 != nil || err2 != nil || total <= 0 {
				return "", fmt.Errorf("memory line %q is not two sizes in kB", clip(line))
			}
			memSeen = true
		}
	}
	if len(disks) == 0 || !memSeen {
		return "", fmt.Errorf("the report lacks the disks or the memory: %q", clip(out))
	}
	availPct := avail * 100 / total
	if availPct < MemoryMinAvailPercent {
		problems = append(problems, fmt.Sprintf("only %d%% of %d MiB memory available", availPct, total/1024))
	}
	if len(problems) > 0 {
		return "", problem("", nil, "%s", strings.Join(problems, "; "))
	}
	return fmt.Sprintf("disks %s; %d%% of %d MiB memory available", strings.Join(disks, ", "), availPct, total/1024), nil
}
