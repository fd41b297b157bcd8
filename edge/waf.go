package edge

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/wafv2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/internal/iamdoc"
)

// GlobalRegion is where CloudFront takes its certificate and web ACL from.
const GlobalRegion = "us-east-1"

// WAFLogGroupPrefix starts the name of every log group WAF may log to.
const WAFLogGroupPrefix = "aws-waf-logs-"

// ManagedRuleGroups are the AWS managed rule groups on the web ACL, in priority order
// after the IP reputation list and the rate limit.
var ManagedRuleGroups = []string{
	"AWSManagedRulesAmazonIpReputationList",
	"AWSManagedRulesKnownBadInputsRuleSet",
	"AWSManagedRulesCommonRuleSet",
}

// RateLimitRule names the per-IP rate-based rule.
const RateLimitRule = "rate-limit-per-ip"

// The common rule set's SizeRestrictions_BODY blocks request bodies over 8 KB, and trusts post
// cohort and task results of up to megabytes to /api/*. That one rule only labels (counts) the
// request; BodySizeRule then blocks a labelled request unless its path is under APIPathPrefix,
// where flip-api's own limits apply (AWS WAF Developer Guide: "Core rule set (CRS) managed rule
// group" for the rule and its label; "Label match rule statement" for the pattern).
const (
	bodySizeRuleName = "SizeRestrictions_BODY"
	bodySizeLabel    = "awswaf:managed:aws:core-rule-set:SizeRestrictions_Body"
	// BodySizeRule names the rule that blocks large bodies outside /api/.
	BodySizeRule = "body-size-outside-api"
	// APIPathPrefix is the path CloudFront sends to the ALB and flip-api.
	APIPathPrefix = "/api/"
)

// RedactedHeaders never reach the WAF logs: they carry Cognito tokens, trust API keys, and the
// hub-internal service key should a viewer send one.
var RedactedHeaders = append([]string{"authorization", "cookie"}, ViewerStrippedHeaders...)

type firewall struct {
	acl *wafv2.WebAcl
}

