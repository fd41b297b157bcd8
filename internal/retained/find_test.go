package retained

import (
	"context"
	"maps"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/londonaicentre/flip-hub/config"
	"github.com/londonaicentre/flip-hub/internal/testmoto"
)

// account is what a destroy of stack flip-stag left in a moto account.
type account struct {
	keyID, secretARN, poolID, clientID string
}

const (
	aesKey     = "Zml4dHVyZS1hZXMta2V5LW5vdC1hLXJlYWwta2V5ISE="
	serviceKey = "FixtureInternalServiceKey-not-a-real-one-0000"
)

// retainedTargets are the targets of stack flip-stag, as Targets reads them from its plan.
var retainedTargets = []Target{
	{Key: config.ImportKMSAlias, Type: typeAlias, Name: "stack", Physical: "alias/flip-stag"},
	{Key: config.ImportFlipAPISecret, Type: typeSecret, Name: "flip-api", Physical: "flip-stag-flip-api"},
	{Key: config.ImportCognitoUserPool, Type: typePool, Name: "users", Physical: "flip-stag-users"},
	{Key: config.ImportCognitoDomain, Type: typeDomain, Name: "users", Physical: "flip-stag-k3x9"},
	{Key: config.ImportCognitoAppClient, Type: typeClient, Name: "spa", Physical: "flip-stag-spa"},
	{Key: config.ImportCognitoAdminUser, Type: typeUser, Name: "admin", Physical: "admin@example.org"},
	{Key: config.ImportCognitoResearcherUser, Type: typeUser, Name: "researcher", Physical: "researcher@example.org"},
	{Key: config.ImportBucket("fl-results"), Type: typeBucket, Name: "fl-results", Physical: "flip-stag-fl-results"},
	{Key: config.ImportBucket("app-bundles"), Type: typeBucket, Name: "app-bundles", Physical: "flip-stag-app-bundles"},
}

// seed creates in moto: the key (scheduled for deletion) and its alias, the FLIP_API secret
// (scheduled for deletion), the pool with its domain, an app client, the admin user (not the
// researcher), another pool, and one of the two buckets.
func seed(t *testing.T, cfg aws.Config, poolCopies int) account {
	t.Helper()
	ctx := context.Background()
	var a account
	k := kms.NewFromConfig(cfg)
	key, err := k.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	a.keyID = aws.ToString(key.KeyMetadata.KeyId)
	if _, err := k.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/flip-stag"), TargetKeyId: key.KeyMetadata.KeyId}); err != nil {
		t.Fatal(err)
	}
	if _, err := k.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: key.KeyMetadata.KeyId, PendingWindowInDays: aws.Int32(7)}); err != nil {
		t.Fatal(err)
	}
	sm := secretsmanager.NewFromConfig(cfg)
	secret, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("flip-stag-flip-api"),
		SecretString: aws.String(`{"aes_key":"` + aesKey + `","internal_service_key":"` + serviceKey + `","internal_service_key_hash":"x"}`)})
	if err != nil {
		t.Fatal(err)
	}
	a.secretARN = aws.ToString(secret.ARN)
	if _, err := sm.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: secret.ARN, RecoveryWindowInDays: aws.Int64(7)}); err != nil {
		t.Fatal(err)
	}
	idp := cip.NewFromConfig(cfg)
	for i := range poolCopies {
		pool, err := idp.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("flip-stag-users")})
		if err != nil {
			t.Fatal(err)
		}
		if i > 0 {
			continue
		}
		a.poolID = aws.ToString(pool.UserPool.Id)
		client, err := idp.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: pool.UserPool.Id, ClientName: aws.String("flip-stag-spa")})
		if err != nil {
			t.Fatal(err)
		}
		a.clientID = aws.ToString(client.UserPoolClient.ClientId)
		if _, err := idp.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: pool.UserPool.Id, Domain: aws.String("flip-stag-k3x9")}); err != nil {
			t.Fatal(err)
		}
		if _, err := idp.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: pool.UserPool.Id, Username: aws.String("admin@example.org")}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := idp.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("flip-prod-users")}); err != nil {
		t.Fatal(err)
	}
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("flip-stag-fl-results"),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintEuWest2}}); err != nil {
		t.Fatal(err)
	}
	return a
}

// TestFind looks for a destroyed stag's resources in a moto account: what exists is adopted
// under its import ID, what is scheduled for deletion is restored (not in a dry run), the
// secret's FLIP_API values are read, and two pools of the pool's name are refused.
func TestFind(t *testing.T) {
	cases := []struct {
		name    string
		dryRun  bool
		pools   int
		wantErr string
	}{
		{name: "adopts and restores", pools: 1},
		{name: "dry run restores nothing", dryRun: true, pools: 1},
		{name: "two pools of one name", pools: 2, wantErr: "2 user pools are named flip-stag-users"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := testmoto.Start(t)
			cfg := testmoto.AWSConfig(srv.URL)
			a := seed(t, cfg, tc.pools)
			ctx := context.Background()
			found, err := Find(ctx, ClientsFrom(cfg), retainedTargets, tc.dryRun)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Find: %v; want an error with %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]string{
				config.ImportKMSKey:               a.keyID,
				config.ImportKMSAlias:             "alias/flip-stag",
				config.ImportFlipAPISecret:        a.secretARN,
				config.ImportCognitoUserPool:      a.poolID,
				config.ImportCognitoDomain:        "flip-stag-k3x9",
				config.ImportCognitoAppClient:     a.poolID + "/" + a.clientID,
				config.ImportCognitoAdminUser:     a.poolID + "/admin@example.org",
				config.ImportBucket("fl-results"): "flip-stag-fl-results",
			}
			if !maps.Equal(found.Imports, want) {
				t.Errorf("imports\n got %v\nwant %v", found.Imports, want)
			}
			key, err := kms.NewFromConfig(cfg).DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(a.keyID)})
			if err != nil {
				t.Fatal(err)
			}
			secret, err := secretsmanager.NewFromConfig(cfg).DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(a.secretARN)})
			if err != nil {
				t.Fatal(err)
			}
			restored := key.KeyMetadata.KeyState == kmstypes.KeyStateEnabled && secret.DeletedDate == nil
			if restored == tc.dryRun {
				t.Errorf("key %s, secret deleted %v; want them restored: %v", key.KeyMetadata.KeyState, secret.DeletedDate, !tc.dryRun)
			}
			wantSecrets := map[string]string{config.KeyFlipAPIAESKey: aesKey, config.KeyFlipAPIInternalServiceKey: serviceKey}
			if tc.dryRun {
				wantSecrets = map[string]string{}
			}
			if !maps.Equal(map[string]string(found.Secrets), wantSecrets) {
				t.Errorf("secret values for %v; want %v", found.Secrets.Keys(), wantSecrets)
			}
		})
	}
}
