package bootstrap_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/londonaicentre/flip-hub/internal/bootstrap"
	"github.com/londonaicentre/flip-hub/internal/testmoto"
)

// allBucketSettings is every bucket setting in the order Run applies them.
var allBucketSettings = []bootstrap.Setting{
	bootstrap.SettingOwnership, bootstrap.SettingPublicAccess, bootstrap.SettingVersioning,
	bootstrap.SettingEncryption, bootstrap.SettingTLSPolicy,
}

func TestRunCreatesThenFindsEverything(t *testing.T) {
	t.Parallel()
	// us-east-1 is the region whose CreateBucket must not carry a LocationConstraint; moto, like
	// S3, refuses a missing one anywhere else and a wrong one everywhere.
	for _, region := range []string{"eu-west-2", "us-east-1"} {
		t.Run(region, func(t *testing.T) {
			t.Parallel()
			a := newAccount(t, region)
			if got := a.callerAccount(t); got != a.ID {
				t.Fatalf("moto answers as account %s; want the test's own %s", got, a.ID)
			}
			opts := bootstrap.Options{Stack: "stag"}

			first := a.run(t, opts)
			if first.Account != a.ID || first.Region != region || first.Stack != "stag" {
				t.Errorf("first run: account %q region %q stack %q; want %q %q stag", first.Account, first.Region, first.Stack, a.ID, region)
			}
			if first.Bucket.Name != a.bucketName() || first.Bucket.Status != bootstrap.Created {
				t.Errorf("first run bucket = %+v; want %s created", first.Bucket, a.bucketName())
			}
			// moto gives a new bucket none of these settings, so a first run writes each one;
			// ownership alone is already set by CreateBucket itself.
			wantSet := allBucketSettings[1:]
			if !slices.Equal(first.Bucket.Changed, wantSet) {
				t.Errorf("first run set %s; want %s", settingsString(first.Bucket.Changed), settingsString(wantSet))
			}
			if first.Key.Status != bootstrap.Created || first.Key.Alias != "alias/flip-hub-stag-secrets" ||
				!strings.HasPrefix(first.Key.ARN, "arn:aws:kms:"+region+":"+a.ID+":key/") {
				t.Errorf("first run key = %+v; want a created key in %s/%s named alias/flip-hub-stag-secrets", first.Key, region, a.ID)
			}
			if want := []bootstrap.Setting{bootstrap.SettingAlias, bootstrap.SettingRotation}; !slices.Equal(first.Key.Changed, want) {
				t.Errorf("first run key set %s; want %s", settingsString(first.Key.Changed), settingsString(want))
			}
			a.assertBucket(t, a.bucketName())
			a.assertKey(t, "alias/flip-hub-stag-secrets", first.Key.ARN, 1)

			second := a.run(t, opts)
			if second.Bucket.Status != bootstrap.Existed || len(second.Bucket.Changed) != 0 {
				t.Errorf("second run bucket = %+v; want existed, nothing changed", second.Bucket)
			}
			if second.Key.Status != bootstrap.Existed || len(second.Key.Changed) != 0 || second.Key.ARN != first.Key.ARN {
				t.Errorf("second run key = %+v; want %s existed, nothing changed", second.Key, first.Key.ARN)
			}
			a.assertBucket(t, a.bucketName())
			a.assertKey(t, "alias/flip-hub-stag-secrets", first.Key.ARN, 1)

			// A second stack in the same account shares the bucket and gets its own key.
			prod := a.run(t, bootstrap.Options{Stack: "prod"})
			if prod.Bucket.Name != a.bucketName() || prod.Bucket.Status != bootstrap.Existed || len(prod.Bucket.Changed) != 0 {
				t.Errorf("prod run bucket = %+v; want the shared bucket, unchanged", prod.Bucket)
			}
			if prod.Key.Status != bootstrap.Created || prod.Key.ARN == first.Key.ARN {
				t.Errorf("prod run key = %+v; want a new key of its own", prod.Key)
			}
			a.assertKey(t, "alias/flip-hub-prod-secrets", prod.Key.ARN, 2)
		})
	}
}

