package tests

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"

	"github.com/londonaicentre/flip-hub/config"
	"github.com/londonaicentre/flip-hub/edge"
	"github.com/londonaicentre/flip-hub/hub"
	"github.com/londonaicentre/flip-hub/internal/bucket"
	"github.com/londonaicentre/flip-hub/internal/iamdoc"
	"github.com/londonaicentre/flip-hub/internal/plan"
	"github.com/londonaicentre/flip-hub/network"
)

// Resource types of the edge layer (prefixed ed: this package holds every layer's suite).
const (
	edTypeCert        = "aws:acm/certificate:Certificate"
	edTypeValidation  = "aws:acm/certificateValidation:CertificateValidation"
	edTypeRecord      = "aws:route53/record:Record"
	edTypeDist        = "aws:cloudfront/distribution:Distribution"
	edTypeOAC         = "aws:cloudfront/originAccessControl:OriginAccessControl"
	edTypeFunction    = "aws:cloudfront/function:Function"
	edTypeORP         = "aws:cloudfront/originRequestPolicy:OriginRequestPolicy"
	edTypeRHP         = "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy"
	edTypeVPCOrigin   = "aws:cloudfront/vpcOrigin:VpcOrigin"
	edTypeLB          = "aws:lb/loadBalancer:LoadBalancer"
	edTypeTG          = "aws:lb/targetGroup:TargetGroup"
	edTypeListener    = "aws:lb/listener:Listener"
	edTypeRule        = "aws:lb/listenerRule:ListenerRule"
	edTypeACL         = "aws:wafv2/webAcl:WebAcl"
	edTypeACLLogging  = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"
	edTypeLogGroup    = "aws:cloudwatch/logGroup:LogGroup"
	edTypeLogPolicy   = "aws:cloudwatch/logResourcePolicy:LogResourcePolicy"
	edTypeKey         = "aws:kms/key:Key"
	edTypeBucket      = "aws:s3/bucketV2:BucketV2"
	edTypeBucketPol   = "aws:s3/bucketPolicy:BucketPolicy"
	edTypePAB         = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
	edTypeOwnership   = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
	edTypeSSE         = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
	edTypeVersioning  = "aws:s3/bucketVersioningV2:BucketVersioningV2"
	edTypeLogging     = "aws:s3/bucketLoggingV2:BucketLoggingV2"
	edTypeSG          = "aws:ec2/securityGroup:SecurityGroup"
	edTypeIngress     = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
	edTypeEgress      = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
	edTypeZoneLookup  = "aws:route53/getZone:getZone"
	edCloudFrontZone  = "Z2FDTNDATAQYW2"
	edGlobalProvider  = "::aws-us-east-1::"
	edHSTSMinAgeOneYr = 31536000
)

// edSSLPolicies are the ALB policies that keep TLS 1.3 and refuse anything below TLS 1.2
// with non-forward-secret or CBC ciphers (ELBSecurityPolicy-TLS13-1-2-Res-2021-06 or stricter).
var edSSLPolicies = []string{
	"ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
	"ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
	"ELBSecurityPolicy-TLS13-1-3-2021-06",
	"ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
}

// edDependsOn reports whether r's input prop was computed from the resource dep.
func edDependsOn(r plan.Resource, prop string, dep plan.Resource) bool {
	return slices.Contains(r.PropertyDependencies[prop], dep.URN)
}

func edOnGlobal(r plan.Resource) bool { return strings.Contains(r.Provider, edGlobalProvider) }

func edStrings(t *testing.T, r plan.Resource, path string) []string {
	t.Helper()
	v, ok := r.Lookup(path)
	if !ok || v == nil {
		return nil
	}
	arr, ok := v.([]any)
	if !ok {
		t.Fatalf("%s.%s is %T; want a list", r.Name, path, v)
	}
	out := make([]string, len(arr))
	for i, e := range arr {
		out[i] = fmt.Sprint(e)
	}
	return out
}

func edAccount(cfg *config.Config) string { return cfg.AllowedAccountIDs[0] }

// edDistributionARN is the distribution's ARN as the mocks report it.
func edDistributionARN(cfg *config.Config) string {
	return fmt.Sprintf("arn:aws:cloudfront::%s:distribution/%s", edAccount(cfg), plan.FakeIDFor(edTypeDist, "cdn"))
}

// edUIPolicyProblems reviews the UI bucket's policy (CKV2_AWS_46, CloudFront.13): the
// TLS-only denials, and one Allow only, letting this distribution's OAC read objects.
func edUIPolicyProblems(d iamdoc.Document, bucketARN, distARN string) []string {
	var problems []string
	denies, allows := 0, 0
	for _, s := range d.Statement {
		switch s.Effect {
		case iamdoc.Deny:
			if s.Principal["AWS"] == "*" && slices.Equal(s.Resource, []string{bucketARN, bucketARN + "/*"}) {
				denies++
			}
		case iamdoc.Allow:
			allows++
			want := iamdoc.Statement{
				Sid:       s.Sid,
				Effect:    iamdoc.Allow,
				Principal: map[string]any{"Service": "cloudfront.amazonaws.com"},
				Action:    []string{"s3:GetObject"},
				Resource:  []string{bucketARN + "/*"},
				Condition: map[string]map[string]any{"StringEquals": {"AWS:SourceArn": distARN}},
			}
			if !reflect.DeepEqual(s, want) {
				problems = append(problems, fmt.Sprintf("allow %+v; want %+v", s, want))
			}
		}
	}
	if denies < 2 {
		problems = append(problems, fmt.Sprintf("%d TLS-only denials; want 2", denies))
	}
	if allows != 1 {
		problems = append(problems, fmt.Sprintf("%d allows; want exactly the distribution's read", allows))
	}
	return problems
}

