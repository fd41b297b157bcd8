package release

import (
	"errors"
	"strings"
	"testing"
)

func TestBriefKeepsOtherErrors(t *testing.T) {
	t.Parallel()
	base := errors.New("context canceled")
	err := brief("up stag", base, nil)
	if err.Error() != "up stag: context canceled" || !errors.Is(err, base) {
		t.Fatalf("brief(plain error) = %v; want it wrapped as it is", err)
	}
	if brief("up stag", nil, nil) != nil {
		t.Fatal("brief(nil) is not nil")
	}
}

func TestLastLines(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		n    int
		want string
	}{
		{"a\n\nb\n  c  \n", 5, "a|b|c"},
		{"1\n2\n3\n4\n5\n6\n7\n", 5, "3|4|5|6|7"},
		{"\n\n", 5, ""},
	}
	for _, tc := range cases {
		if got := strings.Join(lastLines(tc.in, tc.n), "|"); got != tc.want {
			t.Errorf("lastLines(%q, %d) = %q; want %q", tc.in, tc.n, got, tc.want)
		}
	}
}
