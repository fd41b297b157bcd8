package bootstrap_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/londonaicentre/flip-hub/internal/bootstrap"
	"github.com/londonaicentre/flip-hub/internal/testmoto"
)

// One moto_server for the package. Each test works in its own fresh AWS account (moto keys its
// state by the x-moto-account-id header), so tests run in parallel and the default bucket name,
// derived from the account, never collides.
var (
	moto    *testmoto.Server
	motoErr error
)

func TestMain(m *testing.M) {
	var stop func()
	moto, stop, motoErr = testmoto.StartMain()
	defer stop()
	m.Run()
}

var lastAccount atomic.Int64

// account is a fresh moto account in one region: its ID, the clients Run gets, and raw clients
// for the test's own reads and mutations.
type account struct {
	ID     string
	Region string
	Run    bootstrap.Clients
	S3     *s3.Client
	KMS    *kms.Client
}

func newAccount(t *testing.T, region string) account {
	t.Helper()
	srv := testmoto.Check(t, moto, motoErr)
	id := fmt.Sprintf("%012d", 200000000000+lastAccount.Add(1))
	return accountIn(srv, id, region)
}

func accountIn(srv *testmoto.Server, id, region string) account {
	cfg := srv.AWSConfig()
	cfg.Region = region
	cfg.APIOptions = append(slices.Clone(cfg.APIOptions), smithyhttp.AddHeaderValue("x-moto-account-id", id))
	pathStyle := func(o *s3.Options) { o.UsePathStyle = true }
	return account{
		ID:     id,
		Region: region,
		Run:    bootstrap.NewClients(cfg, pathStyle),
		S3:     s3.NewFromConfig(cfg, pathStyle),
		KMS:    kms.NewFromConfig(cfg),
	}
}

func (a account) bucketName() string {
	return "flip-hub-pulumi-state-" + a.ID + "-" + a.Region
}

func (a account) run(t *testing.T, opts bootstrap.Options) bootstrap.Result {
	t.Helper()
	res, err := bootstrap.Run(context.Background(), a.Run, opts)
	if err != nil {
		t.Fatalf("Run(%+v): %v", opts, err)
	}
	return res
}

// code is the AWS error code in err.
func code(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

// assertBucket reads every setting back from S3 and fails t for each one not as wanted.
func (a account) assertBucket(t *testing.T, name string) {
	t.Helper()
	a.assertBucketEncryptedWith(t, name, s3types.ServerSideEncryptionAes256)
}

// assertBucketEncryptedWith is assertBucket with the default encryption algorithm to expect.
func (a account) assertBucketEncryptedWith(t *testing.T, name string, alg s3types.ServerSideEncryption) {
	t.Helper()
	ctx := context.Background()
	b := aws.String(name)

	ver, err := a.S3.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: b})
	if err != nil || ver.Status != s3types.BucketVersioningStatusEnabled {
		t.Errorf("versioning of %s = %v, %v; want Enabled", name, ver, err)
	}

	enc, err := a.S3.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b})
	if err != nil {
		t.Errorf("GetBucketEncryption %s: %v", name, err)
	} else if rules := enc.ServerSideEncryptionConfiguration.Rules; len(rules) != 1 ||
		rules[0].ApplyServerSideEncryptionByDefault == nil ||
		rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != alg {
		t.Errorf("default encryption of %s = %+v; want one %s rule", name, rules, alg)
	}

	pab, err := a.S3.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b})
	if err != nil {
		t.Errorf("GetPublicAccessBlock %s: %v", name, err)
	} else if p := pab.PublicAccessBlockConfiguration; !aws.ToBool(p.BlockPublicAcls) || !aws.ToBool(p.IgnorePublicAcls) ||
		!aws.ToBool(p.BlockPublicPolicy) || !aws.ToBool(p.RestrictPublicBuckets) {
		t.Errorf("public access block of %s = %+v; want all four true", name, p)
	}

	own, err := a.S3.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: b})
	if err != nil {
		t.Errorf("GetBucketOwnershipControls %s: %v", name, err)
	} else if r := own.OwnershipControls.Rules; len(r) != 1 || r[0].ObjectOwnership != s3types.ObjectOwnershipBucketOwnerEnforced {
		t.Errorf("ownership controls of %s = %+v; want BucketOwnerEnforced", name, r)
	}

	doc := a.policy(t, name)
	arn := "arn:aws:s3:::" + name
	if n := countTLSDenials(doc, arn); n != 1 {
		t.Errorf("policy of %s has %d statements denying s3:* on %s and %s/* when aws:SecureTransport is false; want 1\n%+v",
			name, n, arn, arn, doc)
	}
}

// policyStatement is a bucket policy statement read loosely: IAM lets Action and Resource be a
// string or a list, and Principal "*" or an object, and a statement another team wrote may use
// either spelling.
type policyStatement struct {
	Sid, Effect      string
	Principal        json.RawMessage
	Action, Resource strList
	Condition        map[string]map[string]any
}

