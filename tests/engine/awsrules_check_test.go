package engine

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// The aws test provider's refusals, each shown to pass a value AWS accepts and to refuse one
// AWS documents it refuses.
func TestAWSRules(t *testing.T) {
	t.Parallel()
	str := func(kv ...string) resource.PropertyMap {
		m := resource.PropertyMap{}
		for i := 0; i < len(kv); i += 2 {
			m[resource.PropertyKey(kv[i])] = resource.NewProperty(kv[i+1])
		}
		return m
	}
	cases := []struct {
		name, typ, region string
		props             resource.PropertyMap
		want              string // a substring of the failure; "" for none
	}{
		{"sg description plain", "aws:ec2/securityGroup:SecurityGroup", "eu-west-2", str("name", "flip-stag-alb", "description", "HTTPS from the CloudFront VPC origin only"), ""},
		{"sg description apostrophe", "aws:ec2/securityGroup:SecurityGroup", "eu-west-2", str("description", "CloudFront's VPC origin"), `contains '\''`},
		{"sg name sg- prefix", "aws:ec2/securityGroup:SecurityGroup", "eu-west-2", str("name", "sg-hub"), "cannot start with sg-"},
		{"rule description apostrophe", "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "eu-west-2", str("description", "trusts' egress"), "IpRange"},
		{"lb name 33 characters", "aws:lb/loadBalancer:LoadBalancer", "eu-west-2", str("name", strings.Repeat("a", 33)), "want 1 to 32"},
		{"lb name trailing hyphen", "aws:lb/targetGroup:TargetGroup", "eu-west-2", str("name", "flip-stag-"), "not beginning or ending with a hyphen"},
		{"lb name internal-", "aws:lb/loadBalancer:LoadBalancer", "eu-west-2", str("name", "internal-api"), "cannot begin with internal-"},
		{"iam role name with space", "aws:iam/role:Role", "eu-west-2", str("name", "hub host"), "CreateRole"},
		{"iam role description apostrophe ok", "aws:iam/role:Role", "eu-west-2", str("name", "flip-stag-hub-host", "description", "the hub's own secrets"), ""},
		{"bucket upper case", "aws:s3/bucketV2:BucketV2", "eu-west-2", str("bucket", "Flip-Stag"), "bucket naming rules"},
		{"bucket double dot", "aws:s3/bucketV2:BucketV2", "eu-west-2", str("bucket", "flip..stag"), "two adjacent dots"},
		{"kms alias reserved", "aws:kms/alias:Alias", "eu-west-2", str("name", "alias/aws/flip"), "reserved"},
		{"kms alias without prefix", "aws:kms/alias:Alias", "eu-west-2", str("name", "flip-stag"), "alias/ followed by"},
		{"log group with colon", "aws:cloudwatch/logGroup:LogGroup", "eu-west-2", str("name", "/flip:stag"), "CreateLogGroup"},
		{"cognito domain with aws", "aws:cognito/userPoolDomain:UserPoolDomain", "eu-west-2", str("domain", "flip-aws-stag"), "cannot contain aws"},
		{"ses template dot", "aws:ses/template:Template", "eu-west-2", str("name", "flip.invite"), "TemplateName"},
		{"waf name space", "aws:wafv2/webAcl:WebAcl", "us-east-1", str("name", "flip edge", "scope", "CLOUDFRONT"), "CreateWebACL"},
		{"cloudfront waf outside us-east-1", "aws:wafv2/webAcl:WebAcl", "eu-west-2", str("name", "flip-edge", "scope", "CLOUDFRONT"), "must be created in us-east-1"},
		{"regional waf anywhere", "aws:wafv2/webAcl:WebAcl", "eu-west-2", str("name", "flip-edge", "scope", "REGIONAL"), ""},
		{"secret name with space", "aws:secretsmanager/secret:Secret", "eu-west-2", str("name", "flip stag"), "CreateSecret"},
		{"rds identifier double hyphen", "aws:rds/instance:Instance", "eu-west-2", str("identifier", "flip--stag"), "consecutive hyphens"},
		{"rds identifier digit first", "aws:rds/instance:Instance", "eu-west-2", str("identifier", "1flip"), "beginning with a letter"},
		{"ssm parameter aws prefix", "aws:ssm/parameter:Parameter", "eu-west-2", str("name", "/aws/flip"), "cannot begin with aws or ssm"},
		{"ssm standard value too long", "aws:ssm/parameter:Parameter", "eu-west-2", str("name", "/flip/x", "value", strings.Repeat("x", 4097)), "Standard tier's 4096"},
		{"ssm advanced value fits", "aws:ssm/parameter:Parameter", "eu-west-2", str("name", "/flip/x", "tier", "Advanced", "value", strings.Repeat("x", 5000)), ""},
		{"policy not json", "aws:iam/rolePolicy:RolePolicy", "eu-west-2", str("name", "p", "policy", "{not json"), "MalformedPolicyDocument"},
		{"policy without statement", "aws:s3/bucketPolicy:BucketPolicy", "eu-west-2", str("policy", `{"Version":"2012-10-17"}`), "no Statement"},
		{"policy valid", "aws:s3/bucketPolicy:BucketPolicy", "eu-west-2", str("policy", `{"Version":"2012-10-17","Statement":[]}`), ""},
		{"cloudfront certificate elsewhere", "aws:cloudfront/distribution:Distribution", "us-east-1", resource.PropertyMap{"viewerCertificate": resource.NewProperty(resource.PropertyMap{
			"acmCertificateArn": resource.NewProperty("arn:aws:acm:eu-west-2:111111111111:certificate/x")})}, "us-east-1"},
		{"cloudfront certificate in us-east-1", "aws:cloudfront/distribution:Distribution", "us-east-1", resource.PropertyMap{"viewerCertificate": resource.NewProperty(resource.PropertyMap{
			"acmCertificateArn": resource.NewProperty("arn:aws:acm:us-east-1:111111111111:certificate/x")})}, ""},
		{"prefix list reserved name", "aws:ec2/managedPrefixList:ManagedPrefixList", "eu-west-2", str("name", "com.amazonaws.flip"), "cannot start with com.amazonaws"},
		{"prefix list over its size", "aws:ec2/managedPrefixList:ManagedPrefixList", "eu-west-2", prefixList(1, "198.51.100.0/28", "203.0.113.0/28"), "PrefixListMaxEntriesExceeded"},
		{"prefix list network twice", "aws:ec2/managedPrefixList:ManagedPrefixList", "eu-west-2", prefixList(2, "198.51.100.0/28", "198.51.100.0/28"), "listed twice"},
		{"prefix list sized to fit", "aws:ec2/managedPrefixList:ManagedPrefixList", "eu-west-2", prefixList(2, "198.51.100.0/28", "203.0.113.0/28"), ""},
		{"unknown value is not judged", "aws:ec2/securityGroup:SecurityGroup", "eu-west-2", resource.PropertyMap{"description": resource.MakeComputed(resource.NewProperty(""))}, ""},
		{"secret value is judged", "aws:secretsmanager/secret:Secret", "eu-west-2", resource.PropertyMap{"name": resource.MakeSecret(resource.NewProperty("a b"))}, "CreateSecret"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var reasons []string
			for _, f := range checkAWS(c.typ, c.region, c.props) {
				reasons = append(reasons, f.Property+": "+f.Reason)
			}
			got := strings.Join(reasons, "\n")
			switch {
			case c.want == "" && got != "":
				t.Errorf("refused a value AWS accepts:\n%s", got)
			case c.want != "" && !strings.Contains(got, c.want):
				t.Errorf("failure %q does not contain %q", got, c.want)
			}
		})
	}
}

