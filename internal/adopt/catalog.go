package adopt

import (
	"github.com/londonaicentre/flip-hub/config"
	"github.com/londonaicentre/flip-hub/internal/deploy"
)

// Keys of flip-hub's imports map: config's.
const (
	ImportKMSKey          = config.ImportKMSKey
	ImportFlipAPISecret   = config.ImportFlipAPISecret
	ImportCognitoUserPool = config.ImportCognitoUserPool
)

// ImportBucket is the imports key that adopts the app bucket of a purpose (deploy.BucketPurposes).
func ImportBucket(purpose string) string { return config.ImportBucket(purpose) }

// upstreamBucket is one of upstream's application bucket modules (services.tf, the three
// module.flip_*_bucket calls of modules/flip_s3_bucket) and the flip-hub purpose it becomes.
type upstreamBucket struct {
	module  string
	purpose string
}

var upstreamBuckets = []upstreamBucket{
	{"module.flip_model_files_uploads_bucket", deploy.BucketModelFilesUploads},
	{"module.flip_fl_results_bucket", deploy.BucketFLResults},
	{"module.flip_app_bundles_bucket", deploy.BucketAppBundles},
}

// Upstream's module paths and root addresses that this package recognises. Older (G1) states
// hold Cognito and SES at the root: upstream's `moved` blocks (services.tf for Cognito, main.tf
// for SES) map each old address to the module one, so both are read the same way.
const (
	moduleSecret  = "module.flip_api_secret"
	moduleCognito = "module.cognito"
	moduleSES     = "module.ses"
)

// expected lists every address upstream's import-resources.sh imports in its module-based
// version [deploy/providers/AWS/scripts/import-resources.sh @c95ec9a], each with the addresses
// the same resource has had in older states (the `moved` blocks' from-addresses, and later
// count-gated forms). A resource is found under any of them; cert_validation is matched by its
// resource address because its key is the hub's domain.
var expected = []struct {
	address string
	aliases []string
}{
	{"module.flip_model_files_uploads_bucket.aws_s3_bucket.this", nil},
	{"module.flip_model_files_uploads_bucket.aws_s3_bucket_public_access_block.this", nil},
	{"module.flip_model_files_uploads_bucket.aws_s3_bucket_server_side_encryption_configuration.this", nil},
	{"module.flip_model_files_uploads_bucket.aws_s3_bucket_versioning.this", nil},
	{"module.flip_model_files_uploads_bucket.aws_s3_bucket_cors_configuration.this[0]", nil},
	{"module.flip_fl_results_bucket.aws_s3_bucket.this", nil},
	{"module.flip_fl_results_bucket.aws_s3_bucket_public_access_block.this", nil},
	{"module.flip_fl_results_bucket.aws_s3_bucket_server_side_encryption_configuration.this", nil},
	{"module.flip_fl_results_bucket.aws_s3_bucket_versioning.this", nil},
	{"module.flip_fl_results_bucket.aws_s3_bucket_cors_configuration.this[0]", nil},
	{"module.flip_app_bundles_bucket.aws_s3_bucket.this", nil},
	{"module.flip_app_bundles_bucket.aws_s3_bucket_public_access_block.this", nil},
	{"module.flip_app_bundles_bucket.aws_s3_bucket_server_side_encryption_configuration.this", nil},
	{"module.flip_app_bundles_bucket.aws_s3_bucket_versioning.this", nil},
	{"aws_s3_bucket.aicentre_bucket", nil},
	{"aws_s3_bucket_cors_configuration.aicentre_bucket_cors", nil},
	{"module.flip_api_secret.aws_secretsmanager_secret.this[0]", nil},
	{"module.flip_api_secret.aws_secretsmanager_secret_version.this[0]", []string{"module.flip_api_secret.aws_secretsmanager_secret_version.ignore_changes[0]"}},
	{"module.cognito.aws_cognito_user_pool.flip_user_pool", []string{"aws_cognito_user_pool.flip_user_pool"}},
	{"module.cognito.aws_cognito_user_pool_domain.main", []string{"aws_cognito_user_pool_domain.main"}},
	{"module.cognito.random_string.cognito_domain", []string{"random_string.cognito_domain"}},
	{"module.cognito.aws_cognito_user_pool_client.client", []string{"aws_cognito_user_pool_client.client"}},
	{"module.cognito.aws_cognito_user.admin_user", []string{"aws_cognito_user.admin_user"}},
	{"module.cognito.aws_cognito_user.researcher_user[0]", []string{"aws_cognito_user.researcher_user"}},
	{"module.ses.aws_ses_email_identity.flip_sender", []string{"aws_ses_email_identity.flip_sender"}},
	{"aws_acm_certificate.flip", nil},
	{"aws_acm_certificate_validation.flip", nil},
	{`aws_route53_record.cert_validation["<domain>"]`, []string{"aws_route53_record.cert_validation"}},
	{"aws_route53_record.fl_server_nlb", []string{"aws_route53_record.fl_server_nlb[0]"}},
}
