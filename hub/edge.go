package hub

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/edge"
	"github.com/londonaicentre/flip-hub/internal/bucket"
	"github.com/londonaicentre/flip-hub/network"
)

// edgeLogGrants are the log-bucket statements the edge's log deliveries need (ALB access
// logs, the UI bucket's server access logs); the data layer puts them in the log
// bucket's policy.
func (s *stack) edgeLogGrants() []bucket.Grant {
	return edge.LogDeliveryGrants(edge.LogDeliveryArgs{
		Prefix:    s.prefix,
		AccountID: s.account,
		Partition: s.partition,
	})
}

func (s *stack) buildEdge(ctx *pulumi.Context) error {
	ec := s.cfg.Edge
	e, err := edge.New(ctx, "edge", edge.Args{
		Prefix:              s.prefix,
		Region:              s.cfg.Region,
		Domain:              ec.Domain,
		ZoneID:              s.zoneID(ctx),
		GlobalProvider:      s.prov.Global,
		AccountID:           s.account,
		Partition:           s.partition,
		KMSKeyARN:           s.key.ARN,
		VPCID:               s.network.VPCID.ToStringOutput(),
		PublicSubnetIDs:     s.network.PublicSubnetIDs,
		PrivateSubnetIDs:    s.network.PrivateSubnetIDs,
		ALBSecurityGroupID:  s.network.ALBSecurityGroupID.ToStringOutput(),
		NLBSecurityGroupID:  s.network.NLBSecurityGroupID.ToStringOutput(),
		LogBucketName:       s.data.LogBucketName,
		LogBucketDomainName: s.data.LogBucketDomainName,
		// The ALB test-writes to the log bucket when access logging is turned on: it waits for
		// the bucket's policy, which admits the delivery.
		LogBucketReady:           s.data.LogBucketReady,
		PriceClass:               ec.PriceClass,
		WAFBlock:                 ec.WAFBlock,
		RateLimitPer5Min:         ec.RateLimitPer5Min,
		DeletionProtection:       ec.DeletionProtection,
		FLPort:                   s.cfg.FL.Port,
		APIPort:                  network.APIPort,
		LogRetentionDays:         s.cfg.LogRetentionDays,
		LogKeyDeletionWindowDays: s.cfg.KMSDeletionWindowDays,
		// Only a stack whose persistent resources are unprotected may empty the UI bucket.
		ForceDestroy:  !s.cfg.ProtectPersistent,
		ProtectLogKey: s.cfg.ProtectPersistent,
	}, s.inherit)
	if err != nil {
		return err
	}
	s.edge = e
	export(ctx, &Out.DistributionID, e.DistributionID)
	export(ctx, &Out.DistributionDomainName, e.DistributionDomainName)
	export(ctx, &Out.DistributionARN, e.DistributionARN)
	export(ctx, &Out.UIBucketName, e.UIBucketName)
	export(ctx, &Out.ALBARN, e.ALBARN)
	export(ctx, &Out.ALBDNSName, e.ALBDNSName)
	export(ctx, &Out.NLBARN, e.NLBARN)
	export(ctx, &Out.NLBDNSName, e.NLBDNSName)
	export(ctx, &Out.APITargetGroupARN, e.APITargetGroupARN)
	export(ctx, &Out.FLTargetGroupARN, e.FLTargetGroupARN)
	export(ctx, &Out.WebACLARN, e.WebACLARN)
	export(ctx, &Out.PublicURL, e.PublicURL)
	export(ctx, &Out.APIURL, e.APIURL)
	export(ctx, &Out.FLEndpoint, e.FLEndpoint)
	export(ctx, &Out.FLHost, pulumi.String(edge.FLHost(s.cfg.Edge.Domain)))
	export(ctx, &Out.CertificateValidationRecords, e.CertificateValidationRecords)
	export(ctx, &Out.DNSRecords, e.DNSRecords)
	return nil
}
