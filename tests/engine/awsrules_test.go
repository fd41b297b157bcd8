package engine

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"syscall"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// What AWS refuses, as its documentation states it, checked by the aws test provider before
// any create or update (the real provider and AWS would refuse the same inputs, only later).
// Each rule names the API reference it comes from.

type checkFailure struct{ Property, Reason string }

// nameRule constrains one string input of one resource type.
type nameRule struct {
	types    []string
	property string
	min, max int
	pattern  *regexp.Regexp
	// want says what a valid value looks like, in the documentation's words.
	want string
	// not, when set, is a pattern the value must not match.
	not     *regexp.Regexp
	notWhy  string
	source  string
	charset bool // pattern is a per-character set: report the first offending character
}

// ec2Description is the character set EC2 accepts in security group names and descriptions
// and in security group rule descriptions.
var ec2Description = regexp.MustCompile(`^[a-zA-Z0-9. _\-:/()#,@\[\]+=&;{}!$*]*$`)

var awsNameRules = []nameRule{
	{
		types:    []string{"aws:ec2/securityGroup:SecurityGroup"},
		property: "description", min: 0, max: 255, pattern: ec2Description, charset: true,
		want:   "a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*",
		source: "EC2 API Reference, CreateSecurityGroup, GroupDescription",
	},
	{
		types:    []string{"aws:ec2/securityGroup:SecurityGroup"},
		property: "name", min: 1, max: 255, pattern: ec2Description, charset: true,
		want: "a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*",
		not:  regexp.MustCompile(`^sg-`), notWhy: "cannot start with sg-",
		source: "EC2 API Reference, CreateSecurityGroup, GroupName",
	},
	{
		types:    []string{"aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"},
		property: "description", min: 0, max: 255, pattern: ec2Description, charset: true,
		want:   "a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*",
		source: "EC2 API Reference, IpRange / SecurityGroupRuleRequest, Description",
	},
	{
		types:    []string{"aws:ec2/managedPrefixList:ManagedPrefixList"},
		property: "name", min: 1, max: 255, pattern: regexp.MustCompile(`^.+$`),
		want: "up to 255 characters",
		not:  regexp.MustCompile(`^com\.amazonaws`), notWhy: "cannot start with com.amazonaws",
		source: "EC2 API Reference, CreateManagedPrefixList, PrefixListName",
	},
	{
		types:    []string{"aws:lb/loadBalancer:LoadBalancer", "aws:lb/targetGroup:TargetGroup"},
		property: "name", min: 1, max: 32, pattern: regexp.MustCompile(`^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$`),
		want: "at most 32 alphanumeric characters or hyphens, not beginning or ending with a hyphen",
		not:  regexp.MustCompile(`^internal-`), notWhy: "cannot begin with internal-",
		source: "Elastic Load Balancing API Reference, CreateLoadBalancer and CreateTargetGroup, Name",
	},
	{
		types:    []string{"aws:iam/role:Role"},
		property: "name", min: 1, max: 64, pattern: regexp.MustCompile(`^[\w+=,.@-]+$`),
		want:   "1 to 64 of upper and lower case letters, digits and _+=,.@-",
		source: "IAM API Reference, CreateRole, RoleName",
	},
	{
		types:    []string{"aws:iam/instanceProfile:InstanceProfile", "aws:iam/rolePolicy:RolePolicy"},
		property: "name", min: 1, max: 128, pattern: regexp.MustCompile(`^[\w+=,.@-]+$`),
		want:   "1 to 128 of upper and lower case letters, digits and _+=,.@-",
		source: "IAM API Reference, CreateInstanceProfile InstanceProfileName and PutRolePolicy PolicyName",
	},
	{
		types:    []string{"aws:iam/role:Role"},
		property: "description", min: 0, max: 1000, pattern: regexp.MustCompile(`^[\x{0009}\x{000A}\x{000D}\x{0020}-\x{007E}\x{00A1}-\x{00FF}]*$`), charset: true,
		want:   "at most 1000 printable Latin-1 characters",
		source: "IAM API Reference, CreateRole, Description",
	},
	{
		types:    []string{"aws:s3/bucketV2:BucketV2"},
		property: "bucket", min: 3, max: 63, pattern: regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*[a-z0-9]$`),
		want: "3 to 63 lower-case letters, digits, dots and hyphens, beginning and ending with a letter or digit",
		not:  regexp.MustCompile(`\.\.|^\d+\.\d+\.\d+\.\d+$|^xn--|^sthree-|-s3alias$|--ol-s3$`), notWhy: "has two adjacent dots, is an IP address, or uses a reserved prefix or suffix",
		source: "Amazon S3 User Guide, General purpose bucket naming rules",
	},
	{
		types:    []string{"aws:kms/alias:Alias"},
		property: "name", min: 7, max: 256, pattern: regexp.MustCompile(`^alias/[a-zA-Z0-9/_-]+$`),
		want: "alias/ followed by letters, digits, /, _ and -",
		not:  regexp.MustCompile(`^alias/aws/`), notWhy: "alias/aws/ is reserved for AWS managed keys",
		source: "AWS KMS API Reference, CreateAlias, AliasName",
	},
	{
		types:    []string{"aws:cloudwatch/logGroup:LogGroup"},
		property: "name", min: 1, max: 512, pattern: regexp.MustCompile(`^[.\-_/#A-Za-z0-9]+$`),
		want:   "1 to 512 of a-z, A-Z, 0-9, '_', '-', '/', '.' and '#'",
		source: "CloudWatch Logs API Reference, CreateLogGroup, logGroupName",
	},
	{
		types:    []string{"aws:cognito/userPool:UserPool", "aws:cognito/userPoolClient:UserPoolClient"},
		property: "name", min: 1, max: 128, pattern: regexp.MustCompile(`^[\w\s+=,.@-]+$`),
		want:   "1 to 128 word characters, spaces and +=,.@-",
		source: "Amazon Cognito API Reference, CreateUserPool PoolName and CreateUserPoolClient ClientName",
	},
	{
		types:    []string{"aws:cognito/userPoolDomain:UserPoolDomain"},
		property: "domain", min: 1, max: 63, pattern: regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`),
		want: "lower-case letters, digits and hyphens, not beginning or ending with a hyphen",
		not:  regexp.MustCompile(`aws|amazon|cognito`), notWhy: "a prefix domain cannot contain aws, amazon or cognito",
		source: "Amazon Cognito Developer Guide, Using the prefix domain; API Reference, CreateUserPoolDomain",
	},
	{
		types:    []string{"aws:sesv2/configurationSet:ConfigurationSet"},
		property: "configurationSetName", min: 1, max: 64, pattern: regexp.MustCompile(`^[a-zA-Z0-9_-]+$`),
		want:   "at most 64 letters, digits, underscores and hyphens",
		source: "Amazon SES API v2 Reference, CreateConfigurationSet, ConfigurationSetName",
	},
	{
		types:    []string{"aws:ses/template:Template"},
		property: "name", min: 1, max: 64, pattern: regexp.MustCompile(`^[a-zA-Z0-9_-]+$`),
		want:   "at most 64 alphanumeric characters, underscores and dashes",
		source: "Amazon SES API Reference, Template, TemplateName",
	},
	{
		types:    []string{"aws:wafv2/webAcl:WebAcl"},
		property: "name", min: 1, max: 128, pattern: regexp.MustCompile(`^[\w-]+$`),
		want:   "1 to 128 word characters and hyphens",
		source: "AWS WAFV2 API Reference, CreateWebACL, Name",
	},
	{
		types:    []string{"aws:secretsmanager/secret:Secret"},
		property: "name", min: 1, max: 512, pattern: regexp.MustCompile(`^[A-Za-z0-9/_+=.@-]+$`),
		want:   "1 to 512 ASCII letters, digits and /_+=.@-",
		source: "AWS Secrets Manager API Reference, CreateSecret, Name",
	},
	{
		types:    []string{"aws:rds/instance:Instance"},
		property: "identifier", min: 1, max: 63, pattern: regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9-]*$`),
		want: "1 to 63 letters, digits or hyphens, beginning with a letter",
		not:  regexp.MustCompile(`--|-$`), notWhy: "cannot end with a hyphen or contain two consecutive hyphens",
		source: "Amazon RDS API Reference, CreateDBInstance, DBInstanceIdentifier",
	},
	{
		types:    []string{"aws:rds/subnetGroup:SubnetGroup"},
		property: "name", min: 1, max: 255, pattern: regexp.MustCompile(`^[a-z0-9 ._-]+$`),
		want: "at most 255 lower-case letters, digits, spaces, periods, underscores and hyphens",
		not:  regexp.MustCompile(`^default$`), notWhy: "default is reserved",
		source: "Amazon RDS API Reference, CreateDBSubnetGroup, DBSubnetGroupName",
	},
	{
		types:    []string{"aws:rds/parameterGroup:ParameterGroup"},
		property: "name", min: 1, max: 255, pattern: regexp.MustCompile(`^[a-z][a-z0-9-]*$`),
		want: "letters, digits and hyphens, beginning with a letter (stored in lower case)",
		not:  regexp.MustCompile(`--|-$`), notWhy: "cannot end with a hyphen or contain two consecutive hyphens",
		source: "Amazon RDS API Reference, CreateDBParameterGroup, DBParameterGroupName",
	},
	{
		types:    []string{"aws:cloudfront/function:Function"},
		property: "name", min: 1, max: 64, pattern: regexp.MustCompile(`^[a-zA-Z0-9-_]+$`),
		want:   "at most 64 letters, digits, hyphens and underscores",
		source: "Amazon CloudFront API Reference, CreateFunction, Name",
	},
	{
		types:    []string{"aws:ssm/parameter:Parameter"},
		property: "name", min: 1, max: 1011, pattern: regexp.MustCompile(`^[a-zA-Z0-9_.\-/]+$`),
		want: "letters, digits and _.-/ (at most 1011 characters)",
		not:  regexp.MustCompile(`(?i)^/?(aws|ssm)`), notWhy: "cannot begin with aws or ssm",
		source: "AWS Systems Manager API Reference, PutParameter, Name",
	},
}