func TestRunRepairsDrift(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name        string
		drift       func(t *testing.T, a account, res bootstrap.Result)
		wantBucket  []bootstrap.Setting
		wantKey     []bootstrap.Setting
		extraChecks func(t *testing.T, a account, name string)
		encryption  s3types.ServerSideEncryption // the default encryption after the run; AES256 if empty
	}{
		{
			name: "versioning suspended",
			drift: func(t *testing.T, a account, res bootstrap.Result) {
				must(t)(a.S3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(res.Bucket.Name),
					VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusSuspended}}))
			},
			wantBucket: []bootstrap.Setting{bootstrap.SettingVersioning},
		},
		{
			name: "bucket policy deleted",
			drift: func(t *testing.T, a account, res bootstrap.Result) {
				must(t)(a.S3.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String(res.Bucket.Name)}))
			},
			wantBucket: []bootstrap.Setting{bootstrap.SettingTLSPolicy},
		},
		{
			name: "policy replaced by another team's grant, which is kept",
			drift: func(t *testing.T, a account, res bootstrap.Result) {
				must(t)(a.S3.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(res.Bucket.Name), Policy: aws.String(
					`{"Version":"2012-10-17","Statement":{"Sid":"AuditRead","Effect":"Allow",` +
						`"Principal":{"AWS":"arn:aws:iam::` + a.ID + `:role/audit"},"Action":"s3:GetObject",` +
						`"Resource":"arn:aws:s3:::` + res.Bucket.Name + `/*"}}`)}))
			},
			wantBucket: []bootstrap.Setting{bootstrap.SettingTLSPolicy},
			extraChecks: func(t *testing.T, a account, name string) {
				statements := a.policy(t, name)
				if !slices.ContainsFunc(statements, func(s policyStatement) bool {
					return s.Sid == "AuditRead" && s.Effect == "Allow" && slices.Equal(s.Action, []string{"s3:GetObject"})
				}) {
					t.Errorf("the audit grant was dropped: %+v", statements)
				}
			},
		},
		{
			name: "TLS statement weakened under its own Sid",
			drift: func(t *testing.T, a account, res bootstrap.Result) {
				must(t)(a.S3.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(res.Bucket.Name), Policy: aws.String(
					`{"Version":"2012-10-17","Statement":[{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*",` +
						`"Action":"s3:*","Resource":"arn:aws:s3:::` + res.Bucket.Name + `",` +
						`"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`)}))
			},
			wantBucket: []bootstrap.Setting{bootstrap.SettingTLSPolicy},
			extraChecks: func(t *testing.T, a account, name string) {
				n := 0
				for _, s := range a.policy(t, name) {
					if s.Sid == "DenyInsecureTransport" {
						n++
					}
				}
				if n != 1 {
					t.Errorf("%d statements named DenyInsecureTransport; want the weakened one replaced", n)
				}
			},
		},
		{
			name: "public access block deleted",
			drift: func(t *testing.T, a account, res bootstrap.Result) {
				must(t)(a.S3.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: aws.String(res.Bucket.Name)}))
			},
			wantBucket: []bootstrap.Setting{bootstrap.SettingPublicAccess},
		},
		{
			name: "one public access flag turned off",
			drift: func(t *testing.T, a account, res bootstrap.Result) {
				must(t)(a.S3.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String(res.Bucket.Name),
					PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true),
						IgnorePublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(false)}}))
			},
			wantBucket: []bootstrap.Setting{bootstrap.SettingPublicAccess},
		},
		{
			name: "ACLs re-enabled",
			drift: func(t *testing.T, a account, res bootstrap.Result) {
				must(t)(a.S3.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: aws.String(res.Bucket.Name),
					OwnershipControls: &s3types.OwnershipControls{Rules: []s3types.OwnershipControlsRule{{ObjectOwnership: s3types.ObjectOwnershipObjectWriter}}}}))
			},
			wantBucket: []bootstrap.Setting{bootstrap.SettingOwnership},
		},
		{
			name: "ownership controls deleted",
			drift: func(t *testing.T, a account, res bootstrap.Result) {
				must(t)(a.S3.DeleteBucketOwnershipControls(ctx, &s3.DeleteBucketOwnershipControlsInput{Bucket: aws.String(res.Bucket.Name)}))
			},
			wantBucket: []bootstrap.Setting{bootstrap.SettingOwnership},
		},
		{
			name: "default encryption deleted",
			drift: func(t *testing.T, a account, res bootstrap.Result) {
				must(t)(a.S3.DeleteBucketEncryption(ctx, &s3.DeleteBucketEncryptionInput{Bucket: aws.String(res.Bucket.Name)}))
			},
			wantBucket: []bootstrap.Setting{bootstrap.SettingEncryption},
		},
		{
			name: "an operator's SSE-KMS default is kept, not downgraded",
			drift: func(t *testing.T, a account, res bootstrap.Result) {
				must(t)(a.S3.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String(res.Bucket.Name),
					ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{{
						ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{
							SSEAlgorithm: s3types.ServerSideEncryptionAwsKms, KMSMasterKeyID: aws.String(res.Key.ARN)},
						BucketKeyEnabled: aws.Bool(true),
					}}}}))
			},
			encryption: s3types.ServerSideEncryptionAwsKms,
		},
		{
			name: "key rotation disabled",
			drift: func(t *testing.T, a account, res bootstrap.Result) {
				must(t)(a.KMS.DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: aws.String(res.Key.ARN)}))
			},
			wantKey: []bootstrap.Setting{bootstrap.SettingRotation},
		},
		{
			name: "everything drifted at once",
			drift: func(t *testing.T, a account, res bootstrap.Result) {
				b := aws.String(res.Bucket.Name)
				must(t)(a.S3.DeleteBucketOwnershipControls(ctx, &s3.DeleteBucketOwnershipControlsInput{Bucket: b}))
				must(t)(a.S3.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: b}))
				must(t)(a.S3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b,
					VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusSuspended}}))
				must(t)(a.S3.DeleteBucketEncryption(ctx, &s3.DeleteBucketEncryptionInput{Bucket: b}))
				must(t)(a.S3.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: b}))
				must(t)(a.KMS.DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: aws.String(res.Key.ARN)}))
			},
			wantBucket: allBucketSettings,
			wantKey:    []bootstrap.Setting{bootstrap.SettingRotation},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := newAccount(t, "eu-west-2")
			opts := bootstrap.Options{Stack: "stag"}
			first := a.run(t, opts)
			tc.drift(t, a, first)

			got := a.run(t, opts)
			if got.Bucket.Status != bootstrap.Existed || !slices.Equal(got.Bucket.Changed, tc.wantBucket) {
				t.Errorf("bucket = %s, repaired %s; want existed, repaired %s",
					got.Bucket.Status, settingsString(got.Bucket.Changed), settingsString(tc.wantBucket))
			}
			if got.Key.Status != bootstrap.Existed || got.Key.ARN != first.Key.ARN || !slices.Equal(got.Key.Changed, tc.wantKey) {
				t.Errorf("key = %+v; want %s existed, repaired %s", got.Key, first.Key.ARN, settingsString(tc.wantKey))
			}
			wantEnc := tc.encryption
			if wantEnc == "" {
				wantEnc = s3types.ServerSideEncryptionAes256
			}
			a.assertBucketEncryptedWith(t, got.Bucket.Name, wantEnc)
			a.assertKey(t, got.Key.Alias, first.Key.ARN, 1)
			if tc.extraChecks != nil {
				tc.extraChecks(t, a, got.Bucket.Name)
			}

			again := a.run(t, opts)
			if len(again.Bucket.Changed)+len(again.Key.Changed) != 0 {
				t.Errorf("run after the repair changed %s and %s; want nothing", settingsString(again.Bucket.Changed), settingsString(again.Key.Changed))
			}
		})
	}
}

