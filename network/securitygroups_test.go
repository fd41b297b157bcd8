package network

import (
	"fmt"
	"strings"
	"testing"
)

func TestTrustNetworkDescription(t *testing.T) {
	t.Parallel()
	many := func(n int) []string {
		var codes []string
		for i := range n {
			codes = append(codes, fmt.Sprintf("trust-%03d", i))
		}
		return codes
	}
	cases := []struct {
		name  string
		codes []string
		want  string
	}{
		{"one trust", []string{"gstt"}, "FL from trust gstt"},
		{"a shared network", []string{"gstt", "kch"}, "FL from trust gstt kch"},
		{"too many to name", many(40), "FL from trust " + strings.Join(many(40)[:23], " ") + " and 17 more"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := TrustNetworkDescription(tc.codes)
			if got != tc.want {
				t.Errorf("description\n got %q\nwant %q", got, tc.want)
			}
			if len(got) > maxEntryDescription {
				t.Errorf("description is %d characters; EC2 keeps at most %d", len(got), maxEntryDescription)
			}
		})
	}
}

func TestIngressByCIDR(t *testing.T) {
	t.Parallel()
	in := []TrustCIDR{
		{Code: "kch", CIDR: "203.0.113.0/28"},
		{Code: "gstt", CIDR: "198.51.100.0/28"},
		{Code: "gstt", CIDR: "203.0.113.0/28"},
		{Code: "kch", CIDR: "203.0.113.0/28"},
	}
	got := ingressByCIDR(in)
	want := []trustIngress{
		{cidr: "198.51.100.0/28", codes: []string{"gstt"}},
		{cidr: "203.0.113.0/28", codes: []string{"gstt", "kch"}},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("ingressByCIDR = %v; want %v", got, want)
	}
}

// TestNATIngress: every NAT address is an entry for every AWS-hosted trust, and an address that is
// also an on-prem trust's network stays one entry naming both.
func TestNATIngress(t *testing.T) {
	t.Parallel()
	in := append([]TrustCIDR{{Code: "uclh", CIDR: "198.18.0.7/32"}, {Code: "kch", CIDR: "203.0.113.0/28"}},
		NATIngress([]string{"gstt", "bart"}, []string{"198.18.0.7", "198.19.1.2"})...)
	var got []string
	for _, e := range ingressByCIDR(in) {
		got = append(got, e.cidr+"="+TrustNetworkDescription(e.codes))
	}
	want := "198.18.0.7/32=FL from trust bart gstt uclh|198.19.1.2/32=FL from trust bart gstt|203.0.113.0/28=FL from trust kch"
	if strings.Join(got, "|") != want {
		t.Errorf("entries\n%s\nwant\n%s", strings.Join(got, "|"), want)
	}
	if n := NATIngress([]string{"gstt"}, nil); n != nil {
		t.Errorf("no NAT address gave %v", n)
	}
}
