package compliance

// Resource type tokens the rules judge (pulumi-aws v6 and pulumi-command).
const (
	TypeRDSInstance       = "aws:rds/instance:Instance"
	TypeRDSParameterGroup = "aws:rds/parameterGroup:ParameterGroup"

	TypeBucket           = "aws:s3/bucketV2:BucketV2"
	TypeBucketPAB        = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
	TypeBucketSSE        = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
	TypeBucketVersioning = "aws:s3/bucketVersioningV2:BucketVersioningV2"
	TypeBucketLogging    = "aws:s3/bucketLoggingV2:BucketLoggingV2"
	TypeBucketPolicy     = "aws:s3/bucketPolicy:BucketPolicy"
	TypeBucketLifecycle  = "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"
	TypeBucketOwnership  = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"

	TypeKMSKey         = "aws:kms/key:Key"
	TypeLogGroup       = "aws:cloudwatch/logGroup:LogGroup"
	TypeSecret         = "aws:secretsmanager/secret:Secret"
	TypeSSMParameter   = "aws:ssm/parameter:Parameter"
	TypeSESConfigSet   = "aws:sesv2/configurationSet:ConfigurationSet"
	TypeCognitoPool    = "aws:cognito/userPool:UserPool"
	TypeCognitoClient  = "aws:cognito/userPoolClient:UserPoolClient"
	TypeACMCertificate = "aws:acm/certificate:Certificate"

	TypeVPC             = "aws:ec2/vpc:Vpc"
	TypeSubnet          = "aws:ec2/subnet:Subnet"
	TypeFlowLog         = "aws:ec2/flowLog:FlowLog"
	TypeDefaultSG       = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
	TypeSecurityGroup   = "aws:ec2/securityGroup:SecurityGroup"
	TypeSGRule          = "aws:ec2/securityGroupRule:SecurityGroupRule"
	TypeSGIngress       = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
	TypeSGEgress        = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
	TypePrefixList      = "aws:ec2/managedPrefixList:ManagedPrefixList"
	TypeVPCEndpoint     = "aws:ec2/vpcEndpoint:VpcEndpoint"
	TypeEC2Instance     = "aws:ec2/instance:Instance"
	TypeLaunchTemplate  = "aws:ec2/launchTemplate:LaunchTemplate"
	TypeIAMRole         = "aws:iam/role:Role"
	TypeIAMRolePolicy   = "aws:iam/rolePolicy:RolePolicy"
	TypeIAMPolicy       = "aws:iam/policy:Policy"
	TypeIAMAttachment   = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
	TypeIAMUserPolicy   = "aws:iam/userPolicy:UserPolicy"
	TypeIAMGroupPolicy  = "aws:iam/groupPolicy:GroupPolicy"
	TypeLB              = "aws:lb/loadBalancer:LoadBalancer"
	TypeALB             = "aws:alb/loadBalancer:LoadBalancer"
	TypeListener        = "aws:lb/listener:Listener"
	TypeALBListener     = "aws:alb/listener:Listener"
	TypeDistribution    = "aws:cloudfront/distribution:Distribution"
	TypeVPCOrigin       = "aws:cloudfront/vpcOrigin:VpcOrigin"
	TypeResponseHeaders = "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy"
	TypeWebACL          = "aws:wafv2/webAcl:WebAcl"
	TypeWebACLLogging   = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"
	TypeLocalCommand    = "command:local:Command"
	TypeRoute53Record   = "aws:route53/record:Record"
)

// lbTypes and listenerTypes cover both spellings the AWS provider registers.
var (
	lbTypes       = []string{TypeLB, TypeALB}
	listenerTypes = []string{TypeListener, TypeALBListener}
	// identityPolicyTypes hold an IAM identity policy document in "policy".
	identityPolicyTypes = []string{TypeIAMRolePolicy, TypeIAMPolicy, TypeIAMUserPolicy, TypeIAMGroupPolicy}
)

// dependents returns the resources of a type that belong to target: when key is given
// and both sides know the value, those whose input key equals want (a logging
// configuration that merely targets a bucket depends on it too, but does not belong to
// it); otherwise those that depend on target through any input or dependsOn.
func dependents(c *Context, target View, typ, key, want string) []View {
	var out []View
	for _, v := range c.ByType(typ) {
		got := ""
		if key != "" {
			got = v.String(key)
		}
		known := want != "" && want != Unknown && got != "" && got != Unknown
		switch {
		case known && got == want:
			out = append(out, v)
		case !known && target.URN != "" && v.DependsOn(target.URN):
			out = append(out, v)
		}
	}
	return out
}