// TestRunCompletesPartialWork starts from what an interrupted run (or an operator by hand)
// leaves behind.
func TestRunCompletesPartialWork(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name string
		// before leaves the account half-done; it returns the ARN of a key Run must adopt, if any.
		before         func(t *testing.T, a account) string
		wantBucket     bootstrap.Status
		wantKey        bootstrap.Status
		wantKeyChanged []bootstrap.Setting
		wantKeys       int
	}{
		{
			name: "bare bucket, no key",
			before: func(t *testing.T, a account) string {
				must(t)(a.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(a.bucketName()),
					CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintEuWest2}}))
				return ""
			},
			wantBucket: bootstrap.Existed, wantKey: bootstrap.Created,
			wantKeyChanged: []bootstrap.Setting{bootstrap.SettingAlias, bootstrap.SettingRotation}, wantKeys: 1,
		},
		{
			name: "key created, alias never made",
			before: func(t *testing.T, a account) string {
				out, err := a.KMS.CreateKey(ctx, symmetric([]kmstypes.Tag{
					{TagKey: aws.String(bootstrap.TagAlias), TagValue: aws.String("alias/flip-hub-stag-secrets")}}))
				must(t)(out, err)
				return aws.ToString(out.KeyMetadata.Arn)
			},
			wantBucket: bootstrap.Created, wantKey: bootstrap.Existed,
			wantKeyChanged: []bootstrap.Setting{bootstrap.SettingAlias, bootstrap.SettingRotation}, wantKeys: 1,
		},
		{
			name: "alias made by hand on an untagged key",
			before: func(t *testing.T, a account) string {
				out, err := a.KMS.CreateKey(ctx, symmetric(nil))
				must(t)(out, err)
				must(t)(a.KMS.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/flip-hub-stag-secrets"), TargetKeyId: out.KeyMetadata.KeyId}))
				return aws.ToString(out.KeyMetadata.Arn)
			},
			wantBucket: bootstrap.Created, wantKey: bootstrap.Existed,
			wantKeyChanged: []bootstrap.Setting{bootstrap.SettingRotation}, wantKeys: 1,
		},
		{
			name: "tagged key pending deletion is not adopted",
			before: func(t *testing.T, a account) string {
				out, err := a.KMS.CreateKey(ctx, symmetric([]kmstypes.Tag{
					{TagKey: aws.String(bootstrap.TagAlias), TagValue: aws.String("alias/flip-hub-stag-secrets")}}))
				must(t)(out, err)
				must(t)(a.KMS.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: out.KeyMetadata.KeyId, PendingWindowInDays: aws.Int32(7)}))
				return ""
			},
			wantBucket: bootstrap.Created, wantKey: bootstrap.Created,
			wantKeyChanged: []bootstrap.Setting{bootstrap.SettingAlias, bootstrap.SettingRotation}, wantKeys: 2,
		},
		{
			name: "a key tagged for another stack is not adopted",
			before: func(t *testing.T, a account) string {
				out, err := a.KMS.CreateKey(ctx, symmetric([]kmstypes.Tag{
					{TagKey: aws.String(bootstrap.TagAlias), TagValue: aws.String("alias/flip-hub-prod-secrets")}}))
				must(t)(out, err)
				return ""
			},
			wantBucket: bootstrap.Created, wantKey: bootstrap.Created,
			wantKeyChanged: []bootstrap.Setting{bootstrap.SettingAlias, bootstrap.SettingRotation}, wantKeys: 2,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := newAccount(t, "eu-west-2")
			adopt := tc.before(t, a)
			got := a.run(t, bootstrap.Options{Stack: "stag"})
			if got.Bucket.Status != tc.wantBucket {
				t.Errorf("bucket status = %s; want %s", got.Bucket.Status, tc.wantBucket)
			}
			if got.Key.Status != tc.wantKey || !slices.Equal(got.Key.Changed, tc.wantKeyChanged) {
				t.Errorf("key = %+v; want %s, set %s", got.Key, tc.wantKey, settingsString(tc.wantKeyChanged))
			}
			if adopt != "" && got.Key.ARN != adopt {
				t.Errorf("key ARN = %s; want the existing %s adopted", got.Key.ARN, adopt)
			}
			a.assertBucket(t, got.Bucket.Name)
			a.assertKey(t, got.Key.Alias, got.Key.ARN, tc.wantKeys)
		})
	}
}

