package edge

import (
	"fmt"
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/internal/flip"
	"github.com/londonaicentre/flip-hub/internal/namer"
)

// TypeToken is the component's Pulumi type.
const TypeToken = "flip:edge:Edge"

// UIBucketPurpose names the UI bucket (its component, physical name and access-log prefix).
const UIBucketPurpose = "ui"

// PriceClasses are the CloudFront price classes the distribution accepts.
var PriceClasses = []string{"PriceClass_100", "PriceClass_200", "PriceClass_All"}

// Args configures the edge: plain values decided by the caller and upstream outputs.
type Args struct {
	// Prefix starts every physical name, e.g. "flip-prod".
	Prefix string
	// Region is the stack region (ALB, NLB, regional certificate).
	Region string
	// Domain is the hub's canonical domain; the FL endpoint is fl.<Domain>.
	Domain string
	// ZoneID is the Route53 zone holding Domain, or nil when the stack does not manage
	// DNS: then no record is written and the records to create are outputs.
	ZoneID pulumi.StringInput
	// GlobalProvider is the us-east-1 AWS provider: CloudFront's certificate, the WAF web
	// ACL and its logging (key, log group, resource policy) are handed it explicitly.
	GlobalProvider pulumi.ProviderResource
	AccountID      pulumi.StringInput
	Partition      pulumi.StringInput
	// KMSKeyARN is the stack key; it encrypts the UI bucket and lets CloudFront decrypt
	// for this account's distributions.
	KMSKeyARN pulumi.StringInput

	VPCID              pulumi.StringInput
	PublicSubnetIDs    pulumi.StringArrayInput
	PrivateSubnetIDs   pulumi.StringArrayInput
	ALBSecurityGroupID pulumi.StringInput
	NLBSecurityGroupID pulumi.StringInput

	// LogBucketName receives ALB access logs and the UI bucket's server access logs;
	// LogBucketDomainName (bucket.s3.amazonaws.com) receives CloudFront standard logs. The
	// log bucket's policy must carry LogDeliveryGrants.
	LogBucketName       pulumi.StringInput
	LogBucketDomainName pulumi.StringInput
	// LogBucketReady, when set, are resources the ALB waits for before enabling access
	// logs (ELB test-writes to the bucket then, so the bucket policy must be in place).
	LogBucketReady []pulumi.Resource

	PriceClass string
	// WAFBlock makes the managed rule groups and the rate limit block; false only counts.
	WAFBlock         bool
	RateLimitPer5Min int
	// DeletionProtection turns on ALB and NLB deletion protection (prod).
	DeletionProtection bool
	// FLPort is the federated-learning port (8002 NVFLARE, 9092 Flower) on the NLB and host.
	FLPort int
	// APIPort is flip-api's port on the hub host (8000).
	APIPort          int
	LogRetentionDays int
	// LogKeyDeletionWindowDays (7–30) applies to the us-east-1 key of the WAF logs.
	LogKeyDeletionWindowDays int
	// ForceDestroy lets a destroy empty the UI bucket (disposable stacks only).
	ForceDestroy bool
	// ProtectLogKey protects the WAF log key (prod); it is retained on destroy in every stack.
	ProtectLogKey bool
}

// Edge is the edge component.
//
// The ACM certificates are issued in the stack region for the ALB and in us-east-1 for CloudFront.
// The UI bucket is read only by this distribution, through origin access control. The distribution
// has a viewer-request rewrite, cache, origin-request and response-header policies, and the WAF web
// ACL with its logs. The FL NLB passes TCP through untouched, so mutual TLS runs end to end between
// the trusts and the FL server.
type Edge struct {
	pulumi.ResourceState

	DistributionID         pulumi.StringOutput
	DistributionDomainName pulumi.StringOutput
	DistributionARN        pulumi.StringOutput
	UIBucketName           pulumi.StringOutput
	ALBARN                 pulumi.StringOutput
	ALBDNSName             pulumi.StringOutput
	NLBARN                 pulumi.StringOutput
	NLBDNSName             pulumi.StringOutput
	APITargetGroupARN      pulumi.StringOutput
	FLTargetGroupARN       pulumi.StringOutput
	WebACLARN              pulumi.StringOutput
	// PublicURL is https://<domain>, APIURL https://<domain>/api, FLEndpoint fl.<domain>:<port>.
	PublicURL  pulumi.StringOutput
	APIURL     pulumi.StringOutput
	FLEndpoint pulumi.StringOutput
	// CertificateValidationRecords are "<name> CNAME <value>" lines for both certificates
	// (deduplicated: ACM asks the same record of every certificate for a domain in an account).
	CertificateValidationRecords pulumi.StringArrayOutput
	// DNSRecords are every record the hub needs, as "<name> <type> <value>" lines, for
	// whoever runs DNS when the stack does not.
	DNSRecords pulumi.StringArrayOutput
}