func TestEdgeReviewersCanFail(t *testing.T) {
	t.Parallel()
	const arn, dist = "arn:aws:s3:::flip-test-ui-123456789012", "arn:aws:cloudfront::123456789012:distribution/E1"
	good := func() iamdoc.Document {
		doc, err := bucket.Policy(arn, iamdoc.Statement{
			Sid: "Read", Effect: iamdoc.Allow, Principal: map[string]any{"Service": "cloudfront.amazonaws.com"},
			Action: []string{"s3:GetObject"}, Resource: []string{arn + "/*"},
			Condition: map[string]map[string]any{"StringEquals": {"AWS:SourceArn": dist}},
		})
		if err != nil {
			t.Fatal(err)
		}
		d, err := iamdoc.Parse(doc)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	if p := edUIPolicyProblems(good(), arn, dist); len(p) > 0 {
		t.Fatalf("known-good policy fails: %v", p)
	}
	for name, mutate := range map[string]func(d *iamdoc.Document){
		"any distribution": func(d *iamdoc.Document) {
			d.Statement[2].Condition["StringEquals"]["AWS:SourceArn"] = "arn:aws:cloudfront::123456789012:distribution/*"
		},
		"no condition":      func(d *iamdoc.Document) { d.Statement[2].Condition = nil },
		"listing":           func(d *iamdoc.Document) { d.Statement[2].Action = []string{"s3:GetObject", "s3:ListBucket"} },
		"public read":       func(d *iamdoc.Document) { d.Statement[2].Principal = map[string]any{"AWS": "*"} },
		"no TLS denial":     func(d *iamdoc.Document) { d.Statement = d.Statement[1:] },
		"a second reader":   func(d *iamdoc.Document) { d.Statement = append(d.Statement, d.Statement[2]) },
		"bucket not object": func(d *iamdoc.Document) { d.Statement[2].Resource = []string{arn} },
	} {
		d := good()
		mutate(&d)
		if p := edUIPolicyProblems(d, arn, dist); len(p) == 0 {
			t.Errorf("%s: reviewer passed it", name)
		}
	}
}

// TestEdgeCertificates covers issue point 1: one certificate per region, DNS-validated
// through one record in the zone, each user taking its ARN from the validation.
func TestEdgeCertificates(t *testing.T) {
	t.Parallel()
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			g := Plan(t, stack)
			cfg := loadCfg(t, stack)
			l := layerOf(t, g, edge.TypeToken)
			if n := len(l.byType[edTypeCert]); n != 2 {
				t.Fatalf("%d certificates; want the ALB's and CloudFront's", n)
			}
			for name, global := range map[string]bool{"alb": false, "cloudfront": true} {
				cert := l.get(t, edTypeCert, name)
				if cert.String("domainName") != cfg.Edge.Domain || cert.String("validationMethod") != "DNS" {
					t.Errorf("%s certificate for %q by %q; want %s by DNS", name, cert.String("domainName"), cert.String("validationMethod"), cfg.Edge.Domain)
				}
				if sans := edStrings(t, cert, "subjectAlternativeNames"); len(sans) > 0 {
					t.Errorf("%s certificate names %v too; want the hub domain only", name, sans)
				}
				v := l.get(t, edTypeValidation, name)
				if !edDependsOn(v, "certificateArn", cert) {
					t.Errorf("%s validation does not validate its certificate", name)
				}
				if edOnGlobal(cert) != global || edOnGlobal(v) != global {
					t.Errorf("%s certificate/validation on us-east-1: %v/%v; want %v", name, edOnGlobal(cert), edOnGlobal(v), global)
				}
			}
			recs := l.byType[edTypeRecord]
			var validation []plan.Resource
			for _, r := range recs {
				if r.String("type") == "CNAME" {
					validation = append(validation, r)
				}
			}
			if len(validation) != 1 {
				t.Fatalf("%d CNAME records; want one validation record shared by both certificates", len(validation))
			}
			rec := validation[0]
			if !strings.HasSuffix(rec.String("name"), "."+cfg.Edge.Domain+".") || !edDependsOn(rec, "name", l.get(t, edTypeCert, "alb")) {
				t.Errorf("validation record %q is not the certificate's record for %s", rec.String("name"), cfg.Edge.Domain)
			}
			for _, name := range []string{"alb", "cloudfront"} {
				v := l.get(t, edTypeValidation, name)
				if fqdns := edStrings(t, v, "validationRecordFqdns"); len(fqdns) != 1 || !edDependsOn(v, "validationRecordFqdns", rec) {
					t.Errorf("%s validation waits on %v; want the validation record", name, fqdns)
				}
			}
		})
	}
}

// TestEdgeUIBucket covers issue point 2: a private bucket under every data-layer rule,
// readable by this distribution alone through OAC.
func TestEdgeUIBucket(t *testing.T) {
	t.Parallel()
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			g := Plan(t, stack)
			cfg := loadCfg(t, stack)
			l := layerOf(t, g, edge.TypeToken)
			account := edAccount(cfg)
			name := fmt.Sprintf("flip-%s-ui-%s", cfg.Environment, account)
			arn := "arn:aws:s3:::" + name

			comp, ok := g.Get(bucket.TypeToken, edge.UIBucketPurpose)
			if !ok || comp.Parent != l.urn {
				t.Fatalf("no UI bucket component under the edge (found %v, parent %q)", ok, comp.Parent)
			}
			b := l.get(t, edTypeBucket, edge.UIBucketPurpose)
			if b.String("bucket") != name {
				t.Errorf("UI bucket %q; want %s", b.String("bucket"), name)
			}
			if b.Bool("forceDestroy") != !cfg.ProtectPersistent || b.Protect || b.RetainOnDelete {
				t.Errorf("UI bucket forceDestroy=%v protect=%v retain=%v; want a rebuildable bucket emptied on destroy only when unprotected",
					b.Bool("forceDestroy"), b.Protect, b.RetainOnDelete)
			}
			pab := l.get(t, edTypePAB, edge.UIBucketPurpose)
			for _, k := range []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"} {
				if !pab.Bool(k) {
					t.Errorf("UI bucket public access block %s off", k)
				}
			}
			if got := l.get(t, edTypeOwnership, edge.UIBucketPurpose).String("rule.objectOwnership"); got != bucket.OwnershipEnforced {
				t.Errorf("UI bucket ownership %q; want ACLs disabled (%s)", got, bucket.OwnershipEnforced)
			}
			sse := l.get(t, edTypeSSE, edge.UIBucketPurpose)
			wantKey := fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", cfg.Region, account, plan.FakeIDFor(edTypeKey, "stack"))
			if sse.String("rules[0].applyServerSideEncryptionByDefault.sseAlgorithm") != "aws:kms" ||
				sse.String("rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId") != wantKey {
				t.Errorf("UI bucket encryption %v; want SSE-KMS with the stack key %s", sse.Inputs["rules"], wantKey)
			}
			if l.get(t, edTypeVersioning, edge.UIBucketPurpose).String("versioningConfiguration.status") != "Enabled" {
				t.Error("UI bucket is not versioned")
			}
			logging := l.get(t, edTypeLogging, edge.UIBucketPurpose)
			if logging.String("targetBucket") != fmt.Sprintf("flip-%s-logs-%s", cfg.Environment, account) ||
				logging.String("targetPrefix") != bucket.AccessLogPrefix(edge.UIBucketPurpose) {
				t.Errorf("UI bucket logs to %s/%s; want the log bucket under %s", logging.String("targetBucket"), logging.String("targetPrefix"), bucket.AccessLogPrefix(edge.UIBucketPurpose))
			}

			pol := l.get(t, edTypeBucketPol, edge.UIBucketPurpose)
			d, err := iamdoc.Parse(pol.String("policy"))
			if err != nil {
				t.Fatal(err)
			}
			if p := edUIPolicyProblems(d, arn, edDistributionARN(cfg)); len(p) > 0 {
				t.Errorf("UI bucket policy: %v", p)
			}
			if !edDependsOn(pol, "policy", l.get(t, edTypeDist, "cdn")) {
				t.Error("UI bucket policy does not name the distribution it was built for")
			}
			oac := l.get(t, edTypeOAC, "ui")
			if oac.String("originAccessControlOriginType") != "s3" || oac.String("signingBehavior") != "always" || oac.String("signingProtocol") != "sigv4" {
				t.Errorf("origin access control %v; want s3, always signing, SigV4", oac.Inputs)
			}
		})
	}
}

