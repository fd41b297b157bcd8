package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/londonaicentre/flip-hub/internal/release"
)

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
