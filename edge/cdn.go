package edge

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudfront"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lb"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/internal/bucket"
	"github.com/londonaicentre/flip-hub/internal/iamdoc"
)

// AWS managed cache policies (their IDs are fixed across accounts).
const (
	// CachingOptimizedPolicyID caches by path only, honours origin Cache-Control, compresses.
	CachingOptimizedPolicyID = "658327ea-f89d-4fab-a63d-7e88639e58f6"
	// CachingDisabledPolicyID never caches: every /api request reaches flip-api.
	CachingDisabledPolicyID = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
)

// Viewer-side TLS of the distribution.
const (
	ViewerMinimumProtocol = "TLSv1.2_2021"
	ViewerSSLSupport      = "sni-only"
)

// HSTSMaxAgeSeconds is the Strict-Transport-Security max-age: two years.
const HSTSMaxAgeSeconds = 63072000

// Origin IDs and the API behaviour's path.
const (
	UIOriginID     = "ui-bucket"
	APIOriginID    = "api-alb"
	APIPathPattern = "/api/*"
)

// SidCloudFrontReadsUI is the UI bucket policy's statement for the distribution.
const SidCloudFrontReadsUI = "CloudFrontOACReadsUI"

// AllMethods are the methods the /api behaviour passes to flip-api.
var AllMethods = []string{"DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"}

type cdn struct {
	dist *cloudfront.Distribution
	ui   *bucket.Bucket
}

