package compliance

import (
	"fmt"
	"strings"
)

// Sources of the edge rules' thresholds.
const (
	// minHSTSSeconds is one year, the HSTS max-age FLIP's public deployment sends.
	minHSTSSeconds = 31536000
	// knownBadInputs is the AWS managed rule group that blocks Log4Shell lookups.
	knownBadInputs = "AWSManagedRulesKnownBadInputsRuleSet"
)

// isApplicationLB reports whether a load balancer is an ALB (the default type).
func isApplicationLB(v View) bool {
	t := v.String("loadBalancerType")
	return t == "" || t == "application"
}

// modernTLSPolicy reports whether an ELB security policy allows only TLS 1.2 and later.
func modernTLSPolicy(p string) bool {
	return strings.Contains(p, "TLS13") || strings.Contains(p, "TLS-1-2") || strings.Contains(p, "FS-1-2")
}

// cacheBehaviors returns the default and ordered cache behaviours of a distribution.
func cacheBehaviors(v View) []map[string]any {
	var out []map[string]any
	if m, ok := v.Inputs["defaultCacheBehavior"].(map[string]any); ok {
		out = append(out, m)
	}
	for _, b := range v.List("orderedCacheBehaviors") {
		if m, ok := b.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func origins(v View) []map[string]any {
	var out []map[string]any
	for _, o := range v.List("origins") {
		if m, ok := o.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// originTLS returns the problems of an origin's protocol policy and TLS versions.
func originTLS(where string, policy any, protocols []string) []string {
	var p []string
	if policy != "https-only" && policy != Unknown {
		p = append(p, fmt.Sprintf("%s: originProtocolPolicy %v; want https-only", where, policy))
	}
	for _, proto := range protocols {
		if proto == "SSLv3" || proto == "TLSv1" || proto == "TLSv1.1" {
			p = append(p, fmt.Sprintf("%s: allows %s to the origin", where, proto))
		}
	}
	return p
}

func anyList(x any) []string {
	switch v := x.(type) {
	case []any:
		return stringsOf(v)
	case map[string]any: // {items: [...], quantity: n}
		if items, ok := v["items"].([]any); ok {
			return stringsOf(items)
		}
	}
	return nil
}

func wafRules(v View) []map[string]any {
	var out []map[string]any
	for _, r := range v.List("rules") {
		if m, ok := r.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func edgeRules() []Rule {
	return append(lbAndCDNRules(), wafACLRules()...)
}

// lbAndCDNRules are the rules over load balancers, listeners and the CloudFront distribution.
func lbAndCDNRules() []Rule {
	dist := []string{TypeDistribution}
	return []Rule{
		{
			ID: "lb-drop-invalid-headers", Types: lbTypes,
			Sources: []string{"CKV_AWS_131", "ELB.4", "AVD-AWS-0052"},
			Title:   "application load balancers drop invalid HTTP headers",
			Check: func(v View, _ *Context) []string {
				if !isApplicationLB(v) {
					return nil
				}
				return unless(v.IsTrue("dropInvalidHeaderFields"), "dropInvalidHeaderFields is not true")
			},
		},
		{
			ID: "lb-desync-mitigation", Types: lbTypes,
			Sources: []string{"CKV_AWS_328", "ELB.12"},
			Title:   "application load balancers mitigate desync in defensive or strictest mode",
			Check: func(v View, _ *Context) []string {
				m := v.String("desyncMitigationMode")
				if !isApplicationLB(v) || m == "" || m == "defensive" || m == "strictest" || m == Unknown {
					return nil // unset means defensive
				}
				return []string{fmt.Sprintf("desyncMitigationMode is %q", m)}
			},
		},
		{
			ID: "lb-access-logs", Types: lbTypes,
			Sources: []string{"CKV_AWS_91", "ELB.5", "awsguard:elb-logging-enabled"},
			Title:   "load balancers write access logs",
			Check: func(v View, _ *Context) []string {
				return unless(v.IsTrue("accessLogs.enabled") && v.Set("accessLogs.bucket"), "accessLogs are not enabled to a bucket")
			},
		},
		{
			ID: "lb-deletion-protection", Types: lbTypes,
			Sources:     []string{"CKV_AWS_150", "ELB.6", "awsguard:elb-deletion-protection-enabled"},
			Title:       "load balancers have deletion protection",
			StagRelaxed: "stag's load balancers are disposable (environment table)",
			Check: func(v View, _ *Context) []string {
				return unless(v.IsTrue("enableDeletionProtection"), "enableDeletionProtection is not true")
			},
		},
		{
			ID: "lb-alb-internal", Types: lbTypes,
			Sources: []string{"AVD-AWS-0053"},
			Title:   "the application load balancer is internal (CloudFront reaches it through a VPC origin)",
			Check: func(v View, _ *Context) []string {
				if !isApplicationLB(v) {
					return nil
				}
				return unless(v.IsTrue("internal"), "internal is not true: the ALB faces the internet")
			},
		},
		{
			ID: "lb-multi-az", Types: lbTypes,
			Sources: []string{"ELB.13"},
			Title:   "load balancers span at least two availability zones",
			Check: func(v View, _ *Context) []string {
				if v.Unknown("subnets") || v.Unknown("subnetMappings") {
					return nil
				}
				n := max(len(v.List("subnets")), len(v.List("subnetMappings")))
				return unless(n >= 2, fmt.Sprintf("%d subnets; want one in each of at least two zones", n))
			},
		},
		{
			ID: "lb-nlb-cross-zone", Types: lbTypes,
			Sources: []string{"CKV_AWS_152"},
			Title:   "network load balancers balance across zones (the hub host lives in one zone)",
			Check: func(v View, _ *Context) []string {
				if v.String("loadBalancerType") != "network" {
					return nil
				}
				return unless(v.IsTrue("enableCrossZoneLoadBalancing"), "enableCrossZoneLoadBalancing is not true")
			},
		},
		{
			ID: "lb-listener-https", Types: listenerTypes,
			Sources: []string{"CKV_AWS_2", "AVD-AWS-0054", "ELB.1", "awsguard:alb-http-to-https-redirection"},
			Title:   "HTTP listeners only redirect to HTTPS",
			Check: func(v View, _ *Context) []string {
				if v.String("protocol") != "HTTP" {
					return nil // HTTPS, TLS, and the FL NLB's TCP pass-through
				}
				for _, a := range v.List("defaultActions") {
					m, _ := a.(map[string]any)
					if r, ok := m["redirect"].(map[string]any); ok && m["type"] == "redirect" && r["protocol"] == "HTTPS" {
						return nil
					}
				}
				return []string{"plain HTTP listener that does not redirect to HTTPS"}
			},
		},
		{
			ID: "lb-listener-tls-policy", Types: listenerTypes,
			Sources: []string{"CKV_AWS_103", "AVD-AWS-0047", "ELB.17"},
			Title:   "HTTPS and TLS listeners allow TLS 1.2 or later only",
			Check: func(v View, _ *Context) []string {
				if p := v.String("protocol"); p != "HTTPS" && p != "TLS" {
					return nil
				}
				pol := v.String("sslPolicy")
				if pol == Unknown || modernTLSPolicy(pol) {
					return nil
				}
				return []string{fmt.Sprintf("sslPolicy %q allows TLS before 1.2", pol)}
			},
		},
		{
			ID: "cf-tls12", Types: dist,
			Sources: []string{"CKV_AWS_174", "AVD-AWS-0013"},
			Title:   "distributions accept TLS 1.2 or later from viewers",
			Check: func(v View, _ *Context) []string {
				m := v.String("viewerCertificate.minimumProtocolVersion")
				return unless(strings.HasPrefix(m, "TLSv1.2") || strings.HasPrefix(m, "TLSv1.3") || m == Unknown, fmt.Sprintf("minimumProtocolVersion is %q", m))
			},
		},
		{
			ID: "cf-https-only", Types: dist,
			Sources: []string{"CKV_AWS_34", "CloudFront.3", "AVD-AWS-0012"},
			Title:   "every cache behaviour redirects or restricts viewers to HTTPS",
			Check: func(v View, _ *Context) []string {
				var p []string
				for _, b := range cacheBehaviors(v) {
					if pol := b["viewerProtocolPolicy"]; pol != "https-only" && pol != "redirect-to-https" && pol != Unknown {
						p = append(p, fmt.Sprintf("behaviour %v: viewerProtocolPolicy %v", b["pathPattern"], pol))
					}
				}
				return p
			},
		},
		{
			ID: "cf-waf", Types: dist,
			Sources: []string{"CKV_AWS_68", "CloudFront.6", "AVD-AWS-0011"},
			Title:   "distributions sit behind a WAF web ACL",
			Check:   func(v View, _ *Context) []string { return unless(v.Set("webAclId"), "webAclId is not set") },
		},
		{
			ID: "cf-logging", Types: dist,
			Sources: []string{"CKV_AWS_86", "CloudFront.5", "AVD-AWS-0010"},
			Title:   "distributions write access logs",
			Check: func(v View, _ *Context) []string {
				return unless(v.Set("loggingConfig.bucket"), "loggingConfig.bucket is not set")
			},
		},
		{
			ID: "cf-default-root-object", Types: dist,
			Sources: []string{"CKV_AWS_305", "CloudFront.1"},
			Title:   "distributions name a default root object",
			Check: func(v View, _ *Context) []string {
				return unless(v.Set("defaultRootObject"), "defaultRootObject is not set")
			},
		},
		{
			ID: "cf-origin-access-control", Types: dist,
			Sources: []string{"CloudFront.13", "CKV2_AWS_46"},
			Title:   "S3 origins are reached through origin access control, not a public bucket or legacy OAI",
			Check: func(v View, _ *Context) []string {
				var p []string
				for _, o := range origins(v) {
					dn, _ := o["domainName"].(string)
					_, custom := o["customOriginConfig"]
					_, vpc := o["vpcOriginConfig"]
					isS3 := strings.Contains(dn, ".s3.") || strings.Contains(dn, ".s3-") || (!custom && !vpc && dn != Unknown)
					if !isS3 {
						continue
					}
					if id, _ := o["originAccessControlId"].(string); id == "" {
						p = append(p, fmt.Sprintf("origin %v has no originAccessControlId", o["originId"]))
					}
				}
				return p
			},
		},
		{
			ID: "cf-custom-certificate", Types: dist,
			Sources: []string{"CKV2_AWS_42", "CloudFront.7"},
			Title:   "distributions serve the hub's own ACM certificate",
			Check: func(v View, _ *Context) []string {
				var p []string
				if v.IsTrue("viewerCertificate.cloudfrontDefaultCertificate") && !v.Unknown("viewerCertificate.cloudfrontDefaultCertificate") {
					p = append(p, "cloudfrontDefaultCertificate is true")
				}
				if !v.Set("viewerCertificate.acmCertificateArn") {
					p = append(p, "viewerCertificate.acmCertificateArn is not set")
				}
				return p
			},
		},
		{
			ID: "cf-sni-only", Types: dist,
			Sources: []string{"CloudFront.8"},
			Title:   "distributions serve HTTPS with SNI (no dedicated IPs)",
			Check: func(v View, _ *Context) []string {
				m := v.String("viewerCertificate.sslSupportMethod")
				return unless(m == "sni-only" || m == Unknown, fmt.Sprintf("sslSupportMethod is %q", m))
			},
		},
		{
			ID: "cf-origin-https", Types: []string{TypeDistribution, TypeVPCOrigin},
			Sources: []string{"CKV2_AWS_72", "CKV2_AWS_54", "CloudFront.9", "CloudFront.10"},
			Title:   "custom and VPC origins are reached over HTTPS with TLS 1.2 only",
			Check: func(v View, _ *Context) []string {
				if v.Type == TypeVPCOrigin {
					if v.Unknown("vpcOriginEndpointConfig") {
						return nil
					}
					c, _ := v.Inputs["vpcOriginEndpointConfig"].(map[string]any)
					return originTLS("vpc origin", c["originProtocolPolicy"], anyList(c["originSslProtocols"]))
				}
				var p []string
				for _, o := range origins(v) {
					if c, ok := o["customOriginConfig"].(map[string]any); ok {
						p = append(p, originTLS(fmt.Sprintf("origin %v", o["originId"]), c["originProtocolPolicy"], anyList(c["originSslProtocols"]))...)
					}
				}
				return p
			},
		},
		{
			ID: "cf-response-headers", Types: dist,
			Sources: []string{"CKV2_AWS_32"},
			Title:   "every cache behaviour attaches a response headers policy",
			Check: func(v View, _ *Context) []string {
				var p []string
				for _, b := range cacheBehaviors(v) {
					if id, _ := b["responseHeadersPolicyId"].(string); id == "" {
						p = append(p, fmt.Sprintf("behaviour %v has no responseHeadersPolicyId", b["pathPattern"]))
					}
				}
				return p
			},
		},
		{
			ID: "cf-hsts", Types: []string{TypeResponseHeaders},
			Sources: []string{"CKV_AWS_259"},
			Title:   "response headers policies send HSTS for a year with subdomains",
			Check: func(v View, _ *Context) []string {
				base := "securityHeadersConfig.strictTransportSecurity."
				if v.Unknown("securityHeadersConfig") {
					return nil
				}
				var p []string
				if s := v.Number(base + "accessControlMaxAgeSec"); s < minHSTSSeconds {
					p = append(p, fmt.Sprintf("HSTS max-age %g; want at least %d", s, minHSTSSeconds))
				}
				if !v.IsTrue(base + "includeSubdomains") {
					p = append(p, "HSTS does not include subdomains")
				}
				if !v.IsTrue(base + "override") {
					p = append(p, "HSTS does not override the origin's header")
				}
				return p
			},
		},
	}
}

func anyMaps(x any) []map[string]any {
	var out []map[string]any
	if l, ok := x.([]any); ok {
		for _, e := range l {
			if m, ok := e.(map[string]any); ok {
				out = append(out, m)
			}
		}
	}
	return out
}
