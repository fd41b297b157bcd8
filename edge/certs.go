package edge

import (
	"fmt"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/acm"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudfront"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lb"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// validationTTL is the TTL of the certificate-validation record.
const validationTTL = 300

// certs are the hub domain's two certificates, each ARN taken from its validation so a
// listener or the distribution only ever receives an issued certificate.
type certs struct {
	regional pulumi.StringOutput
	global   pulumi.StringOutput
	records  pulumi.StringArrayOutput
}

// certificates requests the hub domain's certificate twice: in the stack region for the
// ALB, in us-east-1 for CloudFront (which takes certificates from there only). Both are
// DNS-validated. With a managed zone the one validation record goes in the zone (ACM asks
// the same record of every certificate for the domain in the account); without one, the
// validations still wait for ACM to issue, so no listener or distribution is handed an
// unissued certificate: whoever runs DNS adds the record, which ACM shows (aws acm
// describe-certificate) as soon as it is requested and the stack outputs once an up ends.
func (b *builder) certificates() (*certs, error) {
	domain := b.args.Domain
	certArgs := func() *acm.CertificateArgs {
		return &acm.CertificateArgs{
			DomainName:       pulumi.String(domain),
			ValidationMethod: pulumi.String("DNS"),
			KeyAlgorithm:     pulumi.String("RSA_2048"),
			Options: &acm.CertificateOptionsArgs{
				CertificateTransparencyLoggingPreference: pulumi.String("ENABLED"),
			},
			Tags: b.tags("edge"),
		}
	}
	regional, err := acm.NewCertificate(b.ctx, "alb", certArgs(), b.parent)
	if err != nil {
		return nil, fmt.Errorf("alb certificate: %w", err)
	}
	global, err := acm.NewCertificate(b.ctx, "cloudfront", certArgs(), b.global...)
	if err != nil {
		return nil, fmt.Errorf("cloudfront certificate: %w", err)
	}

	var fqdns pulumi.StringArrayInput
	if b.args.ZoneID != nil {
		opt := validationOption(regional, domain)
		rec, err := route53.NewRecord(b.ctx, "certificate-validation", &route53.RecordArgs{
			ZoneId:  b.args.ZoneID,
			Name:    opt.ResourceRecordName().Elem(),
			Type:    opt.ResourceRecordType().Elem(),
			Records: pulumi.StringArray{opt.ResourceRecordValue().Elem()},
			Ttl:     pulumi.Int(validationTTL),
			// The record's value is fixed by ACM for this account and domain, so writing
			// over one an earlier deployment of the hub left behind changes nothing.
			AllowOverwrite: pulumi.Bool(true),
		}, b.parent)
		if err != nil {
			return nil, fmt.Errorf("certificate validation record: %w", err)
		}
		fqdns = pulumi.StringArray{rec.Fqdn}
	}
	regionalValid, err := acm.NewCertificateValidation(b.ctx, "alb", &acm.CertificateValidationArgs{
		CertificateArn:        regional.Arn,
		ValidationRecordFqdns: fqdns,
	}, b.parent)
	if err != nil {
		return nil, fmt.Errorf("alb certificate validation: %w", err)
	}
	globalValid, err := acm.NewCertificateValidation(b.ctx, "cloudfront", &acm.CertificateValidationArgs{
		CertificateArn:        global.Arn,
		ValidationRecordFqdns: fqdns,
	}, b.global...)
	if err != nil {
		return nil, fmt.Errorf("cloudfront certificate validation: %w", err)
	}

	records := pulumi.All(regional.DomainValidationOptions, global.DomainValidationOptions).ApplyT(func(in []any) ([]string, error) {
		var lines []string
		for _, opts := range in {
			for _, o := range opts.([]acm.CertificateDomainValidationOption) {
				if o.ResourceRecordName == nil || o.ResourceRecordType == nil || o.ResourceRecordValue == nil {
					return nil, fmt.Errorf("certificate for %s: a validation option has no record", domain)
				}
				line := fmt.Sprintf("%s %s %s", *o.ResourceRecordName, *o.ResourceRecordType, *o.ResourceRecordValue)
				if !slices.Contains(lines, line) {
					lines = append(lines, line)
				}
			}
		}
		slices.Sort(lines)
		return lines, nil
	}).(pulumi.StringArrayOutput)

	return &certs{regional: regionalValid.CertificateArn, global: globalValid.CertificateArn, records: records}, nil
}

// validationOption is the certificate's validation record for one of its domains.
func validationOption(cert *acm.Certificate, domain string) acm.CertificateDomainValidationOptionOutput {
	return cert.DomainValidationOptions.ApplyT(func(opts []acm.CertificateDomainValidationOption) (acm.CertificateDomainValidationOption, error) {
		for _, o := range opts {
			if o.DomainName != nil && *o.DomainName == domain {
				return o, nil
			}
		}
		return acm.CertificateDomainValidationOption{}, fmt.Errorf("certificate has no validation record for %s", domain)
	}).(acm.CertificateDomainValidationOptionOutput)
}

// aliasRecords points the hub domain at CloudFront (IPv4 and IPv6) and fl.<domain> at the
// NLB, when the stack manages DNS.
func (b *builder) aliasRecords(dist *cloudfront.Distribution, nlb *lb.LoadBalancer) error {
	if b.args.ZoneID == nil {
		return nil
	}
	site := func(typ string) error {
		_, err := route53.NewRecord(b.ctx, "site-"+typ, &route53.RecordArgs{
			ZoneId: b.args.ZoneID,
			Name:   pulumi.String(b.args.Domain),
			Type:   pulumi.String(typ),
			Aliases: route53.RecordAliasArray{&route53.RecordAliasArgs{
				Name:                 dist.DomainName,
				ZoneId:               dist.HostedZoneId,
				EvaluateTargetHealth: pulumi.Bool(false),
			}},
			// The hub's own names: written over a record an earlier deployment of the hub (or
			// the Terraform-managed hub being adopted) left, instead of failing on it.
			AllowOverwrite: pulumi.Bool(true),
		}, b.parent)
		if err != nil {
			return fmt.Errorf("%s record for %s: %w", typ, b.args.Domain, err)
		}
		return nil
	}
	for _, typ := range []string{"A", "AAAA"} {
		if err := site(typ); err != nil {
			return err
		}
	}
	if _, err := route53.NewRecord(b.ctx, "fl-A", &route53.RecordArgs{
		ZoneId: b.args.ZoneID,
		Name:   pulumi.String(FLHost(b.args.Domain)),
		Type:   pulumi.String("A"),
		Aliases: route53.RecordAliasArray{&route53.RecordAliasArgs{
			Name:   nlb.DnsName,
			ZoneId: nlb.ZoneId,
			// Route53 answers only with the NLB nodes whose zone has a healthy target.
			EvaluateTargetHealth: pulumi.Bool(true),
		}},
		// Trusts' kits name it: written over the record the hub being adopted left.
		AllowOverwrite: pulumi.Bool(true),
	}, b.parent); err != nil {
		return fmt.Errorf("fl alias record for %s: %w", FLHost(b.args.Domain), err)
	}
	return nil
}

// dnsRecords lists every record the hub needs, for whoever runs DNS.
func dnsRecords(domain string, validation pulumi.StringArrayOutput, cdn, nlb pulumi.StringOutput) pulumi.StringArrayOutput {
	return pulumi.All(validation, cdn, nlb).ApplyT(func(in []any) []string {
		out := slices.Clone(in[0].([]string))
		return append(out,
			fmt.Sprintf("%s CNAME %s", domain, in[1]),
			fmt.Sprintf("%s CNAME %s", FLHost(domain), in[2]),
		)
	}).(pulumi.StringArrayOutput)
}