// policyProperties are inputs that hold a JSON policy document AWS parses on create.
var policyProperties = map[string][]string{
	"aws:iam/role:Role":                                  {"assumeRolePolicy"},
	"aws:iam/rolePolicy:RolePolicy":                      {"policy"},
	"aws:s3/bucketPolicy:BucketPolicy":                   {"policy"},
	"aws:kms/key:Key":                                    {"policy"},
	"aws:cloudwatch/logResourcePolicy:LogResourcePolicy": {"policyDocument"},
	"aws:secretsmanager/secret:Secret":                   {"policy"},
}

// checkAWS returns what AWS would refuse in a resource's inputs, in the provider's region.
func checkAWS(typ, region string, news resource.PropertyMap) []checkFailure {
	var out []checkFailure
	for _, r := range awsNameRules {
		if !contains(r.types, typ) {
			continue
		}
		v, ok := news[resource.PropertyKey(r.property)]
		if !ok || !isKnownString(v) {
			continue
		}
		if f := r.check(plainString(v)); f != "" {
			out = append(out, checkFailure{Property: r.property, Reason: f})
		}
	}
	for _, prop := range policyProperties[typ] {
		v, ok := news[resource.PropertyKey(prop)]
		if !ok || !isKnownString(v) {
			continue
		}
		var doc map[string]any
		if err := json.Unmarshal([]byte(plainString(v)), &doc); err != nil {
			out = append(out, checkFailure{Property: prop, Reason: fmt.Sprintf("MalformedPolicyDocument: not a JSON policy document (%v) [IAM User Guide, IAM JSON policy reference]", err)})
		} else if _, ok := doc["Statement"]; !ok {
			out = append(out, checkFailure{Property: prop, Reason: "MalformedPolicyDocument: no Statement element [IAM User Guide, IAM JSON policy elements]"})
		}
	}
	switch typ {
	case "aws:wafv2/webAcl:WebAcl":
		if s := plainString(news["scope"]); s == "CLOUDFRONT" && region != "us-east-1" {
			out = append(out, checkFailure{Property: "scope", Reason: fmt.Sprintf("WAFInvalidParameterException: a CLOUDFRONT web ACL must be created in us-east-1, not %s [AWS WAF Developer Guide, CloudFront scope]", region)})
		}
	case "aws:cloudfront/distribution:Distribution":
		vc := news["viewerCertificate"]
		if vc.IsObject() {
			arn := vc.ObjectValue()["acmCertificateArn"]
			if isKnownString(arn) && plainString(arn) != "" && !strings.Contains(plainString(arn), ":us-east-1:") {
				out = append(out, checkFailure{Property: "viewerCertificate.acmCertificateArn", Reason: "InvalidViewerCertificate: CloudFront uses only ACM certificates requested in us-east-1 [CloudFront Developer Guide, Requirements for using SSL/TLS certificates with CloudFront]"})
			}
		}
	case "aws:ec2/managedPrefixList:ManagedPrefixList":
		out = append(out, checkPrefixList(news)...)
	case "aws:ssm/parameter:Parameter":
		limit, tier := 4096, plainString(news["tier"])
		if tier == "Advanced" {
			limit = 8192
		}
		if v := news["value"]; isKnownString(v) && len(plainString(v)) > limit {
			out = append(out, checkFailure{Property: "value", Reason: fmt.Sprintf("ParameterMaxSizeExceeded/ValidationException: %d characters exceed the %s tier's %d [Systems Manager User Guide, parameter tiers]", len(plainString(v)), tierName(tier), limit)})
		}
	}
	return out
}

