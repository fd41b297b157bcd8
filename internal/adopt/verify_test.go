package adopt

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/londonaicentre/flip-hub/config"
	"github.com/londonaicentre/flip-hub/internal/testmoto"
)

// TestVerify checks findings against a real moto account: what exists stays imported, what the
// state names but the account lacks is dropped with a warning, and a secret scheduled for
// deletion stays imported with the command that restores it.
func TestVerify(t *testing.T) {
	srv := testmoto.Start(t)
	cfg := testmoto.AWSConfig(srv.URL)
	ctx := context.Background()
	l := LookupsFrom(cfg)

	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("flipstag-fl-results"),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintEuWest2}}); err != nil {
		t.Fatal(err)
	}
	key, err := kms.NewFromConfig(cfg).CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	sm := secretsmanager.NewFromConfig(cfg)
	secret, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("FLIP_API"), SecretString: aws.String(`{"aes_key":"x"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sm.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: secret.ARN, RecoveryWindowInDays: aws.Int64(7)}); err != nil {
		t.Fatal(err)
	}
	idp := cip.NewFromConfig(cfg)
	pool, err := idp.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("flip-user-pool")})
	if err != nil {
		t.Fatal(err)
	}
	poolID := aws.ToString(pool.UserPool.Id)
	client, err := idp.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(poolID), ClientName: aws.String("client")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := idp.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: aws.String(poolID), Domain: aws.String("k3x9q2mz")}); err != nil {
		t.Fatal(err)
	}
	if _, err := idp.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(poolID), Username: aws.String("admin@example.org")}); err != nil {
		t.Fatal(err)
	}

	f := Findings{Imports: map[string]string{
		config.ImportKMSKey:                aws.ToString(key.KeyMetadata.KeyId),
		config.ImportFlipAPISecret:         aws.ToString(secret.ARN),
		config.ImportCognitoUserPool:       poolID,
		config.ImportCognitoDomain:         "k3x9q2mz",
		config.ImportCognitoAppClient:      poolID + "/" + aws.ToString(client.UserPoolClient.ClientId),
		config.ImportCognitoAdminUser:      poolID + "/admin@example.org",
		config.ImportCognitoResearcherUser: poolID + "/gone@example.org",
		config.ImportBucket("fl-results"):  "flipstag-fl-results",
		config.ImportBucket("app-bundles"): "flipstag-app-bundles",
	}, Rows: []Row{{Address: "module.flip_app_bundles_bucket.aws_s3_bucket.this", Action: Import,
		Key: config.ImportBucket("app-bundles"), ID: "flipstag-app-bundles"}}}
	if err := f.Verify(ctx, l); err != nil {
		t.Fatal(err)
	}
	var kept []string
	for k := range f.Imports {
		kept = append(kept, k)
	}
	slices.Sort(kept)
	want := []string{config.ImportBucket("fl-results"), config.ImportCognitoAdminUser, config.ImportCognitoAppClient,
		config.ImportCognitoDomain, config.ImportCognitoUserPool, config.ImportFlipAPISecret, config.ImportKMSKey}
	slices.Sort(want)
	if !slices.Equal(kept, want) {
		t.Errorf("kept imports %v; want %v (the missing bucket and researcher dropped)", kept, want)
	}
	// The two missing resources, and the FLIP_API values: in neither the state nor the secret
	// (scheduled for deletion, and without an internal service key).
	if len(f.Warnings) != 3 || !strings.Contains(f.Rows[0].Note, "not found in AWS") ||
		!slices.ContainsFunc(f.Warnings, func(w string) bool { return strings.Contains(w, "FLIP_API values are neither in the state") }) {
		t.Errorf("warnings %v, row note %q; want the two missing resources and the unread FLIP_API values named", f.Warnings, f.Rows[0].Note)
	}
	if !slices.ContainsFunc(f.Steps, func(s string) bool {
		return strings.Contains(s, "restore-secret --secret-id "+aws.ToString(secret.ARN))
	}) {
		t.Errorf("steps %v lack the secret's restore command", f.Steps)
	}

	// An AWS error other than "not found" stops the adoption.
	broken := LookupsFrom(testmoto.AWSConfig("http://127.0.0.1:1"))
	g := Findings{Imports: map[string]string{config.ImportKMSKey: "k"}}
	if err := g.Verify(ctx, broken); err == nil {
		t.Error("Verify against an unreachable endpoint succeeded")
	}
}

// TestVerifyReadsTheSecret: with --aws, FLIP_API values the state lacks are read from the secret.
func TestVerifyReadsTheSecret(t *testing.T) {
	srv := testmoto.Start(t)
	cfg := testmoto.AWSConfig(srv.URL)
	ctx := context.Background()
	const aes, isk = "Zml4dHVyZS1hZXMta2V5LW5vdC1hLXJlYWwta2V5ISE=", "FixtureInternalServiceKey-not-a-real-one-0000"
	secret, err := secretsmanager.NewFromConfig(cfg).CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("FLIP_API"),
		SecretString: aws.String(`{"aes_key":"` + aes + `","internal_service_key":"` + isk + `"}`)})
	if err != nil {
		t.Fatal(err)
	}
	f := Findings{Imports: map[string]string{config.ImportFlipAPISecret: aws.ToString(secret.ARN)}}
	if err := f.Verify(ctx, LookupsFrom(cfg)); err != nil {
		t.Fatal(err)
	}
	if f.Secrets[config.KeyFlipAPIAESKey] != aes || f.Secrets[config.KeyFlipAPIInternalServiceKey] != isk {
		t.Errorf("secrets read for %v; want both FLIP_API values", f.Secrets.Keys())
	}
}
