package compliance

import "fmt"

// minLogRetentionDays is the prod floor of CloudWatch log retention (environment table).
const minLogRetentionDays = 365

func kmsLogRules() []Rule {
	key := []string{TypeKMSKey}
	logs := []string{TypeLogGroup}
	return []Rule{
		{
			ID: "kms-rotation", Types: key,
			Sources: []string{"CKV_AWS_7", "KMS.4", "AVD-AWS-0065", "awsguard:cmk-backing-key-rotation-enabled"},
			Title:   "customer-managed keys rotate",
			Check: func(v View, _ *Context) []string {
				if s := v.String("customerMasterKeySpec"); s != "" && s != "SYMMETRIC_DEFAULT" && s != Unknown {
					return nil // AWS rotates only symmetric keys
				}
				return unless(v.IsTrue("enableKeyRotation"), "enableKeyRotation is not true")
			},
		},
		{
			ID: "kms-no-public-principal", Types: key,
			Sources: []string{"CKV_AWS_33"},
			Title:   "key policies grant nothing to every principal without a condition",
			Check:   func(v View, _ *Context) []string { return anyPrincipalAllows(v, "policy") },
		},
		{
			ID: "kms-enabled", Types: key,
			Sources: []string{"CKV_AWS_227"},
			Title:   "keys are enabled",
			Check:   func(v View, _ *Context) []string { return when(v.IsFalse("isEnabled"), "isEnabled is false") },
		},
		{
			ID: "kms-policy-defined", Types: key,
			Sources: []string{"CKV2_AWS_64"},
			Title:   "keys have an explicit key policy",
			Check: func(v View, _ *Context) []string {
				return unless(v.Set("policy"), "no key policy: the default grants the whole account")
			},
		},
		{
			ID: "logs-retention-set", Types: logs,
			Sources: []string{"CKV_AWS_66"},
			Title:   "log groups set a retention",
			Check: func(v View, _ *Context) []string {
				return unless(v.Unknown("retentionInDays") || v.Number("retentionInDays") > 0, "retentionInDays is not set: logs are kept forever")
			},
		},
		{
			ID: "logs-retention-year", Types: logs,
			Sources:     []string{"CKV_AWS_338", "CloudWatch.16"},
			Title:       fmt.Sprintf("log groups keep logs for at least %d days", minLogRetentionDays),
			StagRelaxed: "stag keeps logs for 30 days (environment table)",
			Check: func(v View, _ *Context) []string {
				if v.Unknown("retentionInDays") {
					return nil
				}
				d := v.Number("retentionInDays")
				if d > 0 && d < minLogRetentionDays {
					return []string{fmt.Sprintf("retentionInDays is %g; want at least %d", d, minLogRetentionDays)}
				}
				return nil
			},
		},
		{
			ID: "logs-cmk", Types: logs,
			Sources: []string{"CKV_AWS_158", "AVD-AWS-0017"},
			Title:   "log groups are encrypted with a customer-managed key",
			Check:   func(v View, _ *Context) []string { return unless(v.Set("kmsKeyId"), "kmsKeyId is not set") },
		},
		{
			ID: "secrets-cmk", Types: []string{TypeSecret},
			Sources: []string{"CKV_AWS_149", "AVD-AWS-0098"},
			Title:   "secrets are encrypted with a customer-managed key",
			Check:   func(v View, _ *Context) []string { return unless(v.Set("kmsKeyId"), "kmsKeyId is not set") },
		},
		{
			ID: "ssm-parameter-encrypted", Types: []string{TypeSSMParameter},
			Sources: []string{"CKV2_AWS_34"},
			Title:   "SSM parameters are SecureString",
			Check: func(v View, _ *Context) []string {
				t := v.String("type")
				return unless(t == "SecureString" || t == Unknown, fmt.Sprintf("type is %q", t))
			},
		},
	}
}
