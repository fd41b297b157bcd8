package flip

import "strings"

// flip-api and fl-server read every bucket setting as an s3:// URL: the bucket is the URL's
// host and the key prefix its path without the leading slash.
// [flip-api/src/flip_api/utils/s3_client.py @050ecd9]

// The bucket settings flip-api reads; fl-server reads UPLOADED_FEDERATED_DATA_BUCKET only.
// [deploy/compose.production.yml; deploy/compose.production.{nvflare,flower}.yml]
const (
	EnvUploadedModelFiles    = "UPLOADED_MODEL_FILES_BUCKET"
	EnvScannedModelFiles     = "SCANNED_MODEL_FILES_BUCKET"
	EnvUploadedFederatedData = "UPLOADED_FEDERATED_DATA_BUCKET"
	EnvFLAppBase             = "FL_APP_BASE_BUCKET"
	EnvFLAppDestination      = "FL_APP_DESTINATION_BUCKET"
)

// The key prefixes upstream gives each setting. Uploaded and scanned model files share one
// location: nothing moves an upload elsewhere after scanning (a FIXME upstream). Results live
// under results/ to work around a leading-slash bug in the FL package's upload key (FLIP#465).
// [.env.development.example @01328ab; deploy/providers/AWS/locals.tf @01328ab]
const (
	PrefixUploaded        = "uploaded"
	PrefixResults         = "results"
	PrefixBaseApplication = "base-application"
	PrefixAppDestinations = "app_destinations"
)

// S3URI is an s3://bucket/prefix setting as flip-api parses it.
func S3URI(bucket, prefix string) string {
	prefix = strings.Trim(prefix, "/")
	if prefix == "" {
		return "s3://" + bucket
	}
	return "s3://" + bucket + "/" + prefix
}

// BaseApplicationPrefix is where FL_APP_BASE_BUCKET points for a backend: the FL-apps
// workflows sync fl-apps/<backend>/ there.
// [.github/workflows/fl-apps-push-s3-prod.yml @2549908; fl-apps-push-s3-prod-flower.yml @7fed455]
func BaseApplicationPrefix(backend string) string { return PrefixBaseApplication + "/" + backend }

// BaseApplicationManifest is the file at the top of the base-application prefix that lists
// the job types' required files; flip-api refuses to bundle a job without it.
// [fl-apps/<backend>/required_files.json; flip-api pull_required_files.py]
const BaseApplicationManifest = "required_files.json"
