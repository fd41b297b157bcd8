package plan

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// The edge layer's computed attributes: ACM validation records (the same for every
// certificate of a domain in an account, as ACM does), CloudFront, load balancer, target
// group, WAF and Route53 attributes in their real shapes.
func init() {
	resourceAnswers["aws:acm/certificate:Certificate"] = func(r *Recorder, _, id string, state resource.PropertyMap) {
		state["arn"] = resource.NewProperty(fmt.Sprintf("arn:aws:acm:%s:%s:certificate/%s", r.Region, r.Account, id))
		state["status"] = resource.NewProperty("PENDING_VALIDATION")
		domains := []string{stateString(state, "domainName", "")}
		if v, ok := state["subjectAlternativeNames"]; ok && v.IsArray() {
			for _, d := range v.ArrayValue() {
				if d.IsString() && d.StringValue() != domains[0] {
					domains = append(domains, d.StringValue())
				}
			}
		}
		var opts []resource.PropertyValue
		for _, d := range domains {
			h := shortHash(r.Account + "/" + d)
			opts = append(opts, resource.NewProperty(resource.PropertyMap{
				"domainName":          resource.NewProperty(d),
				"resourceRecordName":  resource.NewProperty(fmt.Sprintf("_%s%s.%s.", h, h, d)),
				"resourceRecordType":  resource.NewProperty("CNAME"),
				"resourceRecordValue": resource.NewProperty(fmt.Sprintf("_%s.plan.acm-validations.aws.", shortHash(h))),
			}))
		}
		state["domainValidationOptions"] = resource.NewProperty(opts)
	}
	resourceAnswers["aws:route53/record:Record"] = func(_ *Recorder, name, _ string, state resource.PropertyMap) {
		state["fqdn"] = resource.NewProperty(strings.TrimSuffix(stateString(state, "name", name), "."))
	}
	resourceAnswers["aws:cloudfront/distribution:Distribution"] = func(r *Recorder, _, id string, state resource.PropertyMap) {
		state["arn"] = resource.NewProperty(fmt.Sprintf("arn:aws:cloudfront::%s:distribution/%s", r.Account, id))
		state["domainName"] = resource.NewProperty(fmt.Sprintf("d%s.cloudfront.net", shortHash(r.Account+id)))
		state["hostedZoneId"] = resource.NewProperty("Z2FDTNDATAQYW2")
		state["status"] = resource.NewProperty("Deployed")
		state["etag"] = resource.NewProperty("E" + strings.ToUpper(shortHash(id)))
	}
	resourceAnswers["aws:cloudfront/vpcOrigin:VpcOrigin"] = func(r *Recorder, _, id string, state resource.PropertyMap) {
		state["arn"] = resource.NewProperty(fmt.Sprintf("arn:aws:cloudfront::%s:vpcorigin/%s", r.Account, id))
		state["etag"] = resource.NewProperty("E" + strings.ToUpper(shortHash(id)))
	}
	resourceAnswers["aws:cloudfront/function:Function"] = func(r *Recorder, name, _ string, state resource.PropertyMap) {
		fn := stateString(state, "name", name)
		state["arn"] = resource.NewProperty(fmt.Sprintf("arn:aws:cloudfront::%s:function/%s", r.Account, fn))
		state["etag"] = resource.NewProperty("E" + strings.ToUpper(shortHash(fn)))
		state["liveStageEtag"] = resource.NewProperty("E" + strings.ToUpper(shortHash(fn)))
		state["status"] = resource.NewProperty("UNASSOCIATED")
	}
	for _, typ := range []string{
		"aws:cloudfront/originAccessControl:OriginAccessControl",
		"aws:cloudfront/originRequestPolicy:OriginRequestPolicy",
		"aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy",
	} {
		resourceAnswers[typ] = func(_ *Recorder, _, id string, state resource.PropertyMap) {
			state["etag"] = resource.NewProperty("E" + strings.ToUpper(shortHash(id)))
		}
	}
	resourceAnswers["aws:lb/loadBalancer:LoadBalancer"] = func(r *Recorder, name, _ string, state resource.PropertyMap) {
		lbName := stateString(state, "name", name)
		kind := "app"
		if stateString(state, "loadBalancerType", "application") == "network" {
			kind = "net"
		}
		suffix := fmt.Sprintf("%s/%s/%s", kind, lbName, shortHash(lbName)+shortHash(r.Account))
		state["arn"] = resource.NewProperty(fmt.Sprintf("arn:aws:elasticloadbalancing:%s:%s:loadbalancer/%s", r.Region, r.Account, suffix))
		state["arnSuffix"] = resource.NewProperty(suffix)
		dns := fmt.Sprintf("%s-%s.elb.%s.amazonaws.com", lbName, shortHash(lbName), r.Region)
		if v, ok := state["internal"]; ok && v.IsBool() && v.BoolValue() {
			dns = "internal-" + dns
		}
		state["dnsName"] = resource.NewProperty(dns)
		state["zoneId"] = resource.NewProperty("ZPLANELB" + strings.ToUpper(shortHash(r.Region+kind)))
	}
	resourceAnswers["aws:lb/targetGroup:TargetGroup"] = func(r *Recorder, name, _ string, state resource.PropertyMap) {
		tg := stateString(state, "name", name)
		suffix := fmt.Sprintf("targetgroup/%s/%s", tg, shortHash(tg)+shortHash(r.Account))
		state["arn"] = resource.NewProperty(fmt.Sprintf("arn:aws:elasticloadbalancing:%s:%s:%s", r.Region, r.Account, suffix))
		state["arnSuffix"] = resource.NewProperty(suffix)
	}
	resourceAnswers["aws:lb/listener:Listener"] = func(r *Recorder, name, _ string, state resource.PropertyMap) {
		state["arn"] = resource.NewProperty(fmt.Sprintf("arn:aws:elasticloadbalancing:%s:%s:listener/%s", r.Region, r.Account, shortHash(name)))
	}
	resourceAnswers["aws:wafv2/webAcl:WebAcl"] = func(r *Recorder, name, id string, state resource.PropertyMap) {
		acl := stateString(state, "name", name)
		scope := "regional"
		region := r.Region
		if stateString(state, "scope", "") == "CLOUDFRONT" {
			scope, region = "global", "us-east-1"
		}
		state["arn"] = resource.NewProperty(fmt.Sprintf("arn:aws:wafv2:%s:%s:%s/webacl/%s/%s", region, r.Account, scope, acl, id))
		state["capacity"] = resource.NewProperty(1000.0)
		state["lockToken"] = resource.NewProperty(shortHash(acl))
	}
}