// TestEdgeDistribution covers issue point 3.
func TestEdgeDistribution(t *testing.T) {
	t.Parallel()
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			g := Plan(t, stack)
			cfg := loadCfg(t, stack)
			l := layerOf(t, g, edge.TypeToken)
			dist := l.get(t, edTypeDist, "cdn")
			if got := edStrings(t, dist, "aliases"); !slices.Equal(got, []string{cfg.Edge.Domain}) {
				t.Errorf("aliases %v; want [%s]", got, cfg.Edge.Domain)
			}
			if !dist.Bool("enabled") || !dist.Bool("isIpv6Enabled") || dist.String("httpVersion") != "http2and3" {
				t.Errorf("enabled=%v ipv6=%v http=%q; want enabled, IPv6, http2and3", dist.Bool("enabled"), dist.Bool("isIpv6Enabled"), dist.String("httpVersion"))
			}
			if dist.String("priceClass") != cfg.Edge.PriceClass || dist.String("defaultRootObject") != "index.html" {
				t.Errorf("price class %q root %q; want %s and index.html", dist.String("priceClass"), dist.String("defaultRootObject"), cfg.Edge.PriceClass)
			}
			vc := l.get(t, edTypeValidation, "cloudfront")
			if dist.String("viewerCertificate.minimumProtocolVersion") != "TLSv1.2_2021" || dist.String("viewerCertificate.sslSupportMethod") != "sni-only" ||
				dist.Bool("viewerCertificate.cloudfrontDefaultCertificate") ||
				dist.String("viewerCertificate.acmCertificateArn") != vc.String("certificateArn") || !edDependsOn(dist, "viewerCertificate", vc) {
				t.Errorf("viewer certificate %v; want the validated us-east-1 certificate, TLSv1.2_2021, SNI", dist.Inputs["viewerCertificate"])
			}
			logBucket := fmt.Sprintf("flip-%s-logs-%s.s3.amazonaws.com", cfg.Environment, edAccount(cfg))
			if dist.String("loggingConfig.bucket") != logBucket || dist.String("loggingConfig.prefix") != edge.CloudFrontLogPrefix || dist.Bool("loggingConfig.includeCookies") {
				t.Errorf("logging %v; want %s under %s without cookies", dist.Inputs["loggingConfig"], logBucket, edge.CloudFrontLogPrefix)
			}
			if errs, _ := dist.Lookup("customErrorResponses"); errs != nil && len(errs.([]any)) > 0 {
				t.Errorf("custom error responses %v; want none (they would mask API errors)", errs)
			}
			acl := l.get(t, edTypeACL, "edge")
			if !edDependsOn(dist, "webAclId", acl) || !strings.Contains(dist.String("webAclId"), ":global/webacl/") {
				t.Errorf("web ACL %q; want the CLOUDFRONT web ACL", dist.String("webAclId"))
			}

			// Origins: the UI bucket through OAC, the ALB through the VPC origin.
			ui, api := dist.String("origins[0].originId"), dist.String("origins[1].originId")
			if n := len(edStrings(t, dist, "origins")); n != 2 || ui != edge.UIOriginID || api != edge.APIOriginID {
				t.Fatalf("origins %v; want %s then %s", dist.Inputs["origins"], edge.UIOriginID, edge.APIOriginID)
			}
			bucketDomain := fmt.Sprintf("flip-%s-ui-%s.s3.%s.amazonaws.com", cfg.Environment, edAccount(cfg), cfg.Region)
			if dist.String("origins[0].domainName") != bucketDomain || dist.String("origins[0].originAccessControlId") != plan.FakeIDFor(edTypeOAC, "ui") {
				t.Errorf("UI origin %v; want %s through the origin access control", dist.Inputs["origins"].([]any)[0], bucketDomain)
			}
			if _, s3oai := dist.Lookup("origins[0].s3OriginConfig.originAccessIdentity"); s3oai {
				t.Error("UI origin uses a legacy origin access identity")
			}
			if dist.String("origins[1].vpcOriginConfig.vpcOriginId") != plan.FakeIDFor(edTypeVPCOrigin, "api") {
				t.Errorf("API origin %v; want the VPC origin", dist.Inputs["origins"].([]any)[1])
			}
			if _, custom := dist.Lookup("origins[1].customOriginConfig"); custom {
				t.Error("API origin is a public custom origin; want the VPC origin only")
			}
			vo := l.get(t, edTypeVPCOrigin, "api")
			if !edDependsOn(vo, "vpcOriginEndpointConfig", l.get(t, edTypeLB, "api")) ||
				vo.String("vpcOriginEndpointConfig.originProtocolPolicy") != "https-only" || vo.Number("vpcOriginEndpointConfig.httpsPort") != 443 ||
				!slices.Equal(edStrings(t, vo, "vpcOriginEndpointConfig.originSslProtocols.items"), []string{"TLSv1.2"}) {
				t.Errorf("VPC origin %v; want the ALB over HTTPS with TLS 1.2 only", vo.Inputs)
			}

			// Behaviours, in order: /api/* first, then the default.
			rhp := plan.FakeIDFor(edTypeRHP, "security")
			def := "defaultCacheBehavior."
			if dist.String(def+"targetOriginId") != edge.UIOriginID || dist.String(def+"viewerProtocolPolicy") != "redirect-to-https" ||
				dist.String(def+"cachePolicyId") != edge.CachingOptimizedPolicyID || dist.String(def+"responseHeadersPolicyId") != rhp {
				t.Errorf("default behaviour %v; want the UI bucket, redirect-to-https, CachingOptimized, the security headers", dist.Inputs["defaultCacheBehavior"])
			}
			fn := l.get(t, edTypeFunction, "spa-rewrite")
			if dist.String(def+"functionAssociations[0].eventType") != "viewer-request" || !edDependsOn(dist, "defaultCacheBehavior", fn) ||
				len(edStrings(t, dist, def+"functionAssociations")) != 1 {
				t.Errorf("default behaviour functions %v; want the rewrite on viewer-request", dist.Inputs["defaultCacheBehavior"])
			}
			if m := edStrings(t, dist, def+"allowedMethods"); slices.Contains(m, "POST") || slices.Contains(m, "PUT") || slices.Contains(m, "DELETE") {
				t.Errorf("the UI behaviour allows %v; want read-only methods", m)
			}
			ordered := edStrings(t, dist, "orderedCacheBehaviors")
			if len(ordered) != 1 {
				t.Fatalf("%d ordered behaviours; want /api/* only", len(ordered))
			}
			ob := "orderedCacheBehaviors[0]."
			if dist.String(ob+"pathPattern") != "/api/*" || dist.String(ob+"targetOriginId") != edge.APIOriginID ||
				dist.String(ob+"viewerProtocolPolicy") != "https-only" || dist.String(ob+"cachePolicyId") != edge.CachingDisabledPolicyID ||
				dist.String(ob+"originRequestPolicyId") != plan.FakeIDFor(edTypeORP, "api") || dist.String(ob+"responseHeadersPolicyId") != rhp {
				t.Errorf("/api behaviour %v; want the ALB, https-only, CachingDisabled, the API origin request policy, the security headers", dist.Inputs["orderedCacheBehaviors"])
			}
			methods := edStrings(t, dist, ob+"allowedMethods")
			slices.Sort(methods)
			if !slices.Equal(methods, []string{"DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"}) {
				t.Errorf("/api methods %v; want all seven", methods)
			}
			// /api runs one function: the strip of X-Internal-Service-Key from viewer requests
			// (the rewrite is for the UI only).
			strip := l.get(t, "aws:cloudfront/function:Function", "api-strip")
			fa := edStrings(t, dist, ob+"functionAssociations")
			if len(fa) != 1 || dist.String(ob+"functionAssociations[0].eventType") != "viewer-request" ||
				!strings.HasSuffix(dist.String(ob+"functionAssociations[0].functionArn"), "/"+strip.String("name")) {
				t.Errorf("/api behaviour runs functions %v; want the viewer-request strip function only", fa)
			}
			if code := strip.String("code"); !strings.Contains(code, `delete h["x-internal-service-key"]`) {
				t.Errorf("the /api function does not remove X-Internal-Service-Key:\n%s", code)
			}

			orp := l.get(t, edTypeORP, "api")
			if orp.String("headersConfig.headerBehavior") != "allViewer" || orp.String("queryStringsConfig.queryStringBehavior") != "all" ||
				orp.String("cookiesConfig.cookieBehavior") != "none" {
				t.Errorf("API origin request policy %v; want every viewer header (Authorization, Content-Type, Origin) and query string, no cookies", orp.Inputs)
			}
			h := l.get(t, edTypeRHP, "security")
			sh := "securityHeadersConfig."
			if h.Number(sh+"strictTransportSecurity.accessControlMaxAgeSec") < edHSTSMinAgeOneYr || !h.Bool(sh+"strictTransportSecurity.includeSubdomains") ||
				!h.Bool(sh+"strictTransportSecurity.override") || !h.Bool(sh+"contentTypeOptions.override") ||
				h.String(sh+"referrerPolicy.referrerPolicy") != "strict-origin-when-cross-origin" || h.String(sh+"frameOptions.frameOption") != "DENY" {
				t.Errorf("response headers %v; want HSTS >= 1 year with subdomains, nosniff, strict-origin-when-cross-origin, DENY", h.Inputs)
			}
			code, err := edge.RewriteCode()
			if err != nil {
				t.Fatal(err)
			}
			if fn.String("runtime") != "cloudfront-js-2.0" || !fn.Bool("publish") || fn.String("code") != code {
				t.Errorf("rewrite function runtime %q publish %v; want the generated code published on cloudfront-js-2.0", fn.String("runtime"), fn.Bool("publish"))
			}

			// CloudFront.3 / CKV_AWS_34: no behaviour lets a viewer in over plain HTTP.
			for _, p := range []string{def + "viewerProtocolPolicy", ob + "viewerProtocolPolicy"} {
				if dist.String(p) == "allow-all" {
					t.Errorf("%s allows plain HTTP", p)
				}
			}
		})
	}
}

