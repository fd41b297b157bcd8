package main

import (
	"bytes"
	"runtime/debug"
	"testing"
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
