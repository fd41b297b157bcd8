package compliance

import (
	"fmt"
	"slices"
	"strings"
)

// Action lists after Checkov's cloudsplaining-based checks, trimmed to what an
// application role could plausibly be given. An Allow of any of them on Resource "*"
// fails the matching rule.
var (
	escalationActions = []string{
		"iam:AttachGroupPolicy", "iam:AttachRolePolicy", "iam:AttachUserPolicy", "iam:CreateAccessKey",
		"iam:CreateLoginProfile", "iam:CreatePolicyVersion", "iam:PassRole", "iam:PutGroupPolicy",
		"iam:PutRolePolicy", "iam:PutUserPolicy", "iam:SetDefaultPolicyVersion", "iam:UpdateAssumeRolePolicy",
		"iam:UpdateLoginProfile", "iam:AddUserToGroup", "sts:AssumeRole", "lambda:UpdateFunctionCode",
		"ec2:RunInstances", "cloudformation:CreateStack", "glue:UpdateDevEndpoint", "ssm:SendCommand",
	}
	credentialActions = []string{
		"iam:CreateAccessKey", "iam:UpdateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile",
		"iam:CreateServiceSpecificCredential", "iam:ResetServiceSpecificCredential", "iam:UploadSSHPublicKey",
		"sts:GetFederationToken", "sts:GetSessionToken", "redshift:GetClusterCredentials",
		"ecr:GetAuthorizationToken", "rds-db:connect", "cognito-idp:AdminInitiateAuth",
	}
	exfiltrationActions = []string{
		"s3:GetObject", "ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath",
		"secretsmanager:GetSecretValue", "kms:Decrypt", "rds:CopyDBSnapshot", "rds:CreateDBSnapshot",
		"ec2:CreateSnapshot", "dynamodb:Scan", "logs:GetLogEvents",
	}
	permissionActions = []string{
		"iam:AttachRolePolicy", "iam:CreatePolicy", "iam:CreatePolicyVersion", "iam:DeleteRolePolicy",
		"iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy", "s3:PutBucketPolicy", "s3:PutBucketAcl",
		"s3:DeleteBucketPolicy", "kms:PutKeyPolicy", "kms:CreateGrant", "secretsmanager:PutResourcePolicy",
		"ecr:SetRepositoryPolicy", "lambda:AddPermission", "sns:SetTopicAttributes", "sqs:SetQueueAttributes",
	}
	// unrestrictableActions may only name Resource "*" (AWS offers no resource ARN).
	unrestrictableActions = []string{
		"cloudwatch:PutMetricData", "ec2:Describe*", "ec2messages:*", "ssmmessages:*", "ssm:UpdateInstanceInformation",
		"logs:DescribeLogGroups", "sts:GetCallerIdentity", "kms:ListAliases", "kms:ListKeys",
		"ses:GetSendQuota", "ses:GetAccount", "s3:ListAllMyBuckets", "xray:PutTraceSegments", "xray:PutTelemetryRecords",
	}
	// adminManagedPolicies must never be attached to a stack role.
	adminManagedPolicies = []string{"AdministratorAccess", "IAMFullAccess", "PowerUserAccess"}
)

// identityStatements returns the statements of an identity policy, or a problem.
func identityStatements(v View) ([]Statement, []string) {
	if v.Unknown("policy") {
		return nil, nil
	}
	sts, err := PolicyStatements(v.Inputs["policy"])
	if err != nil {
		return nil, []string{err.Error()}
	}
	return sts, nil
}

// actionsOnAnyResource flags Allow statements on Resource "*" that grant one of actions.
func actionsOnAnyResource(actions []string, what string) func(View, *Context) []string {
	return func(v View, _ *Context) []string {
		sts, p := identityStatements(v)
		for i, s := range sts {
			if !s.Allows() || !s.AllResources() {
				continue
			}
			var hits []string
			for _, a := range actions {
				if s.Grants(a) {
					hits = append(hits, a)
				}
			}
			if len(hits) > 0 {
				p = append(p, fmt.Sprintf("statement %d (%s) allows %s on every resource: %s", i, s.Sid, what, strings.Join(hits, ", ")))
			}
		}
		return p
	}
}