// TestEdgeWAF covers issue point 4.
func TestEdgeWAF(t *testing.T) {
	t.Parallel()
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			g := Plan(t, stack)
			cfg := loadCfg(t, stack)
			l := layerOf(t, g, edge.TypeToken)
			wantBlock := map[string]bool{"stag": false, "prod": true}[stack]
			if cfg.Edge.WAFBlock != wantBlock {
				t.Fatalf("%s config WAF block %v; this suite expects %v (stag counts by config, prod blocks)", stack, cfg.Edge.WAFBlock, wantBlock)
			}
			acl := l.get(t, edTypeACL, "edge")
			if acl.String("scope") != "CLOUDFRONT" || !edOnGlobal(acl) {
				t.Errorf("web ACL scope %q on us-east-1 %v; want CLOUDFRONT in us-east-1", acl.String("scope"), edOnGlobal(acl))
			}
			if _, allow := acl.Lookup("defaultAction.allow"); !allow {
				t.Errorf("default action %v; want allow after the rules", acl.Inputs["defaultAction"])
			}
			rules := edStrings(t, acl, "rules")
			got := map[string]int{}
			for i := range rules {
				p := fmt.Sprintf("rules[%d].", i)
				name := acl.String(p + "name")
				got[name]++
				if !acl.Bool(p+"visibilityConfig.cloudwatchMetricsEnabled") || !acl.Bool(p+"visibilityConfig.sampledRequestsEnabled") {
					t.Errorf("rule %s has no metrics or samples", name)
				}
				if group := acl.String(p + "statement.managedRuleGroupStatement.name"); group != "" {
					_, none := acl.Lookup(p + "overrideAction.none")
					_, count := acl.Lookup(p + "overrideAction.count")
					if acl.String(p+"statement.managedRuleGroupStatement.vendorName") != "AWS" || none != wantBlock || count == wantBlock {
						t.Errorf("rule %s override %v; want block=%v", name, acl.Inputs["rules"].([]any)[i], wantBlock)
					}
					continue
				}
				_, block := acl.Lookup(p + "action.block")
				_, count := acl.Lookup(p + "action.count")
				if block != wantBlock || count == wantBlock {
					t.Errorf("rule %s action %v; want block=%v", name, acl.Inputs["rules"].([]any)[i], wantBlock)
				}
				if name == edge.BodySizeRule {
					continue
				}
				if acl.Number(p+"statement.rateBasedStatement.limit") != float64(cfg.Edge.RateLimitPer5Min) ||
					acl.String(p+"statement.rateBasedStatement.aggregateKeyType") != "IP" {
					t.Errorf("rule %s %v; want a per-IP rate limit of %d", name, acl.Inputs["rules"].([]any)[i], cfg.Edge.RateLimitPer5Min)
				}
			}
			for _, want := range []string{"AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesAmazonIpReputationList", edge.RateLimitRule, edge.BodySizeRule} {
				if got[want] != 1 {
					t.Errorf("rule %s appears %d times; want once", want, got[want])
				}
			}
			if len(rules) != 5 {
				t.Errorf("%d rules; want the three managed groups, the rate limit and the body-size rule", len(rules))
			}
			checkBodySizeRule(t, acl)

			logging := l.get(t, edTypeACLLogging, "edge")
			group := l.get(t, edTypeLogGroup, "waf")
			if !edDependsOn(logging, "resourceArn", acl) || !edDependsOn(logging, "logDestinationConfigs", group) {
				t.Errorf("WAF logging %v; want the web ACL logging to its log group", logging.Inputs)
			}
			if red := toJSON(t, logging.Inputs["redactedFields"]); !strings.Contains(red, `"authorization"`) {
				t.Errorf("WAF logs keep the Authorization header (redacted %s)", red)
			}
			key := l.get(t, edTypeKey, "waf-logs")
			if !strings.HasPrefix(group.String("name"), edge.WAFLogGroupPrefix) || group.Number("retentionInDays") != float64(cfg.LogRetentionDays) ||
				!edDependsOn(group, "kmsKeyId", key) {
				t.Errorf("WAF log group %v; want %s…, %d days, encrypted with its key", group.Inputs, edge.WAFLogGroupPrefix, cfg.LogRetentionDays)
			}
			for _, r := range []plan.Resource{logging, group, key, l.get(t, edTypeLogPolicy, "waf-logs")} {
				if !edOnGlobal(r) {
					t.Errorf("%s is not in us-east-1 with the web ACL", r.URN)
				}
			}
			if !key.Bool("enableKeyRotation") {
				t.Error("WAF log key does not rotate")
			}
			kp, err := iamdoc.Parse(key.String("policy"))
			if err != nil {
				t.Fatal(err)
			}
			wantArn := fmt.Sprintf("arn:aws:logs:us-east-1:%s:log-group:%s", edAccount(cfg), group.String("name"))
			logsUse := false
			for _, s := range kp.Statement {
				if s.Principal["AWS"] == "*" {
					t.Errorf("WAF log key statement %s is open to any principal", s.Sid)
				}
				if s.Principal["Service"] == "logs.us-east-1.amazonaws.com" && s.Condition["ArnEquals"]["kms:EncryptionContext:aws:logs:arn"] == wantArn {
					logsUse = true
				}
			}
			if !logsUse {
				t.Errorf("WAF log key policy %s; want CloudWatch Logs to use it for %s only", key.String("policy"), wantArn)
			}
		})
	}
}