// distribution builds the UI bucket and the CloudFront distribution in front of it and
// of the ALB. The UI bucket's name (and so its S3 domain) is fixed by the account, so the
// distribution does not wait for the bucket, and the bucket's policy can name the
// distribution: only this distribution, signing with SigV4, may read it.
func (b *builder) distribution(certificateARN pulumi.StringOutput, alb *lb.LoadBalancer, waf *firewall) (*cdn, error) {
	a := b.args
	prefix := a.Prefix
	uiName := a.AccountID.ToStringOutput().ApplyT(func(account string) (string, error) {
		return uiBucketName(prefix, account)
	}).(pulumi.StringOutput)
	// The bucket's regional domain: CloudFront signs requests for its region.
	uiDomain := pulumi.Sprintf("%s.s3.%s.amazonaws.com", uiName, a.Region)

	oac, err := cloudfront.NewOriginAccessControl(b.ctx, "ui", &cloudfront.OriginAccessControlArgs{
		Name:                          pulumi.String(b.nm.Bounded(64, "ui")),
		Description:                   pulumi.String("CloudFront reads the FLIP UI bucket, signing every request (SigV4)"),
		OriginAccessControlOriginType: pulumi.String("s3"),
		SigningBehavior:               pulumi.String("always"),
		SigningProtocol:               pulumi.String("sigv4"),
	}, b.parent)
	if err != nil {
		return nil, fmt.Errorf("origin access control: %w", err)
	}

	code, err := RewriteCode()
	if err != nil {
		return nil, err
	}
	rewrite, err := cloudfront.NewFunction(b.ctx, "spa-rewrite", &cloudfront.FunctionArgs{
		Name:    pulumi.String(b.nm.Bounded(64, "spa-rewrite")),
		Comment: pulumi.String("Answers single-page-app routes with /" + IndexDocument),
		Runtime: pulumi.String("cloudfront-js-2.0"),
		Code:    pulumi.String(code),
		Publish: pulumi.Bool(true),
	}, b.parent)
	if err != nil {
		return nil, fmt.Errorf("rewrite function: %w", err)
	}

	strip, err := cloudfront.NewFunction(b.ctx, "api-strip", &cloudfront.FunctionArgs{
		Name:    pulumi.String(b.nm.Bounded(64, "api-strip")),
		Comment: pulumi.String("Removes the hub-internal service key header from viewer requests to /api"),
		Runtime: pulumi.String("cloudfront-js-2.0"),
		Code:    pulumi.String(StripCode()),
		Publish: pulumi.Bool(true),
	}, b.parent)
	if err != nil {
		return nil, fmt.Errorf("api strip function: %w", err)
	}

	// Authorization cannot be named in an origin request policy (CloudFront refuses it)
	// nor put in the cache key while caching is disabled, so the API policy forwards every
	// viewer header (Authorization, Content-Type and Origin among them) and every query
	// string. Cookies stay behind: flip-api authenticates with bearer tokens and keys.
	api, err := cloudfront.NewOriginRequestPolicy(b.ctx, "api", &cloudfront.OriginRequestPolicyArgs{
		Name:    pulumi.String(b.nm.Bounded(128, "api")),
		Comment: pulumi.String("flip-api: viewer headers (Authorization, Content-Type, Origin) and query strings; no cookies"),
		HeadersConfig: &cloudfront.OriginRequestPolicyHeadersConfigArgs{
			HeaderBehavior: pulumi.String("allViewer"),
		},
		QueryStringsConfig: &cloudfront.OriginRequestPolicyQueryStringsConfigArgs{
			QueryStringBehavior: pulumi.String("all"),
		},
		CookiesConfig: &cloudfront.OriginRequestPolicyCookiesConfigArgs{
			CookieBehavior: pulumi.String("none"),
		},
	}, b.parent)
	if err != nil {
		return nil, fmt.Errorf("api origin request policy: %w", err)
	}

	headers, err := cloudfront.NewResponseHeadersPolicy(b.ctx, "security", &cloudfront.ResponseHeadersPolicyArgs{
		Name:    pulumi.String(b.nm.Bounded(128, "security-headers")),
		Comment: pulumi.String("HSTS, nosniff, strict referrer, no framing"),
		SecurityHeadersConfig: &cloudfront.ResponseHeadersPolicySecurityHeadersConfigArgs{
			StrictTransportSecurity: &cloudfront.ResponseHeadersPolicySecurityHeadersConfigStrictTransportSecurityArgs{
				AccessControlMaxAgeSec: pulumi.Int(HSTSMaxAgeSeconds),
				IncludeSubdomains:      pulumi.Bool(true),
				Override:               pulumi.Bool(true),
			},
			ContentTypeOptions: &cloudfront.ResponseHeadersPolicySecurityHeadersConfigContentTypeOptionsArgs{
				Override: pulumi.Bool(true),
			},
			ReferrerPolicy: &cloudfront.ResponseHeadersPolicySecurityHeadersConfigReferrerPolicyArgs{
				ReferrerPolicy: pulumi.String("strict-origin-when-cross-origin"),
				Override:       pulumi.Bool(true),
			},
			FrameOptions: &cloudfront.ResponseHeadersPolicySecurityHeadersConfigFrameOptionsArgs{
				FrameOption: pulumi.String("DENY"),
				Override:    pulumi.Bool(true),
			},
		},
	}, b.parent)
	if err != nil {
		return nil, fmt.Errorf("response headers policy: %w", err)
	}

	// The VPC origin reaches the internal ALB by its ARN, over HTTPS only.
	vpcOrigin, err := cloudfront.NewVpcOrigin(b.ctx, "api", &cloudfront.VpcOriginArgs{
		VpcOriginEndpointConfig: &cloudfront.VpcOriginVpcOriginEndpointConfigArgs{
			Name:                 pulumi.String(b.nm.Bounded(64, "api")),
			Arn:                  alb.Arn,
			HttpPort:             pulumi.Int(80),
			HttpsPort:            pulumi.Int(443),
			OriginProtocolPolicy: pulumi.String("https-only"),
			OriginSslProtocols: &cloudfront.VpcOriginVpcOriginEndpointConfigOriginSslProtocolsArgs{
				Items:    pulumi.ToStringArray([]string{"TLSv1.2"}),
				Quantity: pulumi.Int(1),
			},
		},
		Tags: b.tags("api"),
	}, b.parent)
	if err != nil {
		return nil, fmt.Errorf("vpc origin: %w", err)
	}

	dist, err := cloudfront.NewDistribution(b.ctx, "cdn", &cloudfront.DistributionArgs{
		Enabled:           pulumi.Bool(true),
		Comment:           pulumi.String("FLIP hub " + b.nm.Name() + ": UI and /api"),
		Aliases:           pulumi.ToStringArray([]string{a.Domain}),
		DefaultRootObject: pulumi.String(IndexDocument),
		HttpVersion:       pulumi.String("http2and3"),
		IsIpv6Enabled:     pulumi.Bool(true),
		PriceClass:        pulumi.String(a.PriceClass),
		WebAclId:          waf.acl.Arn,
		ViewerCertificate: &cloudfront.DistributionViewerCertificateArgs{
			AcmCertificateArn:      certificateARN,
			MinimumProtocolVersion: pulumi.String(ViewerMinimumProtocol),
			SslSupportMethod:       pulumi.String(ViewerSSLSupport),
		},
		LoggingConfig: &cloudfront.DistributionLoggingConfigArgs{
			Bucket:         a.LogBucketDomainName,
			Prefix:         pulumi.String(CloudFrontLogPrefix),
			IncludeCookies: pulumi.Bool(false),
		},
		Restrictions: &cloudfront.DistributionRestrictionsArgs{
			GeoRestriction: &cloudfront.DistributionRestrictionsGeoRestrictionArgs{RestrictionType: pulumi.String("none")},
		},
		Origins: cloudfront.DistributionOriginArray{
			&cloudfront.DistributionOriginArgs{
				OriginId:              pulumi.String(UIOriginID),
				DomainName:            uiDomain,
				OriginAccessControlId: oac.ID(),
			},
			&cloudfront.DistributionOriginArgs{
				OriginId: pulumi.String(APIOriginID),
				// The ALB's certificate is for the hub domain, so CloudFront asks for it by
				// that name (SNI and Host); the VPC origin, not DNS, routes the connection.
				DomainName: pulumi.String(a.Domain),
				VpcOriginConfig: &cloudfront.DistributionOriginVpcOriginConfigArgs{
					VpcOriginId:            vpcOrigin.ID(),
					OriginReadTimeout:      pulumi.Int(60),
					OriginKeepaliveTimeout: pulumi.Int(5),
				},
			},
		},
		DefaultCacheBehavior: &cloudfront.DistributionDefaultCacheBehaviorArgs{
			TargetOriginId:          pulumi.String(UIOriginID),
			ViewerProtocolPolicy:    pulumi.String("redirect-to-https"),
			AllowedMethods:          pulumi.ToStringArray([]string{"GET", "HEAD", "OPTIONS"}),
			CachedMethods:           pulumi.ToStringArray([]string{"GET", "HEAD"}),
			Compress:                pulumi.Bool(true),
			CachePolicyId:           pulumi.String(CachingOptimizedPolicyID),
			ResponseHeadersPolicyId: headers.ID(),
			FunctionAssociations: cloudfront.DistributionDefaultCacheBehaviorFunctionAssociationArray{
				&cloudfront.DistributionDefaultCacheBehaviorFunctionAssociationArgs{
					EventType:   pulumi.String("viewer-request"),
					FunctionArn: rewrite.Arn,
				},
			},
		},
		OrderedCacheBehaviors: cloudfront.DistributionOrderedCacheBehaviorArray{
			&cloudfront.DistributionOrderedCacheBehaviorArgs{
				PathPattern:    pulumi.String(APIPathPattern),
				TargetOriginId: pulumi.String(APIOriginID),
				// An API client is never redirected: a redirected POST loses its body.
				ViewerProtocolPolicy:    pulumi.String("https-only"),
				AllowedMethods:          pulumi.ToStringArray(AllMethods),
				CachedMethods:           pulumi.ToStringArray([]string{"GET", "HEAD"}),
				Compress:                pulumi.Bool(true),
				CachePolicyId:           pulumi.String(CachingDisabledPolicyID),
				OriginRequestPolicyId:   api.ID(),
				ResponseHeadersPolicyId: headers.ID(),
				// Every viewer header is forwarded; the one only fl-server may send is removed.
				FunctionAssociations: cloudfront.DistributionOrderedCacheBehaviorFunctionAssociationArray{
					&cloudfront.DistributionOrderedCacheBehaviorFunctionAssociationArgs{
						EventType:   pulumi.String("viewer-request"),
						FunctionArn: strip.Arn,
					},
				},
			},
		},
		// No custom error responses: they would turn API errors into the app shell.
		Tags: b.tags("cdn"),
	}, b.parent)
	if err != nil {
		return nil, fmt.Errorf("distribution: %w", err)
	}

	ui, err := bucket.New(b.ctx, UIBucketPurpose, bucket.Args{
		BucketName:      uiName,
		KMSKeyARN:       a.KMSKeyARN,
		AccessLogBucket: a.LogBucketName,
		AccessLogPrefix: bucket.AccessLogPrefix(UIBucketPurpose),
		Grants: []bucket.Grant{{
			Values:     pulumi.StringMap{"distribution": dist.Arn},
			Statements: uiRead,
		}},
		// The UI is rebuilt from a release by hubctl deploy-ui: nothing here is kept.
		ForceDestroy: a.ForceDestroy,
		Tags:         map[string]string{"purpose": UIBucketPurpose},
	}, b.parent)
	if err != nil {
		return nil, err
	}
	return &cdn{dist: dist, ui: ui}, nil
}

// uiRead lets this distribution, and no other, read the UI's objects through origin
// access control. No ListBucket: a missing object is a 403, never a listing.
func uiRead(bucketARN string, v map[string]string) ([]iamdoc.Statement, error) {
	dist := v["distribution"]
	if dist == "" {
		return nil, fmt.Errorf("ui bucket: want the distribution's ARN")
	}
	return []iamdoc.Statement{{
		Sid:       SidCloudFrontReadsUI,
		Effect:    iamdoc.Allow,
		Principal: map[string]any{"Service": "cloudfront.amazonaws.com"},
		Action:    []string{"s3:GetObject"},
		Resource:  []string{bucketARN + "/*"},
		Condition: map[string]map[string]any{"StringEquals": {"AWS:SourceArn": dist}},
	}}, nil
}