// checkPrefixList holds a customer-managed prefix list to EC2's rules: at most MaxEntries
// entries, each CIDR once, descriptions up to 255 characters (EC2 API Reference,
// CreateManagedPrefixList MaxEntries, and AddPrefixListEntry Cidr and Description).
func checkPrefixList(news resource.PropertyMap) []checkFailure {
	var out []checkFailure
	entries := news["entries"]
	if !entries.IsArray() || entries.ContainsUnknowns() {
		return nil
	}
	if m := news["maxEntries"]; m.IsNumber() && len(entries.ArrayValue()) > int(m.NumberValue()) {
		out = append(out, checkFailure{Property: "entries", Reason: fmt.Sprintf("PrefixListMaxEntriesExceeded: %d entries in a list of at most %v [EC2 API Reference, CreateManagedPrefixList, MaxEntries]", len(entries.ArrayValue()), m.NumberValue())})
	}
	seen := map[string]bool{}
	for i, e := range entries.ArrayValue() {
		if !e.IsObject() {
			continue
		}
		cidr, desc := plainString(e.ObjectValue()["cidr"]), plainString(e.ObjectValue()["description"])
		if seen[cidr] {
			out = append(out, checkFailure{Property: fmt.Sprintf("entries[%d].cidr", i), Reason: fmt.Sprintf("InvalidParameterValue: %s is listed twice [EC2 API Reference, AddPrefixListEntry, Cidr]", cidr)})
		}
		seen[cidr] = true
		if len(desc) > 255 {
			out = append(out, checkFailure{Property: fmt.Sprintf("entries[%d].description", i), Reason: fmt.Sprintf("%d characters; want up to 255 [EC2 API Reference, AddPrefixListEntry, Description]", len(desc))})
		}
	}
	return out
}

