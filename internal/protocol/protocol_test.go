package protocol

import (
	"bytes"
	"runtime/debug"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		v    int
		fail bool
	}{{0, false}, {Version, false}, {Version + 1, true}, {Version - 1, Version-1 != 0}} {
		err := Check(tc.v)
		if (err != nil) != tc.fail {
			t.Errorf("Check(%d) = %v; want failure %v", tc.v, err, tc.fail)
		}
		if err != nil && !strings.Contains(err.Error(), "rebuild hubctl") {
			t.Errorf("Check(%d): %v does not say how to fix it", tc.v, err)
		}
	}
	if got, want := Arg(), "--protocol 1"; Version == 1 && got != want {
		t.Errorf("Arg() = %q, want %q", got, want)
	}
}

func TestWriteVersion(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		settings []debug.BuildSetting
		want     string
	}{
		{"clean commit", []debug.BuildSetting{{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.modified", Value: "false"}},
			"hubctl v1.2.3\ncommit abc123\nprotocol 1\ngo1.26.6\n"},
		{"modified tree", []debug.BuildSetting{{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.modified", Value: "true"}},
			"hubctl v1.2.3\ncommit abc123 (modified)\nprotocol 1\ngo1.26.6\n"},
		{"no VCS stamp (go run, tests)", nil, "hubctl v1.2.3\ncommit unknown\nprotocol 1\ngo1.26.6\n"},
	}
	for _, tc := range cases {
		var b bytes.Buffer
		info := &debug.BuildInfo{GoVersion: "go1.26.6", Main: debug.Module{Version: "v1.2.3"}, Settings: tc.settings}
		if err := WriteVersion(&b, info); err != nil || b.String() != tc.want {
			t.Errorf("%s: %q, %v; want %q", tc.name, b.String(), err, tc.want)
		}
	}
}