// TestRunRefuses covers states Run must not paper over: it fails, says what to do, and creates
// nothing in their place.
func TestRunRefuses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name   string
		before func(t *testing.T, a account)
		opts   func(a account) bootstrap.Options
		want   []string
	}{
		{
			name: "alias names a disabled key",
			before: func(t *testing.T, a account) {
				out, err := a.KMS.CreateKey(ctx, symmetric(nil))
				must(t)(out, err)
				must(t)(a.KMS.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/flip-hub-stag-secrets"), TargetKeyId: out.KeyMetadata.KeyId}))
				must(t)(a.KMS.DisableKey(ctx, &kms.DisableKeyInput{KeyId: out.KeyMetadata.KeyId}))
			},
			want: []string{"alias/flip-hub-stag-secrets", "Disabled", "enable it"},
		},
		{
			name: "alias names an asymmetric key",
			before: func(t *testing.T, a account) {
				out, err := a.KMS.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: kmstypes.KeySpecRsa2048, KeyUsage: kmstypes.KeyUsageTypeSignVerify})
				must(t)(out, err)
				must(t)(a.KMS.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/flip-hub-stag-secrets"), TargetKeyId: out.KeyMetadata.KeyId}))
			},
			want: []string{"alias/flip-hub-stag-secrets", "RSA_2048", "SYMMETRIC_DEFAULT"},
		},
		{
			name: "our bucket name is in another region",
			before: func(t *testing.T, a account) {
				west1 := accountIn(moto, a.ID, "us-west-1")
				must(t)(west1.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("flip-state-" + a.ID),
					CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintUsWest1}}))
			},
			opts: func(a account) bootstrap.Options {
				return bootstrap.Options{Stack: "stag", BucketName: "flip-state-" + a.ID}
			},
			want: []string{"flip-state-", "us-west-1", "not eu-west-2", "bucket-name"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := newAccount(t, "eu-west-2")
			tc.before(t, a)
			keysBefore := a.keyCount(t)
			opts := bootstrap.Options{Stack: "stag"}
			if tc.opts != nil {
				opts = tc.opts(a)
			}
			_, err := bootstrap.Run(ctx, a.Run, opts)
			if err == nil {
				t.Fatal("Run succeeded; want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if n := a.keyCount(t); n != keysBefore {
				t.Errorf("account holds %d keys after the refusal; want the %d it had", n, keysBefore)
			}
		})
	}
}

