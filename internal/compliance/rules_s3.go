package compliance

import (
	"fmt"
	"strings"
)

// companions returns a bucket's configuration resources of one type: those that depend
// on the bucket or name it in their "bucket" input.
func companions(c *Context, bucket View, typ string) []View {
	return dependents(c, bucket, typ, "bucket", bucket.String("bucket"))
}

// bucketHas is a stack check: the bucket has a companion of typ, and every such
// companion passes ok (which returns its problems).
func bucketHas(typ, what string, ok func(View) []string) func(View, *Context) []string {
	return func(b View, c *Context) []string {
		cs := companions(c, b, typ)
		if len(cs) == 0 {
			return []string{"no " + what}
		}
		var p []string
		for _, x := range cs {
			p = append(p, ok(x)...)
		}
		return p
	}
}

func pabFlag(flag string) func(View, *Context) []string {
	return func(v View, _ *Context) []string {
		return unless(v.IsTrue(flag), flag+" is not true")
	}
}

func s3Rules() []Rule {
	bucket := []string{TypeBucket}
	pab := []string{TypeBucketPAB}
	return []Rule{
		{
			ID: "s3-public-access-block", Types: bucket, Stack: true,
			Sources: []string{"CKV2_AWS_6", "S3.8", "AVD-AWS-0094"},
			Title:   "every bucket has a public access block",
			Check:   bucketHas(TypeBucketPAB, "public access block", func(View) []string { return nil }),
		},
		{
			ID: "s3-block-public-acls", Types: pab,
			Sources: []string{"CKV_AWS_53", "S3.8", "AVD-AWS-0086"},
			Title:   "public access blocks block public ACLs", Check: pabFlag("blockPublicAcls"),
		},
		{
			ID: "s3-block-public-policy", Types: pab,
			Sources: []string{"CKV_AWS_54", "S3.8", "AVD-AWS-0087"},
			Title:   "public access blocks block public policies", Check: pabFlag("blockPublicPolicy"),
		},
		{
			ID: "s3-ignore-public-acls", Types: pab,
			Sources: []string{"CKV_AWS_55", "S3.8", "AVD-AWS-0091"},
			Title:   "public access blocks ignore public ACLs", Check: pabFlag("ignorePublicAcls"),
		},
		{
			ID: "s3-restrict-public-buckets", Types: pab,
			Sources: []string{"CKV_AWS_56", "S3.8", "AVD-AWS-0093"},
			Title:   "public access blocks restrict public buckets", Check: pabFlag("restrictPublicBuckets"),
		},
		{
			ID: "s3-encrypted", Types: bucket, Stack: true,
			Sources: []string{"CKV_AWS_19", "AVD-AWS-0088"},
			Title:   "every bucket has default server-side encryption",
			Check: bucketHas(TypeBucketSSE, "server-side encryption configuration", func(x View) []string {
				return unless(x.Set("rules[0].applyServerSideEncryptionByDefault.sseAlgorithm"), "no default sseAlgorithm")
			}),
		},
		{
			ID: "s3-encrypted-kms", Types: bucket, Stack: true,
			Sources: []string{"CKV_AWS_145", "S3.17", "AVD-AWS-0132"},
			Title:   "every bucket encrypts with a customer-managed KMS key by default",
			Check: bucketHas(TypeBucketSSE, "server-side encryption configuration", func(x View) []string {
				alg := x.String("rules[0].applyServerSideEncryptionByDefault.sseAlgorithm")
				if alg == Unknown {
					return nil
				}
				var p []string
				if !strings.HasPrefix(alg, "aws:kms") {
					p = append(p, fmt.Sprintf("sseAlgorithm is %q; want aws:kms", alg))
				} else if !x.Set("rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId") {
					p = append(p, "kmsMasterKeyId is not set: the AWS-managed key, not the stack's")
				}
				return p
			}),
		},
		{
			ID: "s3-versioning", Types: bucket, Stack: true,
			Sources: []string{"CKV_AWS_21", "S3.14", "AVD-AWS-0090"},
			Title:   "every bucket is versioned",
			Check: bucketHas(TypeBucketVersioning, "versioning configuration", func(x View) []string {
				s := x.String("versioningConfiguration.status")
				return unless(s == "Enabled" || s == Unknown, fmt.Sprintf("versioning status is %q", s))
			}),
		},
		{
			ID: "s3-access-logging", Types: bucket, Stack: true,
			Sources: []string{"CKV_AWS_18", "S3.9", "AVD-AWS-0089", "awsguard:s3-bucket-logging-enabled"},
			Title:   "every bucket logs server access",
			Check: bucketHas(TypeBucketLogging, "access logging", func(x View) []string {
				return unless(x.Set("targetBucket"), "no targetBucket")
			}),
		},
		{
			ID: "s3-tls-only", Types: bucket, Stack: true,
			Sources: []string{"S3.5"},
			Title:   "every bucket policy denies requests without TLS (aws:SecureTransport false)",
			Check: bucketHas(TypeBucketPolicy, "bucket policy", func(x View) []string {
				if x.Unknown("policy") {
					return nil
				}
				sts, err := PolicyStatements(x.Inputs["policy"])
				if err != nil {
					return []string{err.Error()}
				}
				for _, s := range sts {
					if s.DeniesInsecureTransport() && (s.Grants("s3:GetObject") || s.Grants("s3:PutObject")) {
						return nil
					}
				}
				return []string{"no statement denies aws:SecureTransport false for s3:*"}
			}),
		},
		{
			ID: "s3-acls-disabled", Types: bucket, Stack: true,
			Sources: []string{"S3.12", "CKV2_AWS_65"},
			Title:   "every bucket disables ACLs (object ownership BucketOwnerEnforced)",
			Check: bucketHas(TypeBucketOwnership, "ownership controls", func(x View) []string {
				o := x.String("rule.objectOwnership")
				return unless(o == "BucketOwnerEnforced" || o == Unknown, fmt.Sprintf("objectOwnership is %q", o))
			}),
		},
		{
			ID: "s3-lifecycle", Types: bucket, Stack: true,
			Sources: []string{"CKV2_AWS_61", "S3.13"},
			Title:   "every bucket has an enabled lifecycle rule",
			Check: bucketHas(TypeBucketLifecycle, "lifecycle configuration", func(x View) []string {
				return unless(len(enabledLifecycleRules(x)) > 0, "no enabled lifecycle rule")
			}),
		},
		{
			ID: "s3-abort-incomplete-uploads", Types: []string{TypeBucketLifecycle},
			Sources: []string{"CKV_AWS_300"},
			Title:   "lifecycle configurations abort incomplete multipart uploads",
			Check: func(v View, _ *Context) []string {
				for _, r := range enabledLifecycleRules(v) {
					if d, ok := r["abortIncompleteMultipartUpload"].(map[string]any); ok {
						if n, _ := d["daysAfterInitiation"].(float64); n > 0 {
							return nil
						}
					}
				}
				return []string{"no enabled rule sets abortIncompleteMultipartUpload.daysAfterInitiation"}
			},
		},
		{
			ID: "s3-no-public-principal", Types: []string{TypeBucketPolicy},
			Sources: []string{"CKV_AWS_70", "S3.2", "S3.3"},
			Title:   "bucket policies allow no action to every principal without a condition",
			Check: func(v View, _ *Context) []string {
				return anyPrincipalAllows(v, "policy")
			},
		},
	}
}

func enabledLifecycleRules(v View) []map[string]any {
	var out []map[string]any
	for _, r := range v.List("rules") {
		m, ok := r.(map[string]any)
		if ok && (m["status"] == "Enabled" || m["status"] == Unknown) {
			out = append(out, m)
		}
	}
	return out
}

// anyPrincipalAllows reports Allow statements of the policy at key that name every
// principal and carry no condition.
func anyPrincipalAllows(v View, key string) []string {
	if v.Unknown(key) {
		return nil
	}
	sts, err := PolicyStatements(v.Inputs[key])
	if err != nil {
		return []string{err.Error()}
	}
	var p []string
	for i, s := range sts {
		if s.Allows() && s.AnyPrincipal() && !s.HasCondition {
			p = append(p, fmt.Sprintf("statement %d (%s) allows %v to every principal without a condition", i, s.Sid, s.Actions))
		}
	}
	return p
}
