package compliance

import (
	"slices"
	"testing"
)

type mutation = func(testing.TB, []View) []View

// badFixtures hold, for every rule, at least one mutation of the known-good world that
// the rule must fail (in prod). A rule without one fails TestEveryRuleCanFail.
var badFixtures = map[string][]mutation{
	"rds-storage-encrypted":        {set(TypeRDSInstance, "db", "storageEncrypted", false), set(TypeRDSInstance, "db", "storageEncrypted", nil)},
	"rds-not-public":               {set(TypeRDSInstance, "db", "publiclyAccessible", true)},
	"rds-deletion-protection":      {set(TypeRDSInstance, "db", "deletionProtection", false)},
	"rds-iam-auth":                 {set(TypeRDSInstance, "db", "iamDatabaseAuthenticationEnabled", nil)},
	"rds-logs-exported":            {set(TypeRDSInstance, "db", "enabledCloudwatchLogsExports", []any{"upgrade"}), set(TypeRDSInstance, "db", "enabledCloudwatchLogsExports", nil)},
	"rds-minor-upgrades":           {set(TypeRDSInstance, "db", "autoMinorVersionUpgrade", false)},
	"rds-copy-tags-to-snapshots":   {set(TypeRDSInstance, "db", "copyTagsToSnapshot", false)},
	"rds-multi-az":                 {set(TypeRDSInstance, "db", "multiAz", false)},
	"rds-backup-retention":         {set(TypeRDSInstance, "db", "backupRetentionPeriod", 7.0), set(TypeRDSInstance, "db", "backupRetentionPeriod", nil)},
	"rds-enhanced-monitoring":      {set(TypeRDSInstance, "db", "monitoringInterval", 0.0), set(TypeRDSInstance, "db", "monitoringRoleArn", nil)},
	"rds-performance-insights":     {set(TypeRDSInstance, "db", "performanceInsightsEnabled", false)},
	"rds-performance-insights-cmk": {set(TypeRDSInstance, "db", "performanceInsightsKmsKeyId", nil)},
	"rds-modern-ca":                {set(TypeRDSInstance, "db", "caCertIdentifier", "rds-ca-2019")},
	"rds-tls-in-transit": {
		set(TypeRDSParameterGroup, "db", "parameters[0].value", "0"),
		drop(TypeRDSParameterGroup, "db"),
	},
	"rds-query-logging": {set(TypeRDSParameterGroup, "db", "parameters[1].value", "-1")},

	"s3-public-access-block":     {drop(TypeBucketPAB, "app")},
	"s3-block-public-acls":       {set(TypeBucketPAB, "app", "blockPublicAcls", false)},
	"s3-block-public-policy":     {set(TypeBucketPAB, "app", "blockPublicPolicy", nil)},
	"s3-ignore-public-acls":      {set(TypeBucketPAB, "app", "ignorePublicAcls", false)},
	"s3-restrict-public-buckets": {set(TypeBucketPAB, "app", "restrictPublicBuckets", false)},
	"s3-encrypted":               {drop(TypeBucketSSE, "app"), set(TypeBucketSSE, "app", "rules[0].applyServerSideEncryptionByDefault.sseAlgorithm", nil)},
	"s3-encrypted-kms": {
		set(TypeBucketSSE, "app", "rules[0].applyServerSideEncryptionByDefault.sseAlgorithm", "AES256"),
		set(TypeBucketSSE, "app", "rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId", nil),
	},
	"s3-versioning":     {drop(TypeBucketVersioning, "app"), set(TypeBucketVersioning, "app", "versioningConfiguration.status", "Suspended")},
	"s3-access-logging": {drop(TypeBucketLogging, "app")},
	"s3-tls-only": {
		set(TypeBucketPolicy, "app", "policy", `{"Statement":[{"Effect":"Allow","Principal":{"Service":"cloudfront.amazonaws.com"},"Action":"s3:GetObject","Resource":"*"}]}`),
		set(TypeBucketPolicy, "app", "policy", `{"Statement":{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}}`),
		drop(TypeBucketPolicy, "app"),
	},
	"s3-acls-disabled":            {set(TypeBucketOwnership, "app", "rule.objectOwnership", "BucketOwnerPreferred"), drop(TypeBucketOwnership, "app")},
	"s3-lifecycle":                {drop(TypeBucketLifecycle, "app"), set(TypeBucketLifecycle, "app", "rules[0].status", "Disabled")},
	"s3-abort-incomplete-uploads": {set(TypeBucketLifecycle, "app", "rules[0].abortIncompleteMultipartUpload", nil)},
	"s3-no-public-principal": {
		set(TypeBucketPolicy, "app", "policy", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}`),
		set(TypeBucketPolicy, "app", "policy", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":["*"]},"Action":"s3:*","Resource":"*"}]}`),
	},

	"kms-rotation":            {set(TypeKMSKey, "stack", "enableKeyRotation", false)},
	"kms-no-public-principal": {set(TypeKMSKey, "stack", "policy", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:Decrypt","Resource":"*"}]}`)},
	"kms-enabled":             {set(TypeKMSKey, "stack", "isEnabled", false)},
	"kms-policy-defined":      {set(TypeKMSKey, "stack", "policy", nil)},
	"logs-retention-set":      {set(TypeLogGroup, "flow", "retentionInDays", nil), set(TypeLogGroup, "flow", "retentionInDays", 0.0)},
	"logs-retention-year":     {set(TypeLogGroup, "flow", "retentionInDays", 30.0)},
	"logs-cmk":                {set(TypeLogGroup, "flow", "kmsKeyId", nil)},
	"secrets-cmk":             {set(TypeSecret, "flip-api", "kmsKeyId", "")},
	"ssm-parameter-encrypted": {set(TypeSSMParameter, "token", "type", "String")},

	"vpc-flow-logs":         {drop(TypeFlowLog, "vpc"), set(TypeFlowLog, "vpc", "trafficType", "ACCEPT")},
	"vpc-default-sg-closed": {drop(TypeDefaultSG, "default"), set(TypeDefaultSG, "default", "ingress", []any{map[string]any{"protocol": "-1", "self": true}})},
	"vpc-ssm-endpoint":      {drop(TypeVPCEndpoint, "ssm"), set(TypeVPCEndpoint, "ssm", "vpcEndpointType", "Gateway")},
	"subnet-no-public-ip":   {set(TypeSubnet, "private-a", "mapPublicIpOnLaunch", true)},
	"sg-described":          {set(TypeSecurityGroup, "host", "description", "Managed by Pulumi"), set(TypeSGIngress, "host-in-api", "description", nil)},
	"sg-no-admin-ports-from-internet": {
		both(set(TypeSGIngress, "nlb-in-fl", "cidrIpv4", "0.0.0.0/0"), set(TypeSGIngress, "nlb-in-fl", "fromPort", 0.0), set(TypeSGIngress, "nlb-in-fl", "toPort", 65535.0)),
		add(view(TypeSGRule, "ssh", map[string]any{"type": "ingress", "protocol": "tcp", "fromPort": 22.0, "toPort": 22.0, "cidrBlocks": []any{"0.0.0.0/0"}, "description": "ssh"})),
		set(TypeSecurityGroup, "host", "ingress", []any{map[string]any{"protocol": "-1", "fromPort": 0.0, "toPort": 0.0, "ipv6CidrBlocks": []any{"::/0"}}}),
	},
	"sg-no-ingress-from-internet": {set(TypeSGIngress, "nlb-in-fl", "cidrIpv4", "0.0.0.0/0")},
	"prefix-list-no-internet":     {set(TypePrefixList, "fl-trust-networks", "entries[0].cidr", "0.0.0.0/0")},
	"sg-no-egress-to-internet":    {set(TypeSGEgress, "host-out-db", "cidrIpv4", "0.0.0.0/0")},
	"sg-no-rule-management-conflicts": {set(TypeSecurityGroup, "host", "ingress", []any{map[string]any{
		"protocol": "tcp", "fromPort": 443.0, "toPort": 443.0, "cidrBlocks": []any{"10.0.0.0/8"}}})},

	"iam-no-admin": {set(TypeIAMRolePolicy, "host", "policy", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)},
	"iam-no-wildcard-actions": {
		set(TypeIAMRolePolicy, "host", "policy", `{"Statement":[{"Effect":"Allow","Action":["s3:*"],"Resource":"arn:aws:s3:::b/*"}]}`),
	},
	"iam-no-wildcard-resource": {set(TypeIAMRolePolicy, "host", "policy", `{"Statement":[{"Effect":"Allow","Action":["s3:PutObject"],"Resource":"*"}]}`)},
	"iam-pass-role-scoped":     {set(TypeIAMRolePolicy, "host", "policy", `{"Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"}]}`)},
	"iam-no-privilege-escalation": {
		set(TypeIAMRolePolicy, "host", "policy", `{"Statement":[{"Effect":"Allow","Action":"iam:Put*","Resource":["*"]}]}`),
	},
	"iam-no-credentials-exposure": {set(TypeIAMRolePolicy, "host", "policy", `{"Statement":[{"Effect":"Allow","Action":"iam:CreateAccessKey","Resource":"*"}]}`)},
	"iam-no-data-exfiltration":    {set(TypeIAMRolePolicy, "host", "policy", `{"Statement":[{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"*"}]}`)},
	"iam-no-permissions-management": {
		set(TypeIAMRolePolicy, "host", "policy", `{"Statement":[{"Effect":"Allow","Action":"kms:PutKeyPolicy","Resource":"*"}]}`),
	},
	"iam-no-admin-managed-policy": {set(TypeIAMAttachment, "host-ssm", "policyArn", "arn:aws:iam::aws:policy/AdministratorAccess")},
	"iam-assume-role-restricted": {
		set(TypeIAMRole, "host", "assumeRolePolicy", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}`),
		set(TypeIAMRole, "host", "assumeRolePolicy", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}`),
	},
	"iam-role-no-policy-management-conflicts": {
		set(TypeIAMRole, "host", "managedPolicyArns", []any{"arn:aws:iam::aws:policy/ReadOnlyAccess"}),
		set(TypeIAMRole, "host", "inlinePolicies", []any{map[string]any{"name": "x", "policy": "{}"}}),
	},

	"ec2-imdsv2":                  {set(TypeEC2Instance, "hub-host", "metadataOptions.httpTokens", "optional"), set(TypeEC2Instance, "hub-host", "metadataOptions", nil)},
	"ec2-no-public-ip":            {set(TypeEC2Instance, "hub-host", "associatePublicIpAddress", true)},
	"ec2-root-encrypted":          {set(TypeEC2Instance, "hub-host", "rootBlockDevice.encrypted", false)},
	"ec2-detailed-monitoring":     {set(TypeEC2Instance, "hub-host", "monitoring", false)},
	"ec2-ebs-optimized":           {set(TypeEC2Instance, "hub-host", "ebsOptimized", nil)},
	"ec2-instance-profile":        {set(TypeEC2Instance, "hub-host", "iamInstanceProfile", nil)},
	"ec2-no-secrets-in-user-data": {set(TypeEC2Instance, "hub-host", "userData", "export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n")},

	"lb-drop-invalid-headers": {set(TypeLB, "api", "dropInvalidHeaderFields", false)},
	"lb-desync-mitigation":    {set(TypeLB, "api", "desyncMitigationMode", "monitor")},
	"lb-access-logs":          {set(TypeLB, "api", "accessLogs.enabled", false), set(TypeLB, "fl", "accessLogs", nil)},
	"lb-deletion-protection":  {set(TypeLB, "fl", "enableDeletionProtection", false)},
	"lb-alb-internal":         {set(TypeLB, "api", "internal", false), both(set(TypeLB, "api", "loadBalancerType", nil), set(TypeLB, "api", "internal", nil))},
	"lb-multi-az":             {set(TypeLB, "api", "subnets", []any{"subnet-a"})},
	"lb-nlb-cross-zone":       {set(TypeLB, "fl", "enableCrossZoneLoadBalancing", nil)},
	"lb-listener-https":       {set(TypeListener, "api-http", "defaultActions", []any{map[string]any{"type": "forward", "targetGroupArn": "tg"}})},
	"lb-listener-tls-policy":  {set(TypeListener, "api-https", "sslPolicy", "ELBSecurityPolicy-2016-08")},

	"cf-tls12":               {set(TypeDistribution, "cdn", "viewerCertificate.minimumProtocolVersion", "TLSv1_2016")},
	"cf-https-only":          {set(TypeDistribution, "cdn", "orderedCacheBehaviors[0].viewerProtocolPolicy", "allow-all")},
	"cf-waf":                 {set(TypeDistribution, "cdn", "webAclId", nil)},
	"cf-logging":             {set(TypeDistribution, "cdn", "loggingConfig", nil)},
	"cf-default-root-object": {set(TypeDistribution, "cdn", "defaultRootObject", "")},
	"cf-origin-access-control": {
		set(TypeDistribution, "cdn", "origins[0].originAccessControlId", nil),
	},
	"cf-custom-certificate": {
		set(TypeDistribution, "cdn", "viewerCertificate", map[string]any{"cloudfrontDefaultCertificate": true, "minimumProtocolVersion": "TLSv1.2_2021", "sslSupportMethod": "sni-only"}),
	},
	"cf-sni-only": {set(TypeDistribution, "cdn", "viewerCertificate.sslSupportMethod", "vip")},
	"cf-origin-https": {
		set(TypeVPCOrigin, "api", "vpcOriginEndpointConfig.originProtocolPolicy", "http-only"),
		set(TypeVPCOrigin, "api", "vpcOriginEndpointConfig.originSslProtocols", map[string]any{"items": []any{"TLSv1", "TLSv1.2"}}),
		set(TypeDistribution, "cdn", "origins[2].customOriginConfig.originProtocolPolicy", "match-viewer"),
	},
	"cf-response-headers": {set(TypeDistribution, "cdn", "orderedCacheBehaviors[0].responseHeadersPolicyId", nil)},
	"cf-hsts": {
		set(TypeResponseHeaders, "security", "securityHeadersConfig.strictTransportSecurity.accessControlMaxAgeSec", 86400.0),
		set(TypeResponseHeaders, "security", "securityHeadersConfig.strictTransportSecurity.includeSubdomains", false),
	},
	"waf-logging":      {drop(TypeWebACLLogging, "waf")},
	"waf-has-rules":    {set(TypeWebACL, "waf", "rules", []any{})},
	"waf-rule-actions": {set(TypeWebACL, "waf", "rules[1].action", nil)},
	"waf-log4j": {
		set(TypeWebACL, "waf", "rules[0].overrideAction", map[string]any{"count": map[string]any{}}),
		set(TypeWebACL, "waf", "rules[0].statement.managedRuleGroupStatement.ruleActionOverrides", []any{map[string]any{
			"name": "Log4JRCE_BODY", "actionToUse": map[string]any{"count": map[string]any{}}}}),
		set(TypeWebACL, "waf", "rules[0].statement.managedRuleGroupStatement.name", "AWSManagedRulesCommonRuleSet"),
	},
	"waf-metrics": {set(TypeWebACL, "waf", "visibilityConfig.cloudwatchMetricsEnabled", false), set(TypeWebACL, "waf", "rules[1].visibilityConfig", nil)},

	"cognito-mfa-required":      {set(TypeCognitoPool, "users", "mfaConfiguration", "OPTIONAL"), set(TypeCognitoPool, "users", "softwareTokenMfaConfiguration", nil)},
	"cognito-threat-protection": {set(TypeCognitoPool, "users", "userPoolAddOns.advancedSecurityMode", "AUDIT"), set(TypeCognitoPool, "users", "userPoolAddOns", nil)},
	"cognito-deletion-protection": {
		set(TypeCognitoPool, "users", "deletionProtection", "INACTIVE"), set(TypeCognitoPool, "users", "deletionProtection", nil),
	},
	"cognito-password-policy": {
		set(TypeCognitoPool, "users", "passwordPolicy.minimumLength", 8.0),
		set(TypeCognitoPool, "users", "passwordPolicy.requireSymbols", false),
		set(TypeCognitoPool, "users", "passwordPolicy.temporaryPasswordValidityDays", 30.0),
	},
	"ses-tls-required":         {set(TypeSESConfigSet, "mail", "deliveryOptions.tlsPolicy", "OPTIONAL")},
	"acm-key-algorithm":        {set(TypeACMCertificate, "site", "keyAlgorithm", "RSA_1024")},
	"acm-no-wildcard":          {set(TypeACMCertificate, "site", "subjectAlternativeNames", []any{"*.flip.aicentre.co.uk"})},
	"acm-transparency-logging": {set(TypeACMCertificate, "site", "options.certificateTransparencyLoggingPreference", "DISABLED")},
}