// edListenersOf returns the listeners of a load balancer.
func edListenersOf(l layerView, lb plan.Resource) []plan.Resource {
	var out []plan.Resource
	for _, ls := range l.byType[edTypeListener] {
		if edDependsOn(ls, "loadBalancerArn", lb) {
			out = append(out, ls)
		}
	}
	return out
}

// TestEdgeALB covers issue point 5 and the ALB side of the security groups.
func TestEdgeALB(t *testing.T) {
	t.Parallel()
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			g := Plan(t, stack)
			cfg := loadCfg(t, stack)
			l := layerOf(t, g, edge.TypeToken)
			alb := l.get(t, edTypeLB, "api")
			wantProtect := map[string]bool{"stag": false, "prod": true}[stack]
			if alb.String("loadBalancerType") != "application" || !alb.Bool("internal") {
				t.Errorf("API load balancer type %q internal %v; want an internal ALB", alb.String("loadBalancerType"), alb.Bool("internal"))
			}
			var private []string
			for _, az := range cfg.Network.AvailabilityZones {
				private = append(private, plan.FakeIDFor("aws:ec2/subnet:Subnet", "private-"+az))
			}
			if got := edStrings(t, alb, "subnets"); !slices.Equal(got, private) {
				t.Errorf("ALB subnets %v; want the private subnets %v", got, private)
			}
			albSG := plan.FakeIDFor(edTypeSG, "alb")
			if got := edStrings(t, alb, "securityGroups"); !slices.Equal(got, []string{albSG}) {
				t.Errorf("ALB security groups %v; want [%s]", got, albSG)
			}
			if !alb.Bool("dropInvalidHeaderFields") || !slices.Contains([]string{"defensive", "strictest"}, alb.String("desyncMitigationMode")) {
				t.Errorf("ALB drop invalid headers %v desync %q; want true and defensive or strictest", alb.Bool("dropInvalidHeaderFields"), alb.String("desyncMitigationMode"))
			}
			if alb.Bool("enableDeletionProtection") != wantProtect {
				t.Errorf("ALB deletion protection %v; want %v in %s", alb.Bool("enableDeletionProtection"), wantProtect, stack)
			}
			logBucket := fmt.Sprintf("flip-%s-logs-%s", cfg.Environment, edAccount(cfg))
			if !alb.Bool("accessLogs.enabled") || alb.String("accessLogs.bucket") != logBucket || alb.String("accessLogs.prefix") != edge.ALBLogPrefix {
				t.Errorf("ALB access logs %v; want %s under %s", alb.Inputs["accessLogs"], logBucket, edge.ALBLogPrefix)
			}

			listeners := edListenersOf(l, alb)
			if len(listeners) != 2 {
				t.Fatalf("%d ALB listeners; want HTTPS 443 and the HTTP 80 redirect", len(listeners))
			}
			var https plan.Resource
			for _, ls := range listeners {
				switch {
				case ls.String("protocol") == "HTTPS" && ls.Number("port") == 443:
					https = ls
					vc := l.get(t, edTypeValidation, "alb")
					if !slices.Contains(edSSLPolicies, ls.String("sslPolicy")) || ls.String("certificateArn") != vc.String("certificateArn") || !edDependsOn(ls, "certificateArn", vc) {
						t.Errorf("HTTPS listener policy %q cert %q; want a TLS 1.3 policy and the validated regional certificate", ls.String("sslPolicy"), ls.String("certificateArn"))
					}
					if ls.String("defaultActions[0].type") != "fixed-response" || ls.String("defaultActions[0].fixedResponse.statusCode") != "404" {
						t.Errorf("HTTPS default action %v; want a fixed 404", ls.Inputs["defaultActions"])
					}
				case ls.String("protocol") == "HTTP" && ls.Number("port") == 80:
					if len(edStrings(t, ls, "defaultActions")) != 1 || ls.String("defaultActions[0].type") != "redirect" ||
						ls.String("defaultActions[0].redirect.protocol") != "HTTPS" || ls.String("defaultActions[0].redirect.statusCode") != "HTTP_301" {
						t.Errorf("HTTP listener %v; want only a permanent redirect to HTTPS", ls.Inputs["defaultActions"])
					}
				default:
					t.Errorf("unexpected ALB listener %s %v", ls.String("protocol"), ls.Inputs["port"])
				}
			}
			if https.URN == "" {
				t.Fatal("no HTTPS 443 listener")
			}
			tg := l.get(t, edTypeTG, "api")
			rules := l.byType[edTypeRule]
			if len(rules) != 1 {
				t.Fatalf("%d listener rules; want the /api rule", len(rules))
			}
			rule := rules[0]
			if !edDependsOn(rule, "listenerArn", https) || !slices.Equal(edStrings(t, rule, "conditions[0].pathPattern.values"), []string{"/api", "/api/*"}) ||
				rule.String("actions[0].type") != "forward" || !edDependsOn(rule, "actions", tg) {
				t.Errorf("API rule %v; want /api and /api/* on HTTPS forwarded to the API target group", rule.Inputs)
			}
			if tg.String("protocol") != "HTTP" || tg.Number("port") != network.APIPort || tg.String("targetType") != "instance" ||
				tg.String("healthCheck.path") != "/api/health" || tg.String("healthCheck.matcher") != "200" || !tg.Bool("healthCheck.enabled") ||
				len(tg.String("name")) > 32 {
				t.Errorf("API target group %v; want flip-api on %d checked at /api/health", tg.Inputs, network.APIPort)
			}

			// The ALB's security group admits 443 only, from CloudFront's origin-facing side only.
			var in []plan.Resource
			for _, r := range g.ByType(edTypeIngress) {
				if r.String("securityGroupId") == albSG {
					in = append(in, r)
				}
			}
			if len(in) != 1 || in[0].Number("fromPort") != 443 || in[0].Number("toPort") != 443 || !strings.HasPrefix(in[0].String("prefixListId"), "pl-") ||
				in[0].String("cidrIpv4") != "" || in[0].String("referencedSecurityGroupId") != "" {
				t.Errorf("ALB ingress %v; want one rule, 443 from the CloudFront origin-facing prefix list", in)
			}
			for _, r := range g.ByType(edTypeEgress) {
				if r.String("securityGroupId") == albSG && (r.Number("fromPort") != network.APIPort || r.String("referencedSecurityGroupId") != plan.FakeIDFor(edTypeSG, "hub-host")) {
					t.Errorf("ALB egress %s %v; want flip-api on the hub host only", r.Name, r.Inputs)
				}
			}
		})
	}
}

