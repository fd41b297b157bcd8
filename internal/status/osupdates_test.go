package status_test

import (
	"strings"
	"testing"
	"time"

	"github.com/londonaicentre/flip-hub/internal/ssmrun"
	"github.com/londonaicentre/flip-hub/internal/status"
	"github.com/londonaicentre/flip-hub/internal/testexec"
)

func TestParseOSUpdates(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		out     string
		want    status.OSUpdates
		wantErr string
	}{
		{"clean", "counts=12;0\nreboot=no\nunattended=1\nlists_age=3600\n",
			status.OSUpdates{Updates: 12, Unattended: true, ListsAge: time.Hour}, ""},
		{"security and reboot pending", "counts=30;4\nreboot=yes\nunattended=1\nlists_age=120\n",
			status.OSUpdates{Updates: 30, Security: 4, RebootRequired: true, Unattended: true, ListsAge: 2 * time.Minute}, ""},
		{"never refreshed, unattended off", "counts=0;0\nreboot=no\nunattended=0\nlists_age=never\n",
			status.OSUpdates{ListsAge: -1}, ""},
		{"apt-check missing", "counts=unknown\nreboot=no\nunattended=1\nlists_age=5\n", status.OSUpdates{}, "update-notifier-common"},
		{"truncated report", "counts=1;0\nreboot=no\n", status.OSUpdates{}, "lacks unattended"},
		{"lists age garbage", "counts=1;0\nreboot=no\nunattended=1\nlists_age=soon\n", status.OSUpdates{}, "not a number"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := status.ParseOSUpdates(tc.out)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v; want one saying %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParseOSUpdates = %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func TestOSUpdateStatus(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		stdout string
		err    error
		ok     bool
		detail string
	}{
		{"up to date", "counts=12;0\nreboot=no\nunattended=1\nlists_age=3600\n", nil, true, "no security update pending (12 other updates)"},
		{"security pending", "counts=30;4\nreboot=no\nunattended=1\nlists_age=3600\n", nil, false, "4 security updates pending"},
		{"reboot pending", "counts=0;0\nreboot=yes\nunattended=1\nlists_age=3600\n", nil, false, "a reboot is pending"},
		{"unattended off", "counts=0;0\nreboot=no\nunattended=0\nlists_age=3600\n", nil, false, "unattended upgrades are off"},
		{"mirror unreachable", "counts=0;0\nreboot=no\nunattended=1\nlists_age=259200\n", nil, false, "last refreshed its package lists 72h0m0s ago"},
		{"never refreshed", "counts=0;0\nreboot=no\nunattended=1\nlists_age=never\n", nil, false, "never refreshed"},
		{"not online", "", &ssmrun.NotOnlineError{InstanceID: "i-1"}, false, "not online"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := &fakeCommander{stdout: tc.stdout, err: tc.err}
			r := run(t, status.OSUpdateStatus(f, "i-1"), tc.ok, tc.detail)
			if !tc.ok && !strings.Contains(r.Fix, "unattended-upgrade") {
				t.Errorf("fix %q does not say how to install updates", r.Fix)
			}
			if !strings.Contains(strings.Join(f.got, "\n"), "apt-check") {
				t.Errorf("command %q does not ask apt-check", f.got)
			}
		})
	}
}

// The report script is plain bash that shellcheck accepts: it runs as the SSM command's body.
func TestOSUpdatesScriptShellcheck(t *testing.T) {
	t.Parallel()
	for name, script := range map[string][]string{"os-updates": status.OSUpdatesScript, "host-resources": status.HostResourcesScript} {
		testexec.Shellcheck(t, name+".sh", "#!/bin/bash\n"+strings.Join(script, "\n")+"\n")
	}
}

func TestEvaluateHostResources(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, out string
		ok        bool
		detail    string
	}{
		{"healthy", "disk / 41%\ndisk /var/lib/docker 41%\nmem 16303480 9000000\n", true, "disks / 41%, /var/lib/docker 41%; 55% of 15921 MiB memory available"},
		{"root full", "disk / 93%\nmem 16303480 9000000\n", false, "/ is 93% full"},
		{"memory exhausted", "disk / 40%\nmem 16303480 800000\n", false, "only 4% of 15921 MiB memory available"},
		{"both", "disk / 95%\nmem 1000 50\n", false, "/ is 95% full; only 5% of 0 MiB memory available"},
		{"no memory line", "disk / 40%\n", false, "lacks the disks or the memory"},
		{"garbage", "disk / lots\nmem 1 1\n", false, "not a percentage"},
	}
	for _, tc := range cases {
		got, err := status.EvaluateHostResources(tc.out)
		if (err == nil) != tc.ok {
			t.Errorf("%s: %q, %v; want ok %v", tc.name, got, err, tc.ok)
			continue
		}
		if msg := got; err != nil {
			msg = err.Error()
			if !strings.Contains(msg, tc.detail) {
				t.Errorf("%s: %q; want it to say %q", tc.name, msg, tc.detail)
			}
		} else if msg != tc.detail {
			t.Errorf("%s: %q; want %q", tc.name, msg, tc.detail)
		}
	}
}
