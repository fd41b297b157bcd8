package main

import (
	"bytes"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/londonaicentre/flip-hub/internal/release"
)

func TestWriteVersion(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		settings []debug.BuildSetting
		want     string
	}{
		{"clean commit", []debug.BuildSetting{{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.modified", Value: "false"}},
			"hubctl v1.2.3\ncommit abc123\ngo1.26.6\n"},
		{"modified tree", []debug.BuildSetting{{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.modified", Value: "true"}},
			"hubctl v1.2.3\ncommit abc123 (modified)\ngo1.26.6\n"},
		{"no VCS stamp (go run, tests)", nil, "hubctl v1.2.3\ncommit unknown\ngo1.26.6\n"},
	}
	for _, tc := range cases {
		var b bytes.Buffer
		info := &debug.BuildInfo{GoVersion: "go1.26.6", Main: debug.Module{Version: "v1.2.3"}, Settings: tc.settings}
		if err := writeVersion(&b, info); err != nil || b.String() != tc.want {
			t.Errorf("%s: %q, %v; want %q", tc.name, b.String(), err, tc.want)
		}
	}
}

func TestConfirmDestroy(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, input string
		ok          bool
	}{
		{"the stack name", "stag\n", true},
		{"the name without a newline", "stag", true},
		{"the name with spaces", "  stag  \n", true},
		{"another name", "prod\n", false},
		{"yes is not the name", "yes\n", false},
		{"nothing (a script without --yes)", "", false},
	}
	for _, tc := range cases {
		var out bytes.Buffer
		err := release.ConfirmDestroy(strings.NewReader(tc.input), &out, "stag")
		if (err == nil) != tc.ok {
			t.Errorf("%s: err = %v; want ok %v", tc.name, err, tc.ok)
		}
		if err != nil && exitCode(err) != exitUsage {
			t.Errorf("%s: exit %d; want a usage error", tc.name, exitCode(err))
		}
		if !strings.Contains(out.String(), "Type the stack name") {
			t.Errorf("%s: prompt %q", tc.name, out.String())
		}
	}
}