// TestEdgeNLB covers issue point 6.
func TestEdgeNLB(t *testing.T) {
	t.Parallel()
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			g := Plan(t, stack)
			cfg := loadCfg(t, stack)
			edCheckNLB(t, g, cfg, map[string]bool{"stag": false, "prod": true}[stack])
		})
	}
}

func edCheckNLB(t *testing.T, g *plan.Graph, cfg *config.Config, wantProtect bool) {
	t.Helper()
	l := layerOf(t, g, edge.TypeToken)
	nlb := l.get(t, edTypeLB, "fl")
	if nlb.String("loadBalancerType") != "network" || nlb.Bool("internal") || !nlb.Bool("enableCrossZoneLoadBalancing") {
		t.Errorf("FL load balancer %v; want an internet-facing NLB with cross-zone on", nlb.Inputs)
	}
	if nlb.Bool("enableDeletionProtection") != wantProtect {
		t.Errorf("NLB deletion protection %v; want %v", nlb.Bool("enableDeletionProtection"), wantProtect)
	}
	var public []string
	for _, az := range cfg.Network.AvailabilityZones {
		public = append(public, plan.FakeIDFor("aws:ec2/subnet:Subnet", "public-"+az))
	}
	nlbSG := plan.FakeIDFor(edTypeSG, "fl-nlb")
	if !slices.Equal(edStrings(t, nlb, "subnets"), public) || !slices.Equal(edStrings(t, nlb, "securityGroups"), []string{nlbSG}) {
		t.Errorf("NLB subnets %v groups %v; want the public subnets and the FL security group", nlb.Inputs["subnets"], nlb.Inputs["securityGroups"])
	}
	if _, logs := nlb.Lookup("accessLogs"); logs {
		t.Errorf("NLB access logs %v: a TCP listener produces none (documented exception)", nlb.Inputs["accessLogs"])
	}
	listeners := edListenersOf(l, nlb)
	tg := l.get(t, edTypeTG, "fl")
	if len(listeners) != 1 || listeners[0].String("protocol") != "TCP" || listeners[0].Number("port") != float64(cfg.FL.Port) ||
		listeners[0].String("sslPolicy") != "" || listeners[0].String("certificateArn") != "" ||
		listeners[0].String("defaultActions[0].type") != "forward" || !edDependsOn(listeners[0], "defaultActions", tg) {
		t.Errorf("NLB listeners %v; want one TCP pass-through on %d to the FL target group", listeners, cfg.FL.Port)
	}
	if tg.String("protocol") != "TCP" || tg.Number("port") != float64(cfg.FL.Port) || !tg.Bool("healthCheck.enabled") ||
		tg.String("healthCheck.protocol") != "TCP" || len(tg.String("name")) > 32 || !strings.Contains(tg.String("name"), fmt.Sprint(cfg.FL.Port)) {
		t.Errorf("FL target group %v; want TCP %d with TCP health checks", tg.Inputs, cfg.FL.Port)
	}
	want := map[string]string{}
	for _, tr := range cfg.Trusts {
		for _, c := range tr.EgressCIDRs {
			want[c] = tr.Code
		}
	}
	// One rule admits the FL port from the trusts' prefix list, whose entries are their networks
	// (checked entry by entry in TestSecurityGroupRules).
	var rules []string
	for _, r := range g.ByType(edTypeIngress) {
		if r.String("securityGroupId") != nlbSG {
			continue
		}
		rules = append(rules, r.Name)
		if r.String("prefixListId") != plan.FakeIDFor(typePrefixList, network.TrustNetworksName) ||
			r.Number("fromPort") != float64(cfg.FL.Port) || r.Number("toPort") != float64(cfg.FL.Port) {
			t.Errorf("NLB ingress %s %v; want the FL port from the trusts' prefix list", r.Name, r.Inputs)
		}
	}
	if len(want) > 0 && len(rules) != 1 {
		t.Errorf("NLB ingress rules %v; want one, from the trusts' prefix list", rules)
	}
}

// TestEdgeDNS covers issue point 7 with managed DNS.
func TestEdgeDNS(t *testing.T) {
	t.Parallel()
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			g := Plan(t, stack)
			cfg := loadCfg(t, stack)
			l := layerOf(t, g, edge.TypeToken)
			lookups := 0
			for _, inv := range g.Invokes {
				if inv.Token == edTypeZoneLookup {
					lookups++
				}
			}
			if lookups != 1 {
				t.Errorf("%d zone lookups; want one shared by every layer", lookups)
			}
			dist, nlb := l.get(t, edTypeDist, "cdn"), l.get(t, edTypeLB, "fl")
			zone := ""
			for _, r := range l.byType[edTypeRecord] {
				if zone == "" {
					zone = r.String("zoneId")
				}
				if r.String("zoneId") != zone || zone == "" {
					t.Errorf("record %s in zone %q; want every record in the one hub zone", r.Name, r.String("zoneId"))
				}
			}
			for _, typ := range []string{"A", "AAAA"} {
				r := l.get(t, edTypeRecord, "site-"+typ)
				if r.String("name") != cfg.Edge.Domain || r.String("type") != typ || r.String("aliases[0].zoneId") != edCloudFrontZone ||
					!edDependsOn(r, "aliases", dist) || r.Bool("aliases[0].evaluateTargetHealth") {
					t.Errorf("%s record %v; want %s aliased to the distribution", typ, r.Inputs, cfg.Edge.Domain)
				}
			}
			fl := l.get(t, edTypeRecord, "fl-A")
			if fl.String("name") != "fl."+cfg.Edge.Domain || fl.String("type") != "A" || !edDependsOn(fl, "aliases", nlb) {
				t.Errorf("FL record %v; want fl.%s aliased to the NLB", fl.Inputs, cfg.Edge.Domain)
			}
			if n := len(l.byType[edTypeRecord]); n != 4 {
				t.Errorf("%d edge records; want validation, A, AAAA and fl", n)
			}
		})
	}
}

