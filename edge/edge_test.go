package edge

import (
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/internal/bucket"
	"github.com/londonaicentre/flip-hub/internal/iamdoc"
)

const (
	testAccount = "123456789012"
	testDomain  = "stag.flip.example.org"
	testZone    = "Z0TESTZONE"
)

// goodArgs are known-good args built inside a program (the global provider is a resource).
func goodArgs(global pulumi.ProviderResource) Args {
	return Args{
		Prefix:                   "flip-test",
		Region:                   "eu-west-2",
		Domain:                   testDomain,
		ZoneID:                   pulumi.String(testZone),
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
		DeletionProtection:       true,
		FLPort:                   8002,
		APIPort:                  8000,
		LogRetentionDays:         30,
		LogKeyDeletionWindowDays: 7,
	}
}

func TestArgsRejected(t *testing.T) {
	t.Parallel()
	global := &aws.Provider{}
	if err := goodArgs(global).validate(); err != nil {
		t.Fatalf("the known-good args are refused: %v", err)
	}
	cases := map[string]func(a *Args){
		"no domain":                  func(a *Args) { a.Domain = "" },
		"no global provider":         func(a *Args) { a.GlobalProvider = nil },
		"no stack key":               func(a *Args) { a.KMSKeyARN = nil },
		"no private subnets":         func(a *Args) { a.PrivateSubnetIDs = nil },
		"no NLB security group":      func(a *Args) { a.NLBSecurityGroupID = nil },
		"no log bucket domain":       func(a *Args) { a.LogBucketDomainName = nil },
		"unknown price class":        func(a *Args) { a.PriceClass = "PriceClass_Cheap" },
		"rate limit below WAF's":     func(a *Args) { a.RateLimitPer5Min = 99 },
		"FL on SSH":                  func(a *Args) { a.FLPort = 22 },
		"FL on RDP":                  func(a *Args) { a.FLPort = 3389 },
		"FL on the API port":         func(a *Args) { a.FLPort = 8000 },
		"no log retention":           func(a *Args) { a.LogRetentionDays = 0 },
		"key deletion window 6 days": func(a *Args) { a.LogKeyDeletionWindowDays = 6 },
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			a := goodArgs(global)
			mutate(&a)
			if err := a.validate(); err == nil {
				t.Fatal("validate accepted the args")
			}
		})
	}
}

func TestLogDeliveryStatements(t *testing.T) {
	t.Parallel()
	const logARN = "arn:aws:s3:::flip-test-logs-123456789012"
	v := map[string]string{"account": testAccount, "partition": "aws"}
	st, err := logDeliveryStatements("flip-test", logARN, v)
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 2 {
		t.Fatalf("%d statements; want the ALB and the UI-bucket deliveries", len(st))
	}
	alb, ui := st[0], st[1]
	if alb.Sid != SidALBAccessLogs || alb.Principal["Service"] != ELBLogDeliveryPrincipal || len(alb.Principal) != 1 ||
		len(alb.Action) != 1 || alb.Action[0] != "s3:PutObject" ||
		len(alb.Resource) != 1 || alb.Resource[0] != logARN+"/alb/AWSLogs/123456789012/*" ||
		alb.Condition["StringEquals"]["aws:SourceAccount"] != testAccount {
		t.Errorf("ALB delivery %+v; want PutObject by ELB log delivery for this account, under alb/AWSLogs/<account>/ only", alb)
	}
	if ui.Sid != SidUIBucketAccessLogs || ui.Principal["Service"] != "logging.s3.amazonaws.com" ||
		ui.Resource[0] != logARN+"/s3-access/ui/*" ||
		ui.Condition["ArnLike"]["aws:SourceArn"] != "arn:aws:s3:::flip-test-ui-123456789012" ||
		ui.Condition["StringEquals"]["aws:SourceAccount"] != testAccount {
		t.Errorf("UI access-log delivery %+v; want S3 logging from the UI bucket of this account, under s3-access/ui/", ui)
	}
	// The statements fit the log bucket's policy next to its TLS denials.
	if _, err := bucket.Policy(logARN, st...); err != nil {
		t.Errorf("the log bucket refuses the statements: %v", err)
	}
	for _, missing := range []string{"account", "partition"} {
		w := map[string]string{}
		for k, x := range v {
			if k != missing {
				w[k] = x
			}
		}
		if _, err := logDeliveryStatements("flip-test", logARN, w); err == nil {
			t.Errorf("statements built without %s", missing)
		}
	}
}

func TestUIRead(t *testing.T) {
	t.Parallel()
	const arn = "arn:aws:s3:::flip-test-ui-123456789012"
	const dist = "arn:aws:cloudfront::123456789012:distribution/E1"
	st, err := uiRead(arn, map[string]string{"distribution": dist})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := bucket.Policy(arn, st...)
	if err != nil {
		t.Fatal(err)
	}
	d, err := iamdoc.Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	var allows []iamdoc.Statement
	for _, s := range d.Statement {
		if s.Effect == iamdoc.Allow {
			allows = append(allows, s)
		}
	}
	if len(allows) != 1 {
		t.Fatalf("%d allows; want only CloudFront's read", len(allows))
	}
	a := allows[0]
	if a.Principal["Service"] != "cloudfront.amazonaws.com" || len(a.Action) != 1 || a.Action[0] != "s3:GetObject" ||
		len(a.Resource) != 1 || a.Resource[0] != arn+"/*" || a.Condition["StringEquals"]["AWS:SourceArn"] != dist {
		t.Errorf("read %+v; want GetObject on the objects by CloudFront for %s only", a, dist)
	}
	if _, err := uiRead(arn, map[string]string{}); err == nil {
		t.Error("a read was granted without naming the distribution")
	}
}