func (a Args) validate() error {
	switch {
	case a.Prefix == "" || a.Region == "" || a.Domain == "":
		return fmt.Errorf("want a prefix, a region and a domain")
	case a.GlobalProvider == nil:
		return fmt.Errorf("want the us-east-1 provider for CloudFront's certificate and WAF")
	case a.AccountID == nil || a.Partition == nil || a.KMSKeyARN == nil:
		return fmt.Errorf("want the account, partition and stack key")
	case a.VPCID == nil || a.PublicSubnetIDs == nil || a.PrivateSubnetIDs == nil:
		return fmt.Errorf("want the VPC and its public and private subnets")
	case a.ALBSecurityGroupID == nil || a.NLBSecurityGroupID == nil:
		return fmt.Errorf("want the ALB and NLB security groups")
	case a.LogBucketName == nil || a.LogBucketDomainName == nil:
		return fmt.Errorf("want the log bucket's name and domain name")
	case !slices.Contains(PriceClasses, a.PriceClass):
		return fmt.Errorf("price class %q is not one of %v", a.PriceClass, PriceClasses)
	case a.RateLimitPer5Min < 100 || a.RateLimitPer5Min > 2_000_000_000:
		return fmt.Errorf("rate limit %d per 5 minutes is outside 100–2000000000", a.RateLimitPer5Min)
	case !validPort(a.FLPort) || !validPort(a.APIPort) || a.FLPort == a.APIPort:
		return fmt.Errorf("FL port %d and API port %d: want two distinct ports from 1 to 65535, neither 22 nor 3389", a.FLPort, a.APIPort)
	case a.LogRetentionDays < 1:
		return fmt.Errorf("log retention %d days; want at least 1", a.LogRetentionDays)
	case a.LogKeyDeletionWindowDays < 7 || a.LogKeyDeletionWindowDays > 30:
		return fmt.Errorf("log key deletion window %d is outside 7–30 days", a.LogKeyDeletionWindowDays)
	}
	return nil
}

// validPort refuses SSH and RDP: no port of the edge ever opens an admin protocol.
func validPort(p int) bool { return p >= 1 && p <= 65535 && p != 22 && p != 3389 }

// New builds the edge.
func New(ctx *pulumi.Context, name string, args Args, opts ...pulumi.ResourceOption) (*Edge, error) {
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("edge %s: %w", name, err)
	}
	e := &Edge{}
	if err := ctx.RegisterComponentResource(TypeToken, name, e, opts...); err != nil {
		return nil, fmt.Errorf("edge %s: %w", name, err)
	}
	b := &builder{
		ctx:    ctx,
		args:   args,
		nm:     namer.New(args.Prefix),
		parent: pulumi.Parent(e),
		global: []pulumi.ResourceOption{pulumi.Parent(e), pulumi.Provider(args.GlobalProvider)},
	}

	certs, err := b.certificates()
	if err != nil {
		return nil, err
	}
	lbs, err := b.loadBalancers(certs.regional)
	if err != nil {
		return nil, err
	}
	waf, err := b.firewall()
	if err != nil {
		return nil, err
	}
	cdn, err := b.distribution(certs.global, lbs.alb, waf)
	if err != nil {
		return nil, err
	}
	if err := b.aliasRecords(cdn.dist, lbs.nlb); err != nil {
		return nil, err
	}

	e.DistributionID = cdn.dist.ID().ToStringOutput()
	e.DistributionDomainName = cdn.dist.DomainName
	e.DistributionARN = cdn.dist.Arn
	e.UIBucketName = cdn.ui.Name
	e.ALBARN = lbs.alb.Arn
	e.ALBDNSName = lbs.alb.DnsName
	e.NLBARN = lbs.nlb.Arn
	e.NLBDNSName = lbs.nlb.DnsName
	e.APITargetGroupARN = lbs.apiTG.Arn
	e.FLTargetGroupARN = lbs.flTG.Arn
	e.WebACLARN = waf.acl.Arn
	e.PublicURL = pulumi.String("https://" + args.Domain).ToStringOutput()
	e.APIURL = pulumi.String("https://" + args.Domain + "/api").ToStringOutput()
	e.FLEndpoint = pulumi.Sprintf("%s:%d", FLHost(args.Domain), args.FLPort)
	e.CertificateValidationRecords = certs.records
	e.DNSRecords = dnsRecords(args.Domain, certs.records, cdn.dist.DomainName, lbs.nlb.DnsName)

	if err := ctx.RegisterResourceOutputs(e, pulumi.Map{
		"distributionId":               e.DistributionID,
		"distributionDomainName":       e.DistributionDomainName,
		"uiBucketName":                 e.UIBucketName,
		"albDnsName":                   e.ALBDNSName,
		"nlbDnsName":                   e.NLBDNSName,
		"apiTargetGroupArn":            e.APITargetGroupARN,
		"flTargetGroupArn":             e.FLTargetGroupARN,
		"publicUrl":                    e.PublicURL,
		"flEndpoint":                   e.FLEndpoint,
		"certificateValidationRecords": e.CertificateValidationRecords,
		"exceptions":                   pulumi.ToStringMap(exceptions(args)),
	}); err != nil {
		return nil, fmt.Errorf("edge outputs: %w", err)
	}
	return e, nil
}

// FLHost is the federated-learning endpoint's host name.
func FLHost(domain string) string { return flip.FLHost(domain) }

// exceptions are the edge's stated departures from the compliance checks it is reviewed
// against, kept in the component's outputs for reviewers.
func exceptions(a Args) map[string]string {
	out := map[string]string{
		"CKV_AWS_91/ELB.5 fl-nlb": "the FL NLB listener is TCP so NVFLARE/Flower mutual TLS stays end to end; NLB access " +
			"logs exist only for TLS listeners, so there is nothing to enable. VPC flow logs record its connections.",
	}
	if !a.DeletionProtection {
		out["CKV_AWS_150/ELB.6"] = "load balancer deletion protection is a prod-only flag; this hub is disposable"
	}
	if !a.WAFBlock {
		out["WAF count mode"] = "config put the web ACL in count mode to tune rules (staging only: prod config refuses it)"
	}
	return out
}

// builder carries what every part of the edge needs.
type builder struct {
	ctx    *pulumi.Context
	args   Args
	nm     namer.Namer
	parent pulumi.ResourceOption
	// global are the options of a us-east-1 child: parented, on the global provider.
	global []pulumi.ResourceOption
}

func (b *builder) tags(role string) pulumi.StringMap {
	return pulumi.StringMap{"Name": pulumi.String(b.nm.Name(role))}
}