// TestEdgeNothingWaitsOnCloudFront: the load balancers and target groups (which the
// compute layer registers the host in) never wait on the distribution; only the alias
// records and the UI bucket's policy do.
func TestEdgeNothingWaitsOnCloudFront(t *testing.T) {
	t.Parallel()
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			g := Plan(t, stack)
			l := layerOf(t, g, edge.TypeToken)
			cloudFront := map[string]bool{}
			for _, typ := range []string{edTypeDist, edTypeVPCOrigin, edTypeACL, edTypeFunction, edTypeOAC, edTypeORP, edTypeRHP} {
				for _, r := range l.byType[typ] {
					cloudFront[r.URN] = true
				}
			}
			cloudFront[l.get(t, edTypeValidation, "cloudfront").URN] = true
			deps := map[string][]string{}
			for _, r := range g.Resources {
				deps[r.URN] = r.Dependencies
			}
			var reaches func(urn, target string, seen map[string]bool) bool
			reaches = func(urn, target string, seen map[string]bool) bool {
				for _, d := range deps[urn] {
					if d == target || (!seen[d] && func() bool { seen[d] = true; return reaches(d, target, seen) }()) {
						return true
					}
				}
				return false
			}
			for _, typ := range []string{edTypeLB, edTypeTG, edTypeListener, edTypeRule} {
				for _, r := range l.byType[typ] {
					for cf := range cloudFront {
						if reaches(r.URN, cf, map[string]bool{}) {
							t.Errorf("%s waits on %s", r.URN, cf)
						}
					}
				}
			}
			dist := l.get(t, edTypeDist, "cdn")
			allowed := map[string]bool{
				l.get(t, edTypeRecord, "site-A").URN:                true,
				l.get(t, edTypeRecord, "site-AAAA").URN:             true,
				l.get(t, edTypeBucketPol, edge.UIBucketPurpose).URN: true,
			}
			for _, r := range g.Custom() {
				if r.URN != dist.URN && reaches(r.URN, dist.URN, map[string]bool{}) && !allowed[r.URN] {
					t.Errorf("%s waits on the distribution", r.URN)
				}
			}
		})
	}
}

// TestEdgeLogBucketGrants: the data layer's log bucket admits the edge's deliveries.
func TestEdgeLogBucketGrants(t *testing.T) {
	t.Parallel()
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			g := Plan(t, stack)
			cfg := loadCfg(t, stack)
			account := edAccount(cfg)
			logARN := fmt.Sprintf("arn:aws:s3:::flip-%s-logs-%s", cfg.Environment, account)
			var pol plan.Resource
			for _, r := range g.ByType(edTypeBucketPol) {
				if l, ok := g.ByURN(g.Layer(r)); ok && l.Type == "flip:data:Data" && r.Name == "logs" {
					pol = r
				}
			}
			if pol.URN == "" {
				t.Fatal("no log bucket policy in the data layer")
			}
			d, err := iamdoc.Parse(pol.String("policy"))
			if err != nil {
				t.Fatal(err)
			}
			found := map[string]iamdoc.Statement{}
			for _, s := range d.Statement {
				found[s.Sid] = s
			}
			alb, ok := found[edge.SidALBAccessLogs]
			if !ok || !slices.Equal(alb.Resource, []string{logARN + "/alb/AWSLogs/" + account + "/*"}) ||
				alb.Principal["Service"] != edge.ELBLogDeliveryPrincipal || alb.Condition["StringEquals"]["aws:SourceAccount"] != account {
				t.Errorf("ALB log delivery %+v; want ELB log delivery for this account under alb/AWSLogs/%s/", alb, account)
			}
			ui, ok := found[edge.SidUIBucketAccessLogs]
			if !ok || !slices.Equal(ui.Resource, []string{logARN + "/s3-access/ui/*"}) ||
				ui.Condition["ArnLike"]["aws:SourceArn"] != fmt.Sprintf("arn:aws:s3:::flip-%s-ui-%s", cfg.Environment, account) {
				t.Errorf("UI access-log delivery %+v; want the UI bucket's logs under s3-access/ui/", ui)
			}
		})
	}
}

// TestEdgeConfigVariants plans a stack with one edge setting changed.
func TestEdgeConfigVariants(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		stack  string
		mutate mutation
		check  func(t *testing.T, cfg *config.Config, g *plan.Graph)
	}{
		{"stag without managed DNS", "stag", field(config.KeyEdge, "manageDns", false), edCheckUnmanagedDNS},
		{"prod without managed DNS", "prod", field(config.KeyEdge, "manageDns", false), edCheckUnmanagedDNS},
		{"prod on Flower", "prod", func(tb testing.TB, c plan.StackConfig) {
			SetField(tb, c, config.KeyFL, "backend", "flower")
			SetField(tb, c, config.KeyFL, "port", 9092)
		}, func(t *testing.T, cfg *config.Config, g *plan.Graph) {
			if cfg.FL.Port != 9092 {
				t.Fatalf("FL port %d; want 9092", cfg.FL.Port)
			}
			edCheckNLB(t, g, cfg, true)
		}},
		{"stag blocking", "stag", field(config.KeyEdge, "waf", "block"), func(t *testing.T, _ *config.Config, g *plan.Graph) {
			acl := layerOf(t, g, edge.TypeToken).get(t, edTypeACL, "edge")
			for i := range edStrings(t, acl, "rules") {
				p := fmt.Sprintf("rules[%d].", i)
				_, none := acl.Lookup(p + "overrideAction.none")
				_, block := acl.Lookup(p + "action.block")
				if !none && !block {
					t.Errorf("rule %s does not block", acl.String(p+"name"))
				}
			}
		}},
		{"stag price class", "stag", field(config.KeyEdge, "priceClass", "PriceClass_All"), func(t *testing.T, _ *config.Config, g *plan.Graph) {
			if got := layerOf(t, g, edge.TypeToken).get(t, edTypeDist, "cdn").String("priceClass"); got != "PriceClass_All" {
				t.Errorf("price class %q; want the configured PriceClass_All", got)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g := MustPlanWith(t, tc.stack, tc.mutate)
			c := Config(t, tc.stack).Clone()
			tc.mutate(t, c)
			cfg, err := config.Parse(tc.stack, config.MapSource(c.Values))
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, cfg, g)
		})
	}
}

// edCheckUnmanagedDNS: no record anywhere, no zone lookup, and both certificates still
// wait for issuance before a listener or the distribution takes them.
func edCheckUnmanagedDNS(t *testing.T, cfg *config.Config, g *plan.Graph) {
	t.Helper()
	if n := len(g.ByType(edTypeRecord)); n != 0 {
		t.Errorf("%d Route53 records without managed DNS; want none", n)
	}
	for _, inv := range g.Invokes {
		if inv.Token == edTypeZoneLookup {
			t.Error("the zone is looked up although the stack does not manage DNS")
		}
	}
	l := layerOf(t, g, edge.TypeToken)
	for _, name := range []string{"alb", "cloudfront"} {
		v := l.get(t, edTypeValidation, name)
		if fqdns := edStrings(t, v, "validationRecordFqdns"); len(fqdns) != 0 {
			t.Errorf("%s validation waits on records %v that nobody writes", name, fqdns)
		}
	}
	dist := l.get(t, edTypeDist, "cdn")
	if !edDependsOn(dist, "viewerCertificate", l.get(t, edTypeValidation, "cloudfront")) {
		t.Error("the distribution takes its certificate before it is issued")
	}
	if got := edStrings(t, dist, "aliases"); !slices.Equal(got, []string{cfg.Edge.Domain}) {
		t.Errorf("aliases %v; want [%s] even when DNS is run elsewhere", got, cfg.Edge.Domain)
	}
}

