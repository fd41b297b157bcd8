package hub

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// zoneID is the Route53 zone holding the hub domain when the stack manages DNS, or nil
// when it does not (layers then write no record and output the ones to create). The
// lookup runs once and is shared by every layer that writes records.
func (s *stack) zoneID(ctx *pulumi.Context) pulumi.StringInput {
	if !s.cfg.Edge.ManageDNS {
		return nil
	}
	if s.zone == nil {
		id := route53.LookupZoneOutput(ctx, route53.LookupZoneOutputArgs{
			Name:        pulumi.String(s.cfg.Edge.ZoneName),
			PrivateZone: pulumi.Bool(false),
		}, pulumi.Provider(s.prov.AWS)).ZoneId()
		s.zone = &id
	}
	return *s.zone
}
