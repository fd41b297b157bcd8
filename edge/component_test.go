package edge_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/config"
	"github.com/londonaicentre/flip-hub/edge"
	"github.com/londonaicentre/flip-hub/internal/plan"
)

const testAccount = "123456789012"

func componentArgs(global pulumi.ProviderResource) edge.Args {
	return edge.Args{
		Prefix:                   "flip-test",
		Region:                   "eu-west-2",
		Domain:                   "stag.flip.example.org",
		ZoneID:                   pulumi.String("Z0TESTZONE"),
		GlobalProvider:           global,
		AccountID:                pulumi.String(testAccount),
		Partition:                pulumi.String("aws"),
		KMSKeyARN:                pulumi.String("arn:aws:kms:eu-west-2:123456789012:key/k"),
		VPCID:                    pulumi.String("vpc-1"),
		PublicSubnetIDs:          pulumi.ToStringArray([]string{"subnet-pub-a", "subnet-pub-b"}),
		PrivateSubnetIDs:         pulumi.ToStringArray([]string{"subnet-priv-a", "subnet-priv-b"}),
		ALBSecurityGroupID:       pulumi.String("sg-alb"),
		NLBSecurityGroupID:       pulumi.String("sg-nlb"),
		LogBucketName:            pulumi.String("flip-test-logs-123456789012"),
		LogBucketDomainName:      pulumi.String("flip-test-logs-123456789012.s3.amazonaws.com"),
		PriceClass:               "PriceClass_100",
		WAFBlock:                 true,
		RateLimitPer5Min:         2000,
		FLPort:                   8002,
		APIPort:                  8000,
		LogRetentionDays:         30,
		LogKeyDeletionWindowDays: 7,
	}
}

// planEdge runs a program with just the edge component under the recording mocks.
func planEdge(t *testing.T, mutate func(a *edge.Args)) *plan.Graph {
	t.Helper()
	cfg := plan.StackConfig{Values: map[string]string{config.KeyRegion: "eu-west-2", config.KeyAllowedAccountIDs: `["` + testAccount + `"]`}}
	g, err := plan.Run(plan.Options{Stack: "test", Config: &cfg, Program: func(ctx *pulumi.Context) error {
		global, err := aws.NewProvider(ctx, "aws-us-east-1", &aws.ProviderArgs{Region: pulumi.String(edge.GlobalRegion)})
		if err != nil {
			return err
		}
		a := componentArgs(global)
		if mutate != nil {
			mutate(&a)
		}
		_, err = edge.New(ctx, "edge", a)
		return err
	}})
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	return g
}

func TestComponent(t *testing.T) {
	t.Parallel()
	const (
		typeRecord     = "aws:route53/record:Record"
		typeValidation = "aws:acm/certificateValidation:CertificateValidation"
	)
	cases := []struct {
		name        string
		mutate      func(a *edge.Args)
		wantRecords int
	}{
		{"managed DNS", nil, 4},
		{"unmanaged DNS", func(a *edge.Args) { a.ZoneID = nil }, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g := planEdge(t, tc.mutate)
			comps := g.ByType(edge.TypeToken)
			if len(comps) != 1 {
				t.Fatalf("%d edge components; want 1", len(comps))
			}
			for _, r := range g.Custom() {
				if g.Layer(r) != comps[0].URN {
					t.Errorf("%s is not under the edge component", r.URN)
				}
			}
			if n := len(g.ByType(typeRecord)); n != tc.wantRecords {
				t.Errorf("%d Route53 records; want %d", n, tc.wantRecords)
			}
			vals := g.ByType(typeValidation)
			if len(vals) != 2 {
				t.Fatalf("%d certificate validations; want 2 (they wait for issuance either way)", len(vals))
			}
			for _, v := range vals {
				fqdns, _ := v.Lookup("validationRecordFqdns")
				list, _ := fqdns.([]any)
				if (tc.wantRecords > 0) != (len(list) == 1) {
					t.Errorf("validation %s waits on records %v", v.Name, fqdns)
				}
			}
			for _, r := range g.Custom() {
				onGlobal := strings.Contains(r.Provider, "::aws-us-east-1::")
				wantGlobal := r.Name == "cloudfront" || r.Name == "waf-logs" || r.Name == "waf" ||
					(r.Name == "edge" && strings.HasPrefix(r.Type, "aws:wafv2/"))
				if onGlobal != wantGlobal {
					t.Errorf("%s on the us-east-1 provider: %v; want %v", r.URN, onGlobal, wantGlobal)
				}
			}
		})
	}
}

// TestALBWaitsForTheLogBucket: the ALB test-writes to the log bucket when access logs
// are turned on, so it waits for whatever the caller says makes the bucket ready.
func TestALBWaitsForTheLogBucket(t *testing.T) {
	t.Parallel()
	cfg := plan.StackConfig{Values: map[string]string{config.KeyRegion: "eu-west-2", config.KeyAllowedAccountIDs: `["` + testAccount + `"]`}}
	g, err := plan.Run(plan.Options{Stack: "test", Config: &cfg, Program: func(ctx *pulumi.Context) error {
		global, err := aws.NewProvider(ctx, "aws-us-east-1", &aws.ProviderArgs{Region: pulumi.String(edge.GlobalRegion)})
		if err != nil {
			return err
		}
		policy, err := s3.NewBucketPolicy(ctx, "log-bucket-policy", &s3.BucketPolicyArgs{
			Bucket: pulumi.String("flip-test-logs-123456789012"),
			Policy: pulumi.String(`{"Version":"2012-10-17","Statement":[]}`),
		})
		if err != nil {
			return err
		}
		a := componentArgs(global)
		a.LogBucketReady = []pulumi.Resource{policy}
		_, err = edge.New(ctx, "edge", a)
		return err
	}})
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	policy, _ := g.Get("aws:s3/bucketPolicy:BucketPolicy", "log-bucket-policy")
	alb, ok := g.Get("aws:lb/loadBalancer:LoadBalancer", "api")
	if !ok || !slices.Contains(alb.Dependencies, policy.URN) {
		t.Errorf("ALB dependencies %v; want the log bucket policy %s", alb.Dependencies, policy.URN)
	}
	if nlb, _ := g.Get("aws:lb/loadBalancer:LoadBalancer", "fl"); slices.Contains(nlb.Dependencies, policy.URN) {
		t.Error("the NLB, which logs nothing, waits for the log bucket")
	}
}