func TestDeletionProtected(t *testing.T) {
	t.Parallel()
	cases := []struct {
		typ   string
		props resource.PropertyMap
		want  bool
	}{
		{"aws:rds/instance:Instance", resource.PropertyMap{"deletionProtection": resource.NewProperty(true)}, true},
		{"aws:rds/instance:Instance", resource.PropertyMap{"deletionProtection": resource.NewProperty(false)}, false},
		{"aws:lb/loadBalancer:LoadBalancer", resource.PropertyMap{"enableDeletionProtection": resource.NewProperty(true)}, true},
		{"aws:cognito/userPool:UserPool", resource.PropertyMap{"deletionProtection": resource.NewProperty("ACTIVE")}, true},
		{"aws:cognito/userPool:UserPool", resource.PropertyMap{"deletionProtection": resource.NewProperty("INACTIVE")}, false},
	}
	for _, c := range cases {
		if got := deletionProtected(c.typ, c.props) != ""; got != c.want {
			t.Errorf("deletionProtected(%s, %v) = %v, want %v", c.typ, c.props, got, c.want)
		}
	}
}

// prefixList is a prefix list named flip-stag-fl-trust-networks of the given size with the CIDRs as entries.
func prefixList(size int, cidrs ...string) resource.PropertyMap {
	var entries []resource.PropertyValue
	for _, c := range cidrs {
		entries = append(entries, resource.NewProperty(resource.PropertyMap{
			"cidr": resource.NewProperty(c), "description": resource.NewProperty("FL from trust x"),
		}))
	}
	return resource.PropertyMap{
		"name":       resource.NewProperty("flip-stag-fl-trust-networks"),
		"maxEntries": resource.NewProperty(float64(size)),
		"entries":    resource.NewProperty(entries),
	}
}