func iamRules() []Rule {
	policies := identityPolicyTypes
	return []Rule{
		{
			ID: "iam-no-admin", Types: policies,
			Sources: []string{"CKV_AWS_62", "CKV_AWS_1", "IAM.1"},
			Title:   `no policy allows "*" on "*"`,
			Check: func(v View, _ *Context) []string {
				sts, p := identityStatements(v)
				for i, s := range sts {
					if s.Allows() && s.AllResources() && slices.Contains(s.Actions, "*") {
						p = append(p, fmt.Sprintf("statement %d (%s) allows every action on every resource", i, s.Sid))
					}
				}
				return p
			},
		},
		{
			ID: "iam-no-wildcard-actions", Types: policies,
			Sources: []string{"CKV_AWS_63", "IAM.21", "AVD-AWS-0057"},
			Title:   `no policy allows "*" or a whole service ("s3:*")`,
			Check: func(v View, _ *Context) []string {
				sts, p := identityStatements(v)
				for i, s := range sts {
					if w := s.WildcardActions(); s.Allows() && len(w) > 0 {
						p = append(p, fmt.Sprintf("statement %d (%s) allows %v", i, s.Sid, w))
					}
				}
				return p
			},
		},
		{
			ID: "iam-no-wildcard-resource", Types: policies,
			Sources: []string{"CKV_AWS_355", "AVD-AWS-0057"},
			Title:   `no policy allows a restrictable action on Resource "*"`,
			Check: func(v View, _ *Context) []string {
				sts, p := identityStatements(v)
				for i, s := range sts {
					if !s.Allows() || !s.AllResources() {
						continue
					}
					var restrictable []string
					for _, a := range s.Actions {
						if !slices.ContainsFunc(unrestrictableActions, func(u string) bool { return wildcardMatch(strings.ToLower(u), strings.ToLower(a)) }) {
							restrictable = append(restrictable, a)
						}
					}
					if len(restrictable) > 0 {
						p = append(p, fmt.Sprintf("statement %d (%s) allows %v on every resource", i, s.Sid, restrictable))
					}
				}
				return p
			},
		},
		{
			ID: "iam-pass-role-scoped", Types: policies,
			Sources: []string{"AVD-AWS-0342"},
			Title:   "iam:PassRole names the roles it may pass",
			Check:   actionsOnAnyResource([]string{"iam:PassRole"}, "passing any role"),
		},
		{
			ID: "iam-no-privilege-escalation", Types: policies,
			Sources: []string{"CKV_AWS_286", "CKV_AWS_110"},
			Title:   "no policy allows privilege escalation on every resource",
			Check:   actionsOnAnyResource(escalationActions, "privilege escalation"),
		},
		{
			ID: "iam-no-credentials-exposure", Types: policies,
			Sources: []string{"CKV_AWS_287", "CKV_AWS_107"},
			Title:   "no policy allows minting credentials on every resource",
			Check:   actionsOnAnyResource(credentialActions, "credential exposure"),
		},
		{
			ID: "iam-no-data-exfiltration", Types: policies,
			Sources: []string{"CKV_AWS_288", "CKV_AWS_108"},
			Title:   "no policy allows reading data on every resource",
			Check:   actionsOnAnyResource(exfiltrationActions, "data exfiltration"),
		},
		{
			ID: "iam-no-permissions-management", Types: policies,
			Sources: []string{"CKV_AWS_289", "CKV_AWS_109"},
			Title:   "no policy allows managing permissions on every resource",
			Check:   actionsOnAnyResource(permissionActions, "permissions management"),
		},
		{
			ID: "iam-no-admin-managed-policy", Types: []string{TypeIAMAttachment},
			Sources: []string{"CKV_AWS_274", "CKV2_AWS_56"},
			Title:   "no role has AdministratorAccess, IAMFullAccess or PowerUserAccess attached",
			Check: func(v View, _ *Context) []string {
				arn := v.String("policyArn")
				for _, a := range adminManagedPolicies {
					if strings.HasSuffix(arn, ":policy/"+a) {
						return []string{"attaches " + arn}
					}
				}
				return nil
			},
		},
		{
			ID: "iam-assume-role-restricted", Types: []string{TypeIAMRole},
			Sources: []string{"CKV_AWS_60", "CKV_AWS_61"},
			Title:   "roles may be assumed only by named services or principals",
			Check: func(v View, _ *Context) []string {
				if v.Unknown("assumeRolePolicy") {
					return nil
				}
				sts, err := PolicyStatements(v.Inputs["assumeRolePolicy"])
				if err != nil {
					return []string{err.Error()}
				}
				var p []string
				for i, s := range sts {
					if !s.Allows() {
						continue
					}
					if s.AnyPrincipal() {
						p = append(p, fmt.Sprintf("statement %d lets every principal assume the role", i))
					}
					for _, a := range s.Principals["AWS"] {
						if strings.HasSuffix(a, ":root") && !s.HasCondition {
							p = append(p, fmt.Sprintf("statement %d lets every principal of account %s assume the role without a condition", i, a))
						}
					}
				}
				return p
			},
		},
		{
			ID: "iam-role-no-policy-management-conflicts", Types: []string{TypeIAMRole}, Stack: true,
			Sources: []string{"awsguard:iam-role-no-policy-management-conflicts"},
			Title:   "no role mixes inline or exclusive policy lists with separate policy resources",
			Check: func(v View, c *Context) []string {
				var p []string
				inline := len(v.List("inlinePolicies")) > 0
				managed := v.Set("managedPolicyArns")
				if inline && len(dependents(c, v, TypeIAMRolePolicy, "", "")) > 0 {
					p = append(p, "inlinePolicies and aws:iam/rolePolicy resources manage the same role")
				}
				if managed && len(dependents(c, v, TypeIAMAttachment, "", "")) > 0 {
					p = append(p, "managedPolicyArns and aws:iam/rolePolicyAttachment resources manage the same role")
				}
				return p
			},
		},
	}
}