func tierName(t string) string {
	if t == "" {
		return "Standard"
	}
	return t
}

func (r nameRule) check(v string) string {
	src := " [" + r.source + "]"
	if len(v) < r.min || len(v) > r.max {
		return fmt.Sprintf("%q has %d characters; want %d to %d%s", v, len(v), r.min, r.max, src)
	}
	if !r.pattern.MatchString(v) {
		if r.charset {
			for _, c := range v {
				if !r.pattern.MatchString(string(c)) {
					return fmt.Sprintf("%q contains %q; AWS accepts only %s%s", v, c, r.want, src)
				}
			}
		}
		return fmt.Sprintf("%q is not valid; want %s%s", v, r.want, src)
	}
	if r.not != nil && r.not.MatchString(v) {
		return fmt.Sprintf("%q %s%s", v, r.notWhy, src)
	}
	return ""
}

func isKnownString(v resource.PropertyValue) bool {
	if v.ContainsUnknowns() {
		return false
	}
	if v.IsSecret() {
		v = v.SecretValue().Element
	}
	return v.IsString()
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// uniqueNames are the inputs that name a resource uniquely within the account (and region):
// AWS refuses a second one (EntityAlreadyExists, BucketAlreadyOwnedByYou, ResourceExistsException,
// DBInstanceAlreadyExists, DuplicateLoadBalancerName, ...).
var uniqueNames = map[string][]string{
	"aws:ec2/securityGroup:SecurityGroup":                        {"vpcId", "name"},
	"aws:lb/loadBalancer:LoadBalancer":                           {"name"},
	"aws:lb/targetGroup:TargetGroup":                             {"name"},
	"aws:iam/role:Role":                                          {"name"},
	"aws:iam/instanceProfile:InstanceProfile":                    {"name"},
	"aws:s3/bucketV2:BucketV2":                                   {"bucket"},
	"aws:kms/alias:Alias":                                        {"name"},
	"aws:cloudwatch/logGroup:LogGroup":                           {"name"},
	"aws:cognito/userPoolDomain:UserPoolDomain":                  {"domain"},
	"aws:sesv2/configurationSet:ConfigurationSet":                {"configurationSetName"},
	"aws:sesv2/emailIdentity:EmailIdentity":                      {"emailIdentity"},
	"aws:ses/template:Template":                                  {"name"},
	"aws:wafv2/webAcl:WebAcl":                                    {"scope", "name"},
	"aws:secretsmanager/secret:Secret":                           {"name"},
	"aws:rds/instance:Instance":                                  {"identifier"},
	"aws:rds/subnetGroup:SubnetGroup":                            {"name"},
	"aws:rds/parameterGroup:ParameterGroup":                      {"name"},
	"aws:ssm/parameter:Parameter":                                {"name"},
	"aws:cloudfront/function:Function":                           {"name"},
	"aws:cloudfront/originRequestPolicy:OriginRequestPolicy":     {"name"},
	"aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": {"name"},
	"aws:cloudfront/originAccessControl:OriginAccessControl":     {"name"},
	"aws:cognito/user:User":                                      {"userPoolId", "username"},
	// EC2 refuses a second rule identical to one the group has (InvalidPermission.Duplicate).
	"aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": {"securityGroupId", "ipProtocol", "cidrIpv4", "fromPort", "toPort"},
	"aws:cloudwatch/metricAlarm:MetricAlarm":                    {"name"},
}

// uniqueName is "<type>|<identity>" for a resource whose name AWS keeps unique, else "".
func uniqueName(typ string, props resource.PropertyMap) string {
	keys, ok := uniqueNames[typ]
	if !ok {
		return ""
	}
	parts := []string{typ}
	for _, k := range keys {
		pv := props[resource.PropertyKey(k)]
		v := plainString(pv)
		if pv.IsNumber() {
			v = fmt.Sprint(pv.NumberValue())
		}
		if v == "" {
			return ""
		}
		parts = append(parts, v)
	}
	return strings.Join(parts, "|")
}

// deletionProtected says why AWS refuses to delete a resource, or "".
func deletionProtected(typ string, olds resource.PropertyMap) string {
	switch typ {
	case "aws:rds/instance:Instance":
		if v := olds["deletionProtection"]; v.IsBool() && v.BoolValue() {
			return "InvalidParameterCombination: Cannot delete protected DB Instance, please disable deletion protection and try again. [RDS API Reference, DeleteDBInstance]"
		}
	case "aws:lb/loadBalancer:LoadBalancer":
		if v := olds["enableDeletionProtection"]; v.IsBool() && v.BoolValue() {
			return "OperationNotPermitted: Load balancer has deletion protection enabled [ELB API Reference, DeleteLoadBalancer]"
		}
	case "aws:cognito/userPool:UserPool":
		if plainString(olds["deletionProtection"]) == "ACTIVE" {
			return "InvalidParameterException: The user pool cannot be deleted because deletion protection is activated [Cognito API Reference, DeleteUserPool]"
		}
	}
	return ""
}

// lockFile takes an exclusive advisory lock on path, shared by every plugin process.
func lockFile(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		_ = f.Close()
		return nil, err
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		_ = f.Close()
	}, nil
}
