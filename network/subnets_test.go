package network

import (
	"net/netip"
	"testing"
)

func TestCarve(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		cidr        string
		zones       int
		wantBits    int
		wantFirst   string
		wantPublic0 string
		wantErr     bool
	}{
		{name: "two zones of a /16", cidr: "10.20.0.0/16", zones: 2, wantBits: 18, wantFirst: "10.20.0.0/18", wantPublic0: "10.20.128.0/18"},
		{name: "three zones round up to eight slots", cidr: "10.30.0.0/16", zones: 3, wantBits: 19, wantFirst: "10.30.0.0/19", wantPublic0: "10.30.96.0/19"},
		{name: "a /24 over two zones", cidr: "192.168.5.0/24", zones: 2, wantBits: 26, wantFirst: "192.168.5.0/26", wantPublic0: "192.168.5.128/26"},
		{name: "six zones of a /24 reach /28", cidr: "172.16.1.0/24", zones: 6, wantBits: 28, wantFirst: "172.16.1.0/28", wantPublic0: "172.16.1.96/28"},
		{name: "too small", cidr: "10.0.0.0/26", zones: 3, wantErr: true},
		{name: "host bits", cidr: "10.0.0.1/16", zones: 2, wantErr: true},
		{name: "no zones", cidr: "10.0.0.0/16", zones: 0, wantErr: true},
		{name: "garbage", cidr: "ten", zones: 2, wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l, err := Carve(tc.cidr, tc.zones)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("Carve(%q, %d) = %v, want an error", tc.cidr, tc.zones, l)
				}
				return
			}
			if err != nil {
				t.Fatalf("Carve: %v", err)
			}
			if len(l.Private) != tc.zones || len(l.Public) != tc.zones {
				t.Fatalf("got %d private and %d public subnets, want %d each", len(l.Private), len(l.Public), tc.zones)
			}
			if l.Private[0].String() != tc.wantFirst || l.Public[0].String() != tc.wantPublic0 {
				t.Fatalf("first private %s, first public %s; want %s and %s", l.Private[0], l.Public[0], tc.wantFirst, tc.wantPublic0)
			}
			vpc := netip.MustParsePrefix(tc.cidr)
			all := append(append([]netip.Prefix{}, l.Private...), l.Public...)
			for i, a := range all {
				if a.Bits() != tc.wantBits {
					t.Errorf("subnet %s is /%d, want /%d", a, a.Bits(), tc.wantBits)
				}
				if !vpc.Contains(a.Addr()) || a.Bits() < vpc.Bits() {
					t.Errorf("subnet %s is outside %s", a, vpc)
				}
				for _, b := range all[i+1:] {
					if a.Overlaps(b) {
						t.Errorf("subnets %s and %s overlap", a, b)
					}
				}
			}
		})
	}
}
