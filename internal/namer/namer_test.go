package namer

import (
	"strings"
	"testing"
)

func TestName(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		n      Namer
		parts  []string
		want   string
		bound  int
		wantLn int
	}{
		{name: "joins prefix and parts", n: New("flip", "stag"), parts: []string{"rds"}, want: "flip-stag-rds"},
		{name: "lower-cases and drops empty parts", n: New("FLIP", "", "Prod"), parts: []string{" Logs "}, want: "flip-prod-logs"},
		{name: "with extends the prefix", n: New("flip").With("stag"), parts: []string{"vpc"}, want: "flip-stag-vpc"},
		{name: "separator", n: New("flip", "stag").WithSeparator("_"), parts: []string{"db"}, want: "flip_stag_db"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := tc.n.Name(tc.parts...); got != tc.want {
				t.Fatalf("Name() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestBounded(t *testing.T) {
	t.Parallel()
	n := New("flip", "stag")
	cases := []struct {
		name  string
		max   int
		parts []string
	}{
		{name: "fits unchanged", max: 32, parts: []string{"alb"}},
		{name: "too long is shortened", max: 32, parts: []string{"a-very-long-target-group-name-for-flip-api"}},
		{name: "tiny bound", max: 6, parts: []string{"something-long"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			full := n.Name(tc.parts...)
			got := n.Bounded(tc.max, tc.parts...)
			if len(got) > tc.max {
				t.Fatalf("Bounded(%d) = %q (%d chars) exceeds the bound", tc.max, got, len(got))
			}
			if len(full) <= tc.max && got != full {
				t.Fatalf("Bounded() = %q, want the unchanged %q", got, full)
			}
			if len(full) > tc.max && got == full[:len(got)] {
				t.Fatalf("Bounded() = %q merely truncates %q; want a hash suffix", got, full)
			}
			if again := n.Bounded(tc.max, tc.parts...); again != got {
				t.Fatalf("Bounded() is not stable: %q then %q", got, again)
			}
		})
	}
	a := n.Bounded(20, "target-group-number-one")
	b := n.Bounded(20, "target-group-number-two")
	if a == b {
		t.Fatalf("distinct long names collapsed to %q", a)
	}
	if strings.HasSuffix(strings.TrimSuffix(a, a[len(a)-8:]), "--") {
		t.Fatalf("double separator in %q", a)
	}
}