// firewall builds the CLOUDFRONT-scope web ACL (us-east-1) and its logging. WAF logs go
// to a CloudWatch log group in us-east-1, the only region a CloudFront web ACL logs to.
// The stack key is regional and cannot encrypt it, so the log group has its own
// us-east-1 key, usable by CloudWatch Logs for this one log group only.
func (b *builder) firewall() (*firewall, error) {
	a := b.args
	groupName := WAFLogGroupPrefix + b.nm.Name()
	policy := pulumi.All(a.AccountID, a.Partition).ApplyT(func(in []any) (string, error) {
		account, partition := in[0].(string), in[1].(string)
		return wafLogKeyPolicy(account, partition, fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s", partition, GlobalRegion, account, groupName))
	}).(pulumi.StringOutput)
	key, err := kms.NewKey(b.ctx, "waf-logs", &kms.KeyArgs{
		Description:           pulumi.String("FLIP hub " + b.nm.Name() + ": WAF logs (" + GlobalRegion + ")"),
		KeyUsage:              pulumi.String("ENCRYPT_DECRYPT"),
		CustomerMasterKeySpec: pulumi.String("SYMMETRIC_DEFAULT"),
		EnableKeyRotation:     pulumi.Bool(true),
		RotationPeriodInDays:  pulumi.Int(365),
		DeletionWindowInDays:  pulumi.Int(a.LogKeyDeletionWindowDays),
		IsEnabled:             pulumi.Bool(true),
		MultiRegion:           pulumi.Bool(false),
		Policy:                policy,
		Tags:                  b.tags("waf-logs"),
	}, append(append([]pulumi.ResourceOption{}, b.global...),
		// The WAF logs it encrypts are kept for the log retention (a year in prod): the key
		// outlives a destroy, like the stack key, and is protected where persistent data is.
		pulumi.RetainOnDelete(true), pulumi.Protect(a.ProtectLogKey))...)
	if err != nil {
		return nil, fmt.Errorf("waf log key: %w", err)
	}
	if _, err := kms.NewAlias(b.ctx, "waf-logs", &kms.AliasArgs{
		Name:        pulumi.String("alias/" + b.nm.Name("waf-logs")),
		TargetKeyId: key.KeyId,
	}, b.global...); err != nil {
		return nil, fmt.Errorf("waf log key alias: %w", err)
	}
	group, err := cloudwatch.NewLogGroup(b.ctx, "waf", &cloudwatch.LogGroupArgs{
		Name:            pulumi.String(groupName),
		RetentionInDays: pulumi.Int(a.LogRetentionDays),
		KmsKeyId:        key.Arn,
		Tags:            b.tags("waf-logs"),
	}, b.global...)
	if err != nil {
		return nil, fmt.Errorf("waf log group: %w", err)
	}
	// Written here rather than left to WAF (which would add an account-wide policy for
	// every aws-waf-logs-* group): log delivery may write to this group, for this account.
	delivery := pulumi.All(group.Arn, a.AccountID, a.Partition).ApplyT(func(in []any) (string, error) {
		arn, account, partition := in[0].(string), in[1].(string), in[2].(string)
		return iamdoc.JSON(iamdoc.Statement{
			Sid:       "WAFLogDelivery",
			Effect:    iamdoc.Allow,
			Principal: map[string]any{"Service": "delivery.logs.amazonaws.com"},
			Action:    []string{"logs:CreateLogStream", "logs:PutLogEvents"},
			Resource:  []string{arn + ":*"},
			Condition: map[string]map[string]any{
				"StringEquals": {"aws:SourceAccount": account},
				"ArnLike":      {"aws:SourceArn": fmt.Sprintf("arn:%s:logs:%s:%s:*", partition, GlobalRegion, account)},
			},
		})
	}).(pulumi.StringOutput)
	resourcePolicy, err := cloudwatch.NewLogResourcePolicy(b.ctx, "waf-logs", &cloudwatch.LogResourcePolicyArgs{
		PolicyName:     pulumi.String(b.nm.Name("waf-logs")),
		PolicyDocument: delivery,
	}, b.global...)
	if err != nil {
		return nil, fmt.Errorf("waf log resource policy: %w", err)
	}

	acl, err := wafv2.NewWebAcl(b.ctx, "edge", &wafv2.WebAclArgs{
		Name:          pulumi.String(b.nm.Name("edge")),
		Description:   pulumi.String("FLIP hub " + b.nm.Name() + ": CloudFront in front of the UI and /api"),
		Scope:         pulumi.String("CLOUDFRONT"),
		DefaultAction: &wafv2.WebAclDefaultActionArgs{Allow: &wafv2.WebAclDefaultActionAllowArgs{}},
		Rules:         b.wafRules(),
		VisibilityConfig: &wafv2.WebAclVisibilityConfigArgs{
			CloudwatchMetricsEnabled: pulumi.Bool(true),
			MetricName:               pulumi.String(b.nm.Name("edge")),
			SampledRequestsEnabled:   pulumi.Bool(true),
		},
		Tags: b.tags("edge"),
	}, b.global...)
	if err != nil {
		return nil, fmt.Errorf("web acl: %w", err)
	}
	var redacted wafv2.WebAclLoggingConfigurationRedactedFieldArray
	for _, h := range RedactedHeaders {
		redacted = append(redacted, &wafv2.WebAclLoggingConfigurationRedactedFieldArgs{
			SingleHeader: &wafv2.WebAclLoggingConfigurationRedactedFieldSingleHeaderArgs{Name: pulumi.String(h)},
		})
	}
	if _, err := wafv2.NewWebAclLoggingConfiguration(b.ctx, "edge", &wafv2.WebAclLoggingConfigurationArgs{
		ResourceArn:           acl.Arn,
		LogDestinationConfigs: pulumi.StringArray{group.Arn},
		RedactedFields:        redacted,
	}, append(b.global, pulumi.DependsOn([]pulumi.Resource{resourcePolicy}))...); err != nil {
		return nil, fmt.Errorf("web acl logging: %w", err)
	}
	return &firewall{acl: acl}, nil
}

// wafRules are the web ACL's rules: the IP reputation list first (cheapest, drops known
// bad sources), then the per-IP rate limit, then the inspecting rule groups. With
// WAFBlock they block; without it (staging, by config) every rule only counts.
func (b *builder) wafRules() wafv2.WebAclRuleArray {
	visibility := func(metric string) *wafv2.WebAclRuleVisibilityConfigArgs {
		return &wafv2.WebAclRuleVisibilityConfigArgs{
			CloudwatchMetricsEnabled: pulumi.Bool(true),
			MetricName:               pulumi.String(b.nm.Name(metric)),
			SampledRequestsEnabled:   pulumi.Bool(true),
		}
	}
	managed := func(priority int, group string) *wafv2.WebAclRuleArgs {
		override := &wafv2.WebAclRuleOverrideActionArgs{None: &wafv2.WebAclRuleOverrideActionNoneArgs{}}
		if !b.args.WAFBlock {
			override = &wafv2.WebAclRuleOverrideActionArgs{Count: &wafv2.WebAclRuleOverrideActionCountArgs{}}
		}
		mg := &wafv2.WebAclRuleStatementManagedRuleGroupStatementArgs{
			VendorName: pulumi.String("AWS"),
			Name:       pulumi.String(group),
		}
		if group == commonRuleSet {
			mg.RuleActionOverrides = wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideArray{
				&wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideArgs{
					Name: pulumi.String(bodySizeRuleName),
					ActionToUse: &wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideActionToUseArgs{
						Count: &wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideActionToUseCountArgs{},
					},
				},
			}
		}
		return &wafv2.WebAclRuleArgs{
			Name:             pulumi.String(group),
			Priority:         pulumi.Int(priority),
			OverrideAction:   override,
			Statement:        &wafv2.WebAclRuleStatementArgs{ManagedRuleGroupStatement: mg},
			VisibilityConfig: visibility(group),
		}
	}
	action := &wafv2.WebAclRuleActionArgs{Block: &wafv2.WebAclRuleActionBlockArgs{}}
	if !b.args.WAFBlock {
		action = &wafv2.WebAclRuleActionArgs{Count: &wafv2.WebAclRuleActionCountArgs{}}
	}
	rules := wafv2.WebAclRuleArray{
		managed(0, ManagedRuleGroups[0]),
		&wafv2.WebAclRuleArgs{
			Name:     pulumi.String(RateLimitRule),
			Priority: pulumi.Int(1),
			Action:   action,
			Statement: &wafv2.WebAclRuleStatementArgs{
				RateBasedStatement: &wafv2.WebAclRuleStatementRateBasedStatementArgs{
					Limit:               pulumi.Int(b.args.RateLimitPer5Min),
					AggregateKeyType:    pulumi.String("IP"),
					EvaluationWindowSec: pulumi.Int(300),
				},
			},
			VisibilityConfig: visibility(RateLimitRule),
		},
	}
	for i, g := range ManagedRuleGroups[1:] {
		rules = append(rules, managed(i+2, g))
	}
	// After the common rule set, which labelled it: a large body outside /api/ is blocked.
	rules = append(rules, &wafv2.WebAclRuleArgs{
		Name:     pulumi.String(BodySizeRule),
		Priority: pulumi.Int(len(ManagedRuleGroups) + 1),
		Action:   action,
		Statement: &wafv2.WebAclRuleStatementArgs{
			AndStatement: &wafv2.WebAclRuleStatementAndStatementArgs{
				Statements: wafv2.WebAclRuleStatementArray{
					&wafv2.WebAclRuleStatementArgs{
						LabelMatchStatement: &wafv2.WebAclRuleStatementLabelMatchStatementArgs{
							Scope: pulumi.String("LABEL"),
							Key:   pulumi.String(bodySizeLabel),
						},
					},
					&wafv2.WebAclRuleStatementArgs{
						NotStatement: &wafv2.WebAclRuleStatementNotStatementArgs{
							Statements: wafv2.WebAclRuleStatementArray{
								&wafv2.WebAclRuleStatementArgs{
									ByteMatchStatement: &wafv2.WebAclRuleStatementByteMatchStatementArgs{
										SearchString:         pulumi.String(APIPathPrefix),
										PositionalConstraint: pulumi.String("STARTS_WITH"),
										FieldToMatch: &wafv2.WebAclRuleStatementByteMatchStatementFieldToMatchArgs{
											UriPath: &wafv2.WebAclRuleStatementByteMatchStatementFieldToMatchUriPathArgs{},
										},
										TextTransformations: wafv2.WebAclRuleStatementByteMatchStatementTextTransformationArray{
											&wafv2.WebAclRuleStatementByteMatchStatementTextTransformationArgs{
												Priority: pulumi.Int(0),
												Type:     pulumi.String("NONE"),
											},
										},
									},
								},
							},
						},
					},
				},
			},
		},
		VisibilityConfig: visibility(BodySizeRule),
	})
	return rules
}

// commonRuleSet is the managed group whose body-size rule is narrowed to paths outside /api/.
const commonRuleSet = "AWSManagedRulesCommonRuleSet"

// wafLogKeyPolicy lets the account administer the WAF log key and CloudWatch Logs in
// us-east-1 use it for the one WAF log group (ArnEquals on the encryption context).
func wafLogKeyPolicy(account, partition, logGroupARN string) (string, error) {
	return iamdoc.JSON(
		iamdoc.Statement{
			Sid:       "AccountAdministers",
			Effect:    iamdoc.Allow,
			Principal: map[string]any{"AWS": fmt.Sprintf("arn:%s:iam::%s:root", partition, account)},
			Action:    []string{"kms:*"},
			Resource:  []string{"*"},
		},
		iamdoc.Statement{
			Sid:       "CloudWatchLogsWAFLogGroup",
			Effect:    iamdoc.Allow,
			Principal: map[string]any{"Service": fmt.Sprintf("logs.%s.amazonaws.com", GlobalRegion)},
			Action:    []string{"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"},
			Resource:  []string{"*"},
			Condition: map[string]map[string]any{
				"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": logGroupARN},
			},
		},
	)
}
