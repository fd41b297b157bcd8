package edge

import (
	"fmt"
	"strconv"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lb"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ALBSSLPolicy is the HTTPS listener's policy: TLS 1.3 and TLS 1.2 with forward-secret
// AEAD ciphers only (CKV_AWS_103); CloudFront's VPC origin speaks TLS 1.2 to it.
const ALBSSLPolicy = "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"

// DesyncMitigation is the ALB's HTTP desync mode. Only CloudFront reaches the ALB, and it
// sends well-formed requests, so the strictest mode costs nothing and refuses every
// ambiguous request (ELB.12 / CKV_AWS_328 accept defensive or strictest).
const DesyncMitigation = "strictest"

// APIHealthPath is flip-api's health check.
const APIHealthPath = "/api/health"

// APIPathPatterns are the ALB rule's paths: everything flip-api serves.
var APIPathPatterns = []string{"/api", "/api/*"}

// Load balancer and target group names are at most 32 characters.
const lbNameMax = 32

type loadBalancers struct {
	alb, nlb    *lb.LoadBalancer
	apiTG, flTG *lb.TargetGroup
}

// loadBalancers builds the internal ALB for /api and the internet-facing FL NLB. Neither
// depends on CloudFront: the distribution's VPC origin depends on the ALB, never the
// reverse, so the compute layer can register targets while CloudFront deploys.
func (b *builder) loadBalancers(certificateARN pulumi.StringOutput) (*loadBalancers, error) {
	out := &loadBalancers{}
	var err error
	if out.alb, out.apiTG, err = b.alb(certificateARN); err != nil {
		return nil, err
	}
	if out.nlb, out.flTG, err = b.nlb(); err != nil {
		return nil, err
	}
	return out, nil
}

func (b *builder) alb(certificateARN pulumi.StringOutput) (*lb.LoadBalancer, *lb.TargetGroup, error) {
	a := b.args
	opts := []pulumi.ResourceOption{b.parent}
	if len(a.LogBucketReady) > 0 {
		// ELB test-writes to the log bucket when access logs are turned on.
		opts = append(opts, pulumi.DependsOn(a.LogBucketReady))
	}
	alb, err := lb.NewLoadBalancer(b.ctx, "api", &lb.LoadBalancerArgs{
		Name:             pulumi.String(b.nm.Bounded(lbNameMax, "api")),
		LoadBalancerType: pulumi.String("application"),
		// Internal: CloudFront reaches it through a VPC origin, nothing else from outside.
		Internal:                 pulumi.Bool(true),
		Subnets:                  a.PrivateSubnetIDs,
		SecurityGroups:           pulumi.StringArray{a.ALBSecurityGroupID},
		IpAddressType:            pulumi.String("ipv4"),
		DropInvalidHeaderFields:  pulumi.Bool(true),
		DesyncMitigationMode:     pulumi.String(DesyncMitigation),
		EnableDeletionProtection: pulumi.Bool(a.DeletionProtection),
		EnableHttp2:              pulumi.Bool(true),
		EnableWafFailOpen:        pulumi.Bool(false),
		XffHeaderProcessingMode:  pulumi.String("append"),
		IdleTimeout:              pulumi.Int(60),
		AccessLogs: &lb.LoadBalancerAccessLogsArgs{
			Bucket:  a.LogBucketName,
			Prefix:  pulumi.String(ALBLogPrefix),
			Enabled: pulumi.Bool(true),
		},
		Tags: b.tags("api-alb"),
	}, opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("alb: %w", err)
	}

	// flip-api speaks plain HTTP on the host; the hop from the ALB stays inside the VPC,
	// between two security groups that admit only each other on APIPort.
	tg, err := lb.NewTargetGroup(b.ctx, "api", &lb.TargetGroupArgs{
		// The name carries what forces a replacement (protocol, port), so a new target
		// group can be created before the old one is deleted.
		Name:                pulumi.String(b.nm.Bounded(lbNameMax, "api", "http", strconv.Itoa(a.APIPort))),
		TargetType:          pulumi.String("instance"),
		Protocol:            pulumi.String("HTTP"),
		ProtocolVersion:     pulumi.String("HTTP1"),
		Port:                pulumi.Int(a.APIPort),
		VpcId:               a.VPCID,
		DeregistrationDelay: pulumi.Int(30),
		HealthCheck: &lb.TargetGroupHealthCheckArgs{
			Enabled:            pulumi.Bool(true),
			Protocol:           pulumi.String("HTTP"),
			Port:               pulumi.String("traffic-port"),
			Path:               pulumi.String(APIHealthPath),
			Matcher:            pulumi.String("200"),
			Interval:           pulumi.Int(15),
			Timeout:            pulumi.Int(5),
			HealthyThreshold:   pulumi.Int(2),
			UnhealthyThreshold: pulumi.Int(3),
		},
		Tags: b.tags("api"),
	}, b.parent)
	if err != nil {
		return nil, nil, fmt.Errorf("api target group: %w", err)
	}

	https, err := lb.NewListener(b.ctx, "api-https", &lb.ListenerArgs{
		LoadBalancerArn: alb.Arn,
		Port:            pulumi.Int(443),
		Protocol:        pulumi.String("HTTPS"),
		SslPolicy:       pulumi.String(ALBSSLPolicy),
		CertificateArn:  certificateARN,
		// Only /api reaches flip-api; anything else CloudFront might send is a 404.
		DefaultActions: lb.ListenerDefaultActionArray{&lb.ListenerDefaultActionArgs{
			Type: pulumi.String("fixed-response"),
			FixedResponse: &lb.ListenerDefaultActionFixedResponseArgs{
				ContentType: pulumi.String("text/plain"),
				MessageBody: pulumi.String("Not Found"),
				StatusCode:  pulumi.String("404"),
			},
		}},
		Tags: b.tags("api-https"),
	}, b.parent)
	if err != nil {
		return nil, nil, fmt.Errorf("alb https listener: %w", err)
	}
	if _, err := lb.NewListenerRule(b.ctx, "api", &lb.ListenerRuleArgs{
		ListenerArn: https.Arn,
		Priority:    pulumi.Int(10),
		Conditions: lb.ListenerRuleConditionArray{&lb.ListenerRuleConditionArgs{
			PathPattern: &lb.ListenerRuleConditionPathPatternArgs{Values: pulumi.ToStringArray(APIPathPatterns)},
		}},
		Actions: lb.ListenerRuleActionArray{&lb.ListenerRuleActionArgs{
			Type:           pulumi.String("forward"),
			TargetGroupArn: tg.Arn,
		}},
		Tags: b.tags("api"),
	}, b.parent); err != nil {
		return nil, nil, fmt.Errorf("alb api rule: %w", err)
	}
	// Port 80 only ever redirects (ELB.1 / CKV_AWS_2). The ALB's security group does not
	// even admit it: CloudFront's VPC origin speaks HTTPS only.
	if _, err := lb.NewListener(b.ctx, "api-http", &lb.ListenerArgs{
		LoadBalancerArn: alb.Arn,
		Port:            pulumi.Int(80),
		Protocol:        pulumi.String("HTTP"),
		DefaultActions: lb.ListenerDefaultActionArray{&lb.ListenerDefaultActionArgs{
			Type: pulumi.String("redirect"),
			Redirect: &lb.ListenerDefaultActionRedirectArgs{
				Protocol:   pulumi.String("HTTPS"),
				Port:       pulumi.String("443"),
				StatusCode: pulumi.String("HTTP_301"),
			},
		}},
		Tags: b.tags("api-http"),
	}, b.parent); err != nil {
		return nil, nil, fmt.Errorf("alb http listener: %w", err)
	}
	return alb, tg, nil
}

// nlb is the FL entry point. Its listener is TCP, not TLS: NVFLARE (and Flower with
// supernode auth) authenticate both ends with their own provisioned certificates, so the
// NLB must hand the TLS stream to fl-server untouched. The price is no NLB access logs
// (they exist only for TLS listeners); VPC flow logs still record every connection.
func (b *builder) nlb() (*lb.LoadBalancer, *lb.TargetGroup, error) {
	a := b.args
	port := strconv.Itoa(a.FLPort)
	nlb, err := lb.NewLoadBalancer(b.ctx, "fl", &lb.LoadBalancerArgs{
		Name:             pulumi.String(b.nm.Bounded(lbNameMax, "fl")),
		LoadBalancerType: pulumi.String("network"),
		Internal:         pulumi.Bool(false),
		Subnets:          a.PublicSubnetIDs,
		// The security group admits the FL port from the trusts' egress networks only
		// (network layer, one described rule per CIDR); it can only be set at creation.
		SecurityGroups:               pulumi.StringArray{a.NLBSecurityGroupID},
		IpAddressType:                pulumi.String("ipv4"),
		EnableCrossZoneLoadBalancing: pulumi.Bool(true),
		EnableDeletionProtection:     pulumi.Bool(a.DeletionProtection),
		Tags:                         b.tags("fl-nlb"),
	}, b.parent)
	if err != nil {
		return nil, nil, fmt.Errorf("fl nlb: %w", err)
	}
	tg, err := lb.NewTargetGroup(b.ctx, "fl", &lb.TargetGroupArgs{
		Name:       pulumi.String(b.nm.Bounded(lbNameMax, "fl", "tcp", port)),
		TargetType: pulumi.String("instance"),
		Protocol:   pulumi.String("TCP"),
		Port:       pulumi.Int(a.FLPort),
		VpcId:      a.VPCID,
		HealthCheck: &lb.TargetGroupHealthCheckArgs{
			Enabled:            pulumi.Bool(true),
			Protocol:           pulumi.String("TCP"),
			Port:               pulumi.String("traffic-port"),
			Interval:           pulumi.Int(10),
			HealthyThreshold:   pulumi.Int(3),
			UnhealthyThreshold: pulumi.Int(3),
		},
		Tags: b.tags("fl"),
	}, b.parent)
	if err != nil {
		return nil, nil, fmt.Errorf("fl target group: %w", err)
	}
	if _, err := lb.NewListener(b.ctx, "fl-tcp", &lb.ListenerArgs{
		LoadBalancerArn: nlb.Arn,
		Port:            pulumi.Int(a.FLPort),
		Protocol:        pulumi.String("TCP"),
		DefaultActions: lb.ListenerDefaultActionArray{&lb.ListenerDefaultActionArgs{
			Type:           pulumi.String("forward"),
			TargetGroupArn: tg.Arn,
		}},
		Tags: b.tags("fl-tcp"),
	}, b.parent); err != nil {
		return nil, nil, fmt.Errorf("fl listener: %w", err)
	}
	return nlb, tg, nil
}