type strList []string

func (l *strList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*l = []string{one}
		return nil
	}
	return json.Unmarshal(b, (*[]string)(l))
}

// everyone reports whether a Principal is every AWS principal.
func (s policyStatement) everyone() bool {
	var star string
	if json.Unmarshal(s.Principal, &star) == nil {
		return star == "*"
	}
	var m map[string]strList
	return json.Unmarshal(s.Principal, &m) == nil && len(m) == 1 && slices.Equal(m["AWS"], []string{"*"})
}

// policy reads and parses the bucket policy, failing t when there is none.
func (a account) policy(t *testing.T, name string) []policyStatement {
	t.Helper()
	out, err := a.S3.GetBucketPolicy(context.Background(), &s3.GetBucketPolicyInput{Bucket: aws.String(name)})
	if err != nil {
		t.Fatalf("GetBucketPolicy %s: %v", name, err)
	}
	var doc struct {
		Version   string
		Statement []policyStatement
	}
	if err := json.Unmarshal([]byte(aws.ToString(out.Policy)), &doc); err != nil {
		t.Fatalf("bucket policy of %s: %v\n%s", name, err, aws.ToString(out.Policy))
	}
	if doc.Version != "2012-10-17" {
		t.Errorf("bucket policy of %s: Version %q; want 2012-10-17", name, doc.Version)
	}
	return doc.Statement
}

// countTLSDenials counts the statements that deny everything to everyone over plain HTTP.
func countTLSDenials(statements []policyStatement, arn string) int {
	n := 0
	for _, s := range statements {
		cond := s.Condition["Bool"]
		if s.Effect == "Deny" && s.everyone() &&
			slices.Equal(s.Action, []string{"s3:*"}) &&
			slices.Contains(s.Resource, arn) && slices.Contains(s.Resource, arn+"/*") && len(s.Resource) == 2 &&
			cond != nil && fmt.Sprint(cond["aws:SecureTransport"]) == "false" && len(s.Condition) == 1 {
			n++
		}
	}
	return n
}

// assertKey checks, through KMS's own reads, that alias names keyARN, that the key is a
// symmetric encrypt/decrypt key with rotation on, and that the account holds wantKeys keys.
func (a account) assertKey(t *testing.T, alias, keyARN string, wantKeys int) {
	t.Helper()
	ctx := context.Background()
	aliases, err := a.KMS.ListAliases(ctx, &kms.ListAliasesInput{})
	if err != nil {
		t.Fatalf("ListAliases: %v", err)
	}
	var target string
	for _, al := range aliases.Aliases {
		if aws.ToString(al.AliasName) == alias {
			target = aws.ToString(al.TargetKeyId)
		}
	}
	if target == "" {
		t.Fatalf("alias %s not found in %d aliases", alias, len(aliases.Aliases))
	}
	desc, err := a.KMS.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(target)})
	if err != nil {
		t.Fatalf("DescribeKey %s: %v", target, err)
	}
	m := desc.KeyMetadata
	if aws.ToString(m.Arn) != keyARN {
		t.Errorf("alias %s names %s; Result says %s", alias, aws.ToString(m.Arn), keyARN)
	}
	if m.KeySpec != kmstypes.KeySpecSymmetricDefault || m.KeyUsage != kmstypes.KeyUsageTypeEncryptDecrypt || m.KeyState != kmstypes.KeyStateEnabled {
		t.Errorf("key %s: spec %s usage %s state %s; want SYMMETRIC_DEFAULT ENCRYPT_DECRYPT Enabled", target, m.KeySpec, m.KeyUsage, m.KeyState)
	}
	rot, err := a.KMS.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: aws.String(target)})
	if err != nil || !rot.KeyRotationEnabled {
		t.Errorf("rotation of %s = %v, %v; want enabled", target, rot, err)
	}
	if n := a.keyCount(t); n != wantKeys {
		t.Errorf("account holds %d keys; want %d", n, wantKeys)
	}
}

func (a account) keyCount(t *testing.T) int {
	t.Helper()
	keys, err := a.KMS.ListKeys(context.Background(), &kms.ListKeysInput{})
	if err != nil {
		t.Fatalf("ListKeys: %v", err)
	}
	return len(keys.Keys)
}

// callerAccount asks STS who the account's clients are, to prove the per-test account is real.
func (a account) callerAccount(t *testing.T) string {
	t.Helper()
	out, err := a.Run.STS.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity: %v", err)
	}
	return aws.ToString(out.Account)
}

func settingsString(s []bootstrap.Setting) string {
	parts := make([]string, len(s))
	for i, x := range s {
		parts[i] = string(x)
	}
	return "[" + strings.Join(parts, "; ") + "]"
}