// TestRuleSetShape checks the rule set itself: enough rules, unique IDs usable as
// policy names, sources cited, types and a check on each.
func TestRuleSetShape(t *testing.T) {
	t.Parallel()
	rules := Rules()
	if len(rules) < 50 {
		t.Errorf("%d rules; want at least 50", len(rules))
	}
	seen := map[string]bool{}
	for _, r := range rules {
		if seen[r.ID] {
			t.Errorf("rule %s defined twice", r.ID)
		}
		seen[r.ID] = true
		if !policyNameRE.MatchString(r.ID) || r.ID == "all" {
			t.Errorf("rule ID %q is not a valid policy name", r.ID)
		}
		if len(r.Sources) == 0 || r.Title == "" || len(r.Types) == 0 || r.Check == nil {
			t.Errorf("rule %s lacks sources, title, types or check", r.ID)
		}
		for _, s := range r.Sources {
			if !sourceRE.MatchString(s) {
				t.Errorf("rule %s cites %q, not a Checkov, Trivy, Security Hub or AWSGuard ID", r.ID, s)
			}
		}
	}
}

// TestKnownGoodWorldPasses runs every rule over the known-good world, in both
// environments: each must pass, and each must find something to judge there.
func TestKnownGoodWorldPasses(t *testing.T) {
	t.Parallel()
	for _, env := range []string{Prod, Stag} {
		rep := EvaluateRules(Rules(), nil, goodWorld(t), env)
		for _, rr := range rep.Rules {
			if rr.Verdict != Pass {
				t.Errorf("%s: %s is %s on the known-good world: %+v", env, rr.ID, rr.Verdict, rr.Findings)
			}
		}
	}
}

