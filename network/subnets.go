package network

import (
	"fmt"
	"math/bits"
	"net/netip"
)

// Layout is the subnet plan of a VPC: one private and one public subnet per zone.
type Layout struct {
	Private []netip.Prefix
	Public  []netip.Prefix
}

// Carve splits the VPC CIDR into 2*zones equal subnets: the first half private (where the
// hub lives, so they come first), the second half public (NAT gateways and the NLB).
// Subnets are as large as the split allows and never smaller than AWS's /28 minimum.
func Carve(cidr string, zones int) (Layout, error) {
	vpc, err := netip.ParsePrefix(cidr)
	if err != nil {
		return Layout{}, fmt.Errorf("vpc cidr %q: %w", cidr, err)
	}
	if !vpc.Addr().Is4() || vpc.Masked() != vpc {
		return Layout{}, fmt.Errorf("vpc cidr %q: want an IPv4 network address", cidr)
	}
	if zones < 1 {
		return Layout{}, fmt.Errorf("carve %q: want at least one zone, got %d", cidr, zones)
	}
	count := 2 * zones
	newBits := bits.Len(uint(count - 1))
	size := vpc.Bits() + newBits
	if size > 28 {
		return Layout{}, fmt.Errorf("carve %q into %d subnets: they would be /%d, smaller than the /28 AWS allows", cidr, count, size)
	}
	base := vpc.Addr().As4()
	start := uint32(base[0])<<24 | uint32(base[1])<<16 | uint32(base[2])<<8 | uint32(base[3])
	step := uint32(1) << (32 - size)
	var l Layout
	for i := range count {
		v := start + uint32(i)*step
		p := netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), size)
		if i < zones {
			l.Private = append(l.Private, p)
		} else {
			l.Public = append(l.Public, p)
		}
	}
	return l, nil
}