// edOutputs plans a stack and resolves its stack outputs.
func edOutputs(t *testing.T, stack string, mutate mutation) map[string]any {
	t.Helper()
	cfg := Config(t, stack).Clone()
	if mutate != nil {
		mutate(t, cfg)
	}
	var exports map[string]pulumi.Input
	if _, err := plan.Run(plan.Options{Stack: stack, Dir: ProjectDir(), Config: &cfg, Program: func(ctx *pulumi.Context) error {
		err := hub.Program(ctx)
		exports = ctx.GetCurrentExportMap()
		return err
	}}); err != nil {
		t.Fatalf("plan %s: %v", stack, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	values := map[string]any{}
	for name, in := range exports {
		r, err := internals.UnsafeAwaitOutput(ctx, pulumi.ToOutput(in))
		if err != nil {
			t.Fatalf("output %s: %v", name, err)
		}
		values[name] = r.Value
	}
	return values
}

// TestEdgeOutputs covers issue point 8, and the records handed to whoever runs DNS
// when the stack does not.
func TestEdgeOutputs(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		stack  string
		mutate mutation
	}{
		{"stag", "stag", nil},
		{"prod", "prod", nil},
		{"prod without managed DNS", "prod", field(config.KeyEdge, "manageDns", false)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out := edOutputs(t, tc.stack, tc.mutate)
			cfg := loadCfg(t, tc.stack)
			domain := cfg.Edge.Domain
			str := func(k string) string {
				s, ok := out[k].(string)
				if !ok || s == "" {
					t.Errorf("output %s is %v; want a value", k, out[k])
				}
				return s
			}
			lines := func(k string) []string {
				ls, ok := out[k].([]string)
				if !ok {
					t.Fatalf("output %s is %T; want a list of strings", k, out[k])
				}
				return ls
			}
			for _, k := range []string{"distributionId", "distributionArn", "uiBucketName", "albArn", "nlbArn", "webAclArn"} {
				str(k)
			}
			if got := str("publicUrl"); got != "https://"+domain {
				t.Errorf("publicUrl %q; want https://%s", got, domain)
			}
			if got := str("apiUrl"); got != "https://"+domain+"/api" {
				t.Errorf("apiUrl %q; want https://%s/api", got, domain)
			}
			if got, want := str("flEndpoint"), fmt.Sprintf("fl.%s:%d", domain, cfg.FL.Port); got != want {
				t.Errorf("flEndpoint %q; want %s", got, want)
			}
			if !strings.Contains(str("apiTargetGroupArn"), ":targetgroup/") || !strings.Contains(str("flTargetGroupArn"), ":targetgroup/") ||
				str("apiTargetGroupArn") == str("flTargetGroupArn") {
				t.Errorf("target group outputs %v, %v; want the two target groups", out["apiTargetGroupArn"], out["flTargetGroupArn"])
			}
			validation := lines("certificateValidationRecords")
			if len(validation) != 1 {
				t.Fatalf("validation records %v; want the one record both certificates share", validation)
			}
			if f := strings.Fields(validation[0]); len(f) != 3 || f[1] != "CNAME" || !strings.HasSuffix(f[0], "."+domain+".") {
				t.Errorf("validation record %q; want \"<name>.%s. CNAME <value>\"", validation[0], domain)
			}
			dns := lines("dnsRecords")
			want := []string{
				validation[0],
				fmt.Sprintf("%s CNAME %s", domain, str("distributionDomainName")),
				fmt.Sprintf("fl.%s CNAME %s", domain, str("nlbDnsName")),
			}
			if !slices.Equal(dns, want) {
				t.Errorf("dnsRecords %v; want %v", dns, want)
			}
			if !strings.HasSuffix(str("albDnsName"), ".elb."+cfg.Region+".amazonaws.com") {
				t.Errorf("albDnsName %q; want the ALB's name", str("albDnsName"))
			}
		})
	}
}

// checkBodySizeRule: trusts post results of megabytes to /api/*; the common rule set's
// SizeRestrictions_BODY (8 KB) only labels, and a later rule blocks a labelled request whose path
// does not start with /api/ (AWS WAF Developer Guide, CRS rule group and its labels). Each rule
// runs after the one it reads the label of.
func checkBodySizeRule(t *testing.T, acl plan.Resource) {
	t.Helper()
	rules := acl.Inputs["rules"].([]any)
	prio := map[string]float64{}
	for i := range rules {
		p := fmt.Sprintf("rules[%d].", i)
		prio[acl.String(p+"name")] = acl.Number(p + "priority")
		if acl.String(p+"statement.managedRuleGroupStatement.name") == "AWSManagedRulesCommonRuleSet" {
			ov := toJSON(t, acl.Inputs["rules"].([]any)[i].(map[string]any)["statement"])
			if !strings.Contains(ov, `"ruleActionOverrides":[{"actionToUse":{"count":{}},"name":"SizeRestrictions_BODY"}]`) {
				t.Errorf("common rule set overrides %s; want exactly SizeRestrictions_BODY to count", ov)
			}
		}
		if acl.String(p+"name") == edge.BodySizeRule {
			st := toJSON(t, acl.Inputs["rules"].([]any)[i].(map[string]any)["statement"])
			for _, want := range []string{
				`"labelMatchStatement":{"key":"awswaf:managed:aws:core-rule-set:SizeRestrictions_Body","scope":"LABEL"}`,
				`"notStatement":{"statements":[{"byteMatchStatement":{"fieldToMatch":{"uriPath":{}},"positionalConstraint":"STARTS_WITH","searchString":"/api/"`,
			} {
				if !strings.Contains(st, want) {
					t.Errorf("body-size rule %s lacks %s", st, want)
				}
			}
		}
	}
	if prio[edge.BodySizeRule] <= prio["AWSManagedRulesCommonRuleSet"] {
		t.Errorf("body-size rule priority %v is not after the common rule set's %v", prio[edge.BodySizeRule], prio["AWSManagedRulesCommonRuleSet"])
	}
}

// The WAF log key encrypts logs kept for a year in prod: it outlives a destroy in every stack
// and is protected where the persistent data is.
func TestEdgeWAFLogKeyPersists(t *testing.T) {
	t.Parallel()
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			cfg := loadCfg(t, stack)
			l := layerOf(t, Plan(t, stack), edge.TypeToken)
			key := l.get(t, "aws:kms/key:Key", "waf-logs")
			if !key.RetainOnDelete || key.Protect != cfg.ProtectPersistent {
				t.Errorf("WAF log key retain %v protect %v; want retained, protected in prod", key.RetainOnDelete, key.Protect)
			}
		})
	}
}

// The ALB test-writes to the log bucket when access logging is turned on: it must wait for the
// bucket policy that admits the delivery.
func TestEdgeALBWaitsForTheLogBucketPolicy(t *testing.T) {
	t.Parallel()
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			g := Plan(t, stack)
			var policy string
			for _, r := range g.ByType("aws:s3/bucketPolicy:BucketPolicy") {
				if r.Name == "logs" {
					policy = r.URN
				}
			}
			alb := layerOf(t, g, edge.TypeToken).get(t, "aws:lb/loadBalancer:LoadBalancer", "api")
			if policy == "" || !slices.Contains(alb.Dependencies, policy) {
				t.Errorf("ALB depends on %v; want the log bucket policy %s", alb.Dependencies, policy)
			}
		})
	}
}