// TestEveryRuleCanFail applies each rule's mutations to the known-good world: the rule
// must fail in prod, be relaxed in stag exactly when it declares a stag relaxation, and
// no other rule may be needed to notice.
func TestEveryRuleCanFail(t *testing.T) {
	t.Parallel()
	for _, r := range Rules() {
		muts := badFixtures[r.ID]
		if len(muts) == 0 {
			t.Errorf("rule %s has no mutated-bad fixture", r.ID)
			continue
		}
		for i, m := range muts {
			t.Run(r.ID+"/"+string(rune('a'+i)), func(t *testing.T) {
				t.Parallel()
				bad := m(t, goodWorld(t))
				prod := EvaluateRules([]Rule{r}, nil, bad, Prod)
				if got := prod.Rules[0].Verdict; got != Fail {
					t.Fatalf("prod verdict %s on the mutated world; want fail", got)
				}
				for _, f := range prod.Rules[0].Findings {
					if f.Verdict == Fail && len(f.Problems) == 0 {
						t.Errorf("%s fails without saying why", f.Name)
					}
				}
				want := Fail
				if r.StagRelaxed != "" {
					want = Relaxed
				}
				if got := EvaluateRules([]Rule{r}, nil, bad, Stag).Rules[0].Verdict; got != want {
					t.Errorf("stag verdict %s; want %s", got, want)
				}
			})
		}
	}
	for id := range badFixtures {
		if !slices.ContainsFunc(Rules(), func(r Rule) bool { return r.ID == id }) {
			t.Errorf("fixture for unknown rule %s", id)
		}
	}
}