// TestRunBucketOfAnotherAccount: S3 bucket names are global. moto shares them across accounts
// and answers CreateBucket from a second account with BucketAlreadyExists, as S3 does, so the
// real path is tested here (TestClassifyCreateBucket covers the codes on their own).
func TestRunBucketOfAnotherAccount(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a := newAccount(t, "eu-west-2")
	squatter := newAccount(t, "eu-west-2")
	must(t)(squatter.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(a.bucketName()),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintEuWest2}}))

	res, err := bootstrap.Run(ctx, a.Run, bootstrap.Options{Stack: "stag"})
	if !errors.Is(err, bootstrap.ErrBucketTaken) {
		t.Fatalf("Run = %v; want ErrBucketTaken", err)
	}
	for _, w := range []string{a.bucketName(), "another AWS account", "option bucket-name"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not mention %q", err, w)
		}
	}
	if res.Key.ARN != "" || a.keyCount(t) != 0 {
		t.Errorf("a key was made although the bucket failed: %+v", res.Key)
	}
	// The other account's bucket is untouched: no versioning, no policy from us.
	ver, err := squatter.S3.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(a.bucketName())})
	if err != nil || ver.Status == s3types.BucketVersioningStatusEnabled {
		t.Errorf("the other account's bucket versioning = %v, %v; want untouched", ver, err)
	}
	if _, err := squatter.S3.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(a.bucketName())}); code(err) != "NoSuchBucketPolicy" {
		t.Errorf("the other account's bucket policy: err = %v; want NoSuchBucketPolicy", err)
	}

	// The advice works: another name succeeds.
	other := "flip-hub-state-" + a.ID
	got := a.run(t, bootstrap.Options{Stack: "stag", BucketName: other})
	if got.Bucket.Name != other || got.Bucket.Status != bootstrap.Created {
		t.Errorf("with option bucket-name: bucket = %+v; want %s created", got.Bucket, other)
	}
	a.assertBucket(t, other)
}

