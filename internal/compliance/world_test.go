package compliance

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

// The known-good world: one small stack that every rule passes, with every type the
// rules judge. Each rule's fixture mutates one thing of it (rules_test.go).

func urn(typ, name string) string { return "urn:pulumi:test::flip-hub::" + typ + "::" + name }

func view(typ, name string, inputs map[string]any, deps ...string) View {
	return View{Type: typ, Name: name, URN: urn(typ, name), Inputs: inputs, Dependencies: deps}
}

func policyJSON(tb testing.TB, statements ...map[string]any) string {
	tb.Helper()
	b, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": statements})
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func goodWorld(tb testing.TB) []View {
	tb.Helper()
	bucket, vpc, waf := urn(TypeBucket, "app"), urn(TypeVPC, "vpc"), urn(TypeWebACL, "waf")
	sg, role, pg := urn(TypeSecurityGroup, "host"), urn(TypeIAMRole, "host"), urn(TypeRDSParameterGroup, "db")
	const bucketName = "flip-prod-app-123456789012"
	keyARN := "arn:aws:kms:eu-west-2:123456789012:key/k"
	denyInsecure := map[string]any{
		"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": map[string]any{"AWS": "*"}, "Action": []any{"s3:*"},
		"Resource":  []any{"arn:aws:s3:::" + bucketName, "arn:aws:s3:::" + bucketName + "/*"},
		"Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
	}
	return []View{
		view(TypeRDSParameterGroup, "db", map[string]any{"name": "flip-prod-postgres17", "family": "postgres17", "parameters": []any{
			map[string]any{"name": "rds.force_ssl", "value": "1"},
			map[string]any{"name": "log_min_duration_statement", "value": "1000"},
		}}),
		view(TypeRDSInstance, "db", map[string]any{
			"engine": "postgres", "storageEncrypted": true, "kmsKeyId": keyARN, "publiclyAccessible": false,
			"deletionProtection": true, "iamDatabaseAuthenticationEnabled": true,
			"enabledCloudwatchLogsExports": []any{"postgresql", "upgrade"}, "autoMinorVersionUpgrade": true,
			"copyTagsToSnapshot": true, "multiAz": true, "backupRetentionPeriod": 30.0, "monitoringInterval": 60.0,
			"monitoringRoleArn": "arn:aws:iam::123456789012:role/mon", "performanceInsightsEnabled": true,
			"performanceInsightsKmsKeyId": keyARN, "caCertIdentifier": "rds-ca-rsa2048-g1", "parameterGroupName": "flip-prod-postgres17",
		}, pg),
		view(TypeBucket, "app", map[string]any{"bucket": bucketName}),
		view(TypeBucketPAB, "app", map[string]any{"bucket": bucketName, "blockPublicAcls": true, "blockPublicPolicy": true, "ignorePublicAcls": true, "restrictPublicBuckets": true}, bucket),
		view(TypeBucketSSE, "app", map[string]any{"bucket": bucketName, "rules": []any{map[string]any{
			"applyServerSideEncryptionByDefault": map[string]any{"sseAlgorithm": "aws:kms", "kmsMasterKeyId": keyARN}}}}, bucket),
		view(TypeBucketVersioning, "app", map[string]any{"bucket": bucketName, "versioningConfiguration": map[string]any{"status": "Enabled"}}, bucket),
		view(TypeBucketLogging, "app", map[string]any{"bucket": bucketName, "targetBucket": "flip-prod-logs", "targetPrefix": "s3-access/app/"}, bucket),
		view(TypeBucketPolicy, "app", map[string]any{"bucket": bucketName, "policy": policyJSON(tb, denyInsecure, map[string]any{
			"Sid": "CloudFrontReads", "Effect": "Allow", "Principal": map[string]any{"Service": "cloudfront.amazonaws.com"},
			"Action": "s3:GetObject", "Resource": "arn:aws:s3:::" + bucketName + "/*",
			"Condition": map[string]any{"StringEquals": map[string]any{"AWS:SourceArn": "arn:aws:cloudfront::123456789012:distribution/d"}},
		})}, bucket),
		view(TypeBucketLifecycle, "app", map[string]any{"bucket": bucketName, "rules": []any{map[string]any{
			"id": "abort", "status": "Enabled", "abortIncompleteMultipartUpload": map[string]any{"daysAfterInitiation": 7.0}}}}, bucket),
		view(TypeBucketOwnership, "app", map[string]any{"bucket": bucketName, "rule": map[string]any{"objectOwnership": "BucketOwnerEnforced"}}, bucket),
		view(TypeKMSKey, "stack", map[string]any{"enableKeyRotation": true, "isEnabled": true, "customerMasterKeySpec": "SYMMETRIC_DEFAULT",
			"policy": policyJSON(tb,
				map[string]any{"Sid": "Account", "Effect": "Allow", "Principal": map[string]any{"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*", "Resource": "*"},
				map[string]any{"Sid": "ViaServices", "Effect": "Allow", "Principal": map[string]any{"AWS": "*"}, "Action": []any{"kms:Decrypt"}, "Resource": "*",
					"Condition": map[string]any{"StringEquals": map[string]any{"kms:CallerAccount": "123456789012"}}})}),
		view(TypeLogGroup, "flow", map[string]any{"retentionInDays": 365.0, "kmsKeyId": keyARN}),
		view(TypeSecret, "flip-api", map[string]any{"kmsKeyId": keyARN}),
		view(TypeSSMParameter, "token", map[string]any{"type": "SecureString"}),
		view(TypeSESConfigSet, "mail", map[string]any{"deliveryOptions": map[string]any{"tlsPolicy": "REQUIRE"}}),
		view(TypeCognitoPool, "users", map[string]any{
			"mfaConfiguration": "ON", "softwareTokenMfaConfiguration": map[string]any{"enabled": true}, "deletionProtection": "ACTIVE",
			"userPoolAddOns": map[string]any{"advancedSecurityMode": "ENFORCED", "advancedSecurityAdditionalFlows": map[string]any{"customAuthMode": "ENFORCED"}},
			"passwordPolicy": map[string]any{"minimumLength": 12.0, "requireLowercase": true, "requireUppercase": true, "requireNumbers": true,
				"requireSymbols": true, "temporaryPasswordValidityDays": 7.0},
		}),
		view(TypeACMCertificate, "site", map[string]any{"domainName": "app.flip.aicentre.co.uk", "keyAlgorithm": "RSA_2048",
			"options": map[string]any{"certificateTransparencyLoggingPreference": "ENABLED"}}),
		view(TypeVPC, "vpc", map[string]any{"cidrBlock": "10.30.0.0/16"}),
		view(TypeSubnet, "private-a", map[string]any{"mapPublicIpOnLaunch": false}, vpc),
		view(TypeFlowLog, "vpc", map[string]any{"trafficType": "ALL"}, vpc),
		view(TypeDefaultSG, "default", map[string]any{}, vpc),
		view(TypeVPCEndpoint, "ssm", map[string]any{"serviceName": "com.amazonaws.eu-west-2.ssm", "vpcEndpointType": "Interface"}, vpc),
		view(TypeSecurityGroup, "host", map[string]any{"description": "Hub host: flip-api from the ALB"}, vpc),
		view(TypeSGIngress, "host-in-api", map[string]any{"description": "flip-api from the ALB", "ipProtocol": "tcp", "fromPort": 8000.0,
			"toPort": 8000.0, "referencedSecurityGroupId": "sg-alb"}, sg),
		view(TypeSGIngress, "nlb-in-fl", map[string]any{"description": "FL from a trust", "ipProtocol": "tcp", "fromPort": 8002.0,
			"toPort": 8002.0, "cidrIpv4": "203.0.113.16/28"}, sg),
		view(TypePrefixList, "fl-trust-networks", map[string]any{"addressFamily": "IPv4", "maxEntries": 1.0,
			"entries": []any{map[string]any{"cidr": "198.51.100.0/28", "description": "FL from trust gstt"}}}, vpc),
		view(TypeSGEgress, "host-out-db", map[string]any{"description": "PostgreSQL", "ipProtocol": "tcp", "fromPort": 5432.0,
			"toPort": 5432.0, "cidrIpv4": "10.30.0.0/16"}, sg),
		view(TypeIAMRole, "host", map[string]any{"name": "flip-prod-hub-host", "assumeRolePolicy": policyJSON(tb,
			map[string]any{"Effect": "Allow", "Principal": map[string]any{"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"})}),
		view(TypeIAMRolePolicy, "host", map[string]any{"role": "flip-prod-hub-host", "policy": policyJSON(tb,
			map[string]any{"Sid": "ReadSecret", "Effect": "Allow", "Action": []any{"secretsmanager:GetSecretValue"},
				"Resource": []any{"arn:aws:secretsmanager:eu-west-2:123456789012:secret:flip-api"}},
			map[string]any{"Sid": "Metrics", "Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*"})}, role),
		view(TypeIAMAttachment, "host-ssm", map[string]any{"role": "flip-prod-hub-host", "policyArn": "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"}, role),
		view(TypeEC2Instance, "hub-host", map[string]any{"metadataOptions": map[string]any{"httpTokens": "required"}, "associatePublicIpAddress": false,
			"rootBlockDevice": map[string]any{"encrypted": true}, "monitoring": true, "ebsOptimized": true,
			"iamInstanceProfile": "flip-prod-hub-host", "userData": "#!/bin/bash\necho hello\n"}),
		view(TypeLB, "api", map[string]any{"loadBalancerType": "application", "internal": true, "dropInvalidHeaderFields": true,
			"desyncMitigationMode": "strictest", "enableDeletionProtection": true, "subnets": []any{"subnet-a", "subnet-b"},
			"accessLogs": map[string]any{"enabled": true, "bucket": "flip-prod-logs"}}),
		view(TypeLB, "fl", map[string]any{"loadBalancerType": "network", "internal": false, "enableDeletionProtection": true,
			"enableCrossZoneLoadBalancing": true, "subnets": []any{"subnet-a", "subnet-b"},
			"accessLogs": map[string]any{"enabled": true, "bucket": "flip-prod-logs"}}),
		view(TypeListener, "api-http", map[string]any{"protocol": "HTTP", "port": 80.0, "defaultActions": []any{map[string]any{
			"type": "redirect", "redirect": map[string]any{"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}}}}),
		view(TypeListener, "api-https", map[string]any{"protocol": "HTTPS", "port": 443.0, "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"}),
		view(TypeListener, "fl-tcp", map[string]any{"protocol": "TCP", "port": 8002.0}),
		view(TypeDistribution, "cdn", map[string]any{
			"webAclId": "arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/1", "defaultRootObject": "index.html",
			"loggingConfig":         map[string]any{"bucket": "flip-prod-logs.s3.amazonaws.com"},
			"viewerCertificate":     map[string]any{"acmCertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/c", "minimumProtocolVersion": "TLSv1.2_2021", "sslSupportMethod": "sni-only"},
			"defaultCacheBehavior":  map[string]any{"viewerProtocolPolicy": "redirect-to-https", "responseHeadersPolicyId": "rhp"},
			"orderedCacheBehaviors": []any{map[string]any{"pathPattern": "/api/*", "viewerProtocolPolicy": "https-only", "responseHeadersPolicyId": "rhp"}},
			"origins": []any{
				map[string]any{"originId": "ui", "domainName": bucketName + ".s3.eu-west-2.amazonaws.com", "originAccessControlId": "oac"},
				map[string]any{"originId": "api", "domainName": "alb.internal", "vpcOriginConfig": map[string]any{"vpcOriginId": "vo"}},
				map[string]any{"originId": "legacy", "domainName": "api.example.org", "customOriginConfig": map[string]any{
					"originProtocolPolicy": "https-only", "originSslProtocols": []any{"TLSv1.2"}}},
			},
		}),
		view(TypeVPCOrigin, "api", map[string]any{"vpcOriginEndpointConfig": map[string]any{"originProtocolPolicy": "https-only",
			"originSslProtocols": map[string]any{"items": []any{"TLSv1.2"}, "quantity": 1.0}}}),
		view(TypeResponseHeaders, "security", map[string]any{"securityHeadersConfig": map[string]any{"strictTransportSecurity": map[string]any{
			"accessControlMaxAgeSec": 31536000.0, "includeSubdomains": true, "override": true}}}),
		view(TypeWebACL, "waf", map[string]any{
			"visibilityConfig": map[string]any{"cloudwatchMetricsEnabled": true},
			"rules": []any{
				map[string]any{"name": "bad-inputs", "overrideAction": map[string]any{"none": map[string]any{}},
					"statement":        map[string]any{"managedRuleGroupStatement": map[string]any{"name": knownBadInputs, "vendorName": "AWS"}},
					"visibilityConfig": map[string]any{"cloudwatchMetricsEnabled": true}},
				map[string]any{"name": "rate", "action": map[string]any{"block": map[string]any{}},
					"statement":        map[string]any{"rateBasedStatement": map[string]any{"limit": 2000.0}},
					"visibilityConfig": map[string]any{"cloudwatchMetricsEnabled": true}},
			},
		}),
		view(TypeWebACLLogging, "waf", map[string]any{"logDestinationConfigs": []any{"arn:aws:logs:us-east-1:123456789012:log-group:aws-waf-logs"}}, waf),
	}
}

// find returns the index of a resource of the world.
func find(tb testing.TB, w []View, typ, name string) int {
	tb.Helper()
	for i, v := range w {
		if v.Type == typ && v.Name == name {
			return i
		}
	}
	tb.Fatalf("no %s %s in the world", typ, name)
	return -1
}

// set writes value at a dotted path ("a.b", "list[1].c") of one resource's inputs;
// a nil value deletes the key.
func set(typ, name, path string, value any) func(testing.TB, []View) []View {
	return func(tb testing.TB, w []View) []View {
		tb.Helper()
		var cur any = w[find(tb, w, typ, name)].Inputs
		parts := strings.Split(path, ".")
		for i, p := range parts {
			key, index := p, -1
			if j := strings.IndexByte(p, '['); j >= 0 {
				n, err := strconv.Atoi(p[j+1 : len(p)-1])
				if err != nil {
					tb.Fatal(err)
				}
				key, index = p[:j], n
			}
			m, ok := cur.(map[string]any)
			if !ok {
				tb.Fatalf("%s: %s is not an object", path, key)
			}
			last := i == len(parts)-1
			if last && index < 0 {
				if value == nil {
					delete(m, key)
				} else {
					m[key] = value
				}
				return w
			}
			if index >= 0 {
				l, _ := m[key].([]any)
				if index >= len(l) {
					tb.Fatalf("%s: %s has no element %d", path, key, index)
				}
				if last {
					l[index] = value
					return w
				}
				cur = l[index]
				continue
			}
			if _, ok := m[key]; !ok {
				m[key] = map[string]any{}
			}
			cur = m[key]
		}
		return w
	}
}

// drop removes one resource of the world.
func drop(typ, name string) func(testing.TB, []View) []View {
	return func(tb testing.TB, w []View) []View {
		tb.Helper()
		i := find(tb, w, typ, name)
		return append(w[:i:i], w[i+1:]...)
	}
}

// add appends resources to the world.
func add(vs ...View) func(testing.TB, []View) []View {
	return func(_ testing.TB, w []View) []View { return append(w, vs...) }
}

// both applies mutations in turn.
func both(ms ...func(testing.TB, []View) []View) func(testing.TB, []View) []View {
	return func(tb testing.TB, w []View) []View {
		for _, m := range ms {
			w = m(tb, w)
		}
		return w
	}
}
