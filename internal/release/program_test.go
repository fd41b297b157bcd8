package release

import (
	"errors"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func TestOwnGoroutine(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	cases := []struct {
		name    string
		program pulumi.RunFunc
		want    string // "" for success
	}{
		{"success", func(*pulumi.Context) error { return nil }, ""},
		{"error", func(*pulumi.Context) error { return boom }, "boom"},
		{"panic", func(*pulumi.Context) error {
			var parent pulumi.Resource // never set: a runtime panic, as a bug in the program would raise
			_ = parent.URN()
			return nil
		}, "program panicked: runtime error: invalid memory address or nil pointer dereference"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := ownGoroutine(tc.program)(nil)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("err = %v; want nil", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("err = %v; want %q", err, tc.want)
			case tc.name == "error" && !errors.Is(err, boom):
				t.Fatalf("err = %v; want the program's own error", err)
			}
		})
	}
}