// TestRunChecksOptionsBeforeAWS points Run at a loopback server that counts requests: a bad
// option must fail without one.
func TestRunChecksOptionsBeforeAWS(t *testing.T) {
	t.Parallel()
	var hits atomic.Int64
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	srv := &httptest.Server{Listener: l, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		http.Error(w, "no", http.StatusInternalServerError)
	})}}
	srv.Start()
	t.Cleanup(srv.Close)

	tests := []struct {
		name       string
		region     string
		opts       bootstrap.Options
		wantOption string
		want       []string
	}{
		{name: "empty stack", opts: bootstrap.Options{}, wantOption: "stack", want: []string{`option stack: ""`, `"stag"`}},
		{name: "upper case", opts: bootstrap.Options{Stack: "Prod"}, wantOption: "stack", want: []string{`"Prod"`, `"prod"`}},
		{name: "starts with a digit", opts: bootstrap.Options{Stack: "1stag"}, wantOption: "stack"},
		{name: "underscore", opts: bootstrap.Options{Stack: "stag_eu"}, wantOption: "stack"},
		{name: "shell character", opts: bootstrap.Options{Stack: "stag'; rm -rf ~"}, wantOption: "stack"},
		{name: "32 characters", opts: bootstrap.Options{Stack: "a" + strings.Repeat("b", 31)}, wantOption: "stack"},
		{name: "bucket with upper case", opts: bootstrap.Options{Stack: "stag", BucketName: "Flip-State"}, wantOption: "bucket-name",
			want: []string{`option bucket-name: "Flip-State"`}},
		{name: "bucket with a dot", opts: bootstrap.Options{Stack: "stag", BucketName: "flip.state"}, wantOption: "bucket-name"},
		{name: "bad region", region: "london", opts: bootstrap.Options{Stack: "stag"}, want: []string{`aws region "london"`, "eu-west-2"}},
		{name: "no region", region: "-", opts: bootstrap.Options{Stack: "stag"}, want: []string{`aws region ""`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testmoto.AWSConfig(srv.URL)
			switch tc.region {
			case "":
			case "-":
				cfg.Region = ""
			default:
				cfg.Region = tc.region
			}
			before := hits.Load()
			_, err := bootstrap.Run(context.Background(), bootstrap.NewClients(cfg), tc.opts)
			if err == nil {
				t.Fatal("Run succeeded; want an error")
			}
			if n := hits.Load() - before; n != 0 {
				t.Errorf("Run made %d AWS requests before failing; want 0", n)
			}
			var oe *bootstrap.OptionError
			switch {
			case tc.wantOption == "" && errors.As(err, &oe):
				t.Errorf("error %v is an OptionError; want a region error", err)
			case tc.wantOption != "" && (!errors.As(err, &oe) || oe.Option != tc.wantOption):
				t.Errorf("error %v; want an OptionError for %s", err, tc.wantOption)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %s", err, w)
				}
			}
		})
	}
	// The counter counts: a valid run against the same server reaches it (and fails there).
	if _, err := bootstrap.Run(context.Background(), bootstrap.NewClients(testmoto.AWSConfig(srv.URL)), bootstrap.Options{Stack: "stag"}); err == nil || hits.Load() == 0 {
		t.Fatalf("a valid run made %d requests (err %v); want it to reach the server", hits.Load(), err)
	}
}

// symmetric is CreateKey's input for a key as `aws kms create-key` makes one. KeyUsage is spelled
// out because moto leaves it empty when it is not given, where KMS defaults it to ENCRYPT_DECRYPT.
func symmetric(tags []kmstypes.Tag) *kms.CreateKeyInput {
	return &kms.CreateKeyInput{KeySpec: kmstypes.KeySpecSymmetricDefault, KeyUsage: kmstypes.KeyUsageTypeEncryptDecrypt, Tags: tags}
}

// must fails t on a set-up call's error: must(t)(client.Call(ctx, in)).
func must(t *testing.T) func(any, error) {
	return func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("setting up: %v", err)
		}
	}
}
