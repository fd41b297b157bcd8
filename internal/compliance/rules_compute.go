package compliance

import (
	"encoding/base64"
	"regexp"
)

// awsKeyRE matches an AWS access key ID, which must never be baked into user data.
var awsKeyRE = regexp.MustCompile(`\b(AKIA|ASIA)[A-Z0-9]{16}\b`)

func computeRules() []Rule {
	host := []string{TypeEC2Instance}
	return []Rule{
		{
			ID: "ec2-imdsv2", Types: []string{TypeEC2Instance, TypeLaunchTemplate},
			Sources: []string{"CKV_AWS_79", "EC2.8", "AVD-AWS-0028"},
			Title:   "instances require IMDSv2 session tokens",
			Check: func(v View, _ *Context) []string {
				t := v.String("metadataOptions.httpTokens")
				return unless(t == "required" || t == Unknown, "metadataOptions.httpTokens is not required")
			},
		},
		{
			ID: "ec2-no-public-ip", Types: host,
			Sources: []string{"CKV_AWS_88", "EC2.9", "awsguard:ec2-instance-no-public-ip"},
			Title:   "instances have no public IP",
			Check: func(v View, _ *Context) []string {
				return when(v.IsTrue("associatePublicIpAddress") && !v.Unknown("associatePublicIpAddress"), "associatePublicIpAddress is true")
			},
		},
		{
			ID: "ec2-root-encrypted", Types: host,
			Sources: []string{"CKV_AWS_8", "AVD-AWS-0131", "awsguard:encrypted-volumes"},
			Title:   "instance root volumes are encrypted",
			Check: func(v View, _ *Context) []string {
				return unless(v.IsTrue("rootBlockDevice.encrypted"), "rootBlockDevice.encrypted is not true")
			},
		},
		{
			ID: "ec2-detailed-monitoring", Types: host,
			Sources:     []string{"CKV_AWS_126", "awsguard:ec2-instance-detailed-monitoring-enabled"},
			Title:       "instances have detailed monitoring",
			StagRelaxed: "stag turns detailed monitoring off (config default host.detailedMonitoring)",
			Check:       func(v View, _ *Context) []string { return unless(v.IsTrue("monitoring"), "monitoring is not true") },
		},
		{
			ID: "ec2-ebs-optimized", Types: host,
			Sources: []string{"CKV_AWS_135"},
			Title:   "instances are EBS-optimised",
			Check:   func(v View, _ *Context) []string { return unless(v.IsTrue("ebsOptimized"), "ebsOptimized is not true") },
		},
		{
			ID: "ec2-instance-profile", Types: host,
			Sources: []string{"CKV2_AWS_41"},
			Title:   "instances run with an IAM role (no keys on the host)",
			Check: func(v View, _ *Context) []string {
				return unless(v.Set("iamInstanceProfile"), "iamInstanceProfile is not set")
			},
		},
		{
			ID: "ec2-no-secrets-in-user-data", Types: host,
			Sources: []string{"CKV_AWS_46", "AVD-AWS-0029"},
			Title:   "instance user data holds no AWS access keys",
			Check: func(v View, _ *Context) []string {
				for _, k := range []string{"userData", "userDataBase64"} {
					s := v.String(k)
					if k == "userDataBase64" {
						if b, err := base64.StdEncoding.DecodeString(s); err == nil {
							s = string(b)
						}
					}
					if awsKeyRE.MatchString(s) {
						return []string{k + " contains an AWS access key ID"}
					}
				}
				return nil
			},
		},
	}
}
