package bootstrap_test

import (
	"fmt"

	"github.com/londonaicentre/flip-hub/internal/bootstrap"
)

// What hubctl bootstrap prints after bootstrap.Run on a fresh account.
func ExampleResult_NextSteps() {
	res := bootstrap.Result{
		Stack: "stag", Account: "123456789012", Region: "eu-west-2",
		Bucket: bootstrap.BucketResult{
			Name: bootstrap.DefaultBucketName("123456789012", "eu-west-2"), Status: bootstrap.Created,
			Changed: []bootstrap.Setting{bootstrap.SettingPublicAccess, bootstrap.SettingVersioning},
		},
		Key: bootstrap.KeyResult{
			Alias: bootstrap.Alias("stag"), ARN: "arn:aws:kms:eu-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
			Status: bootstrap.Created, Changed: []bootstrap.Setting{bootstrap.SettingAlias, bootstrap.SettingRotation},
		},
	}
	for _, line := range res.Summary() {
		fmt.Println(line)
	}
	fmt.Println()
	for _, line := range res.NextSteps() {
		fmt.Println(line)
	}
	// Output:
	// state bucket flip-hub-pulumi-state-123456789012-eu-west-2 (account 123456789012, eu-west-2): created; set public access block, versioning
	// secrets key alias/flip-hub-stag-secrets (arn:aws:kms:eu-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab): created; set alias, key rotation
	//
	// pulumi login 's3://flip-hub-pulumi-state-123456789012-eu-west-2?region=eu-west-2&awssdk=v2'
	// pulumi stack init stag --secrets-provider 'awskms://alias/flip-hub-stag-secrets?region=eu-west-2'
}
