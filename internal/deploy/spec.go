package deploy

import (
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"

	"github.com/londonaicentre/flip-hub/internal/awsid"
	"github.com/londonaicentre/flip-hub/internal/flip"
)

// Backend is the federated-learning framework the hub runs (internal/flip).
type Backend = flip.Backend

// The supported backends.
const (
	NVFlare = flip.NVFlare
	Flower  = flip.Flower
)

// Fixed facts of the hub host (FLIP-FACTS.md, "Hub host containers").
const (
	// Dir is the project directory of the compose stack on the host.
	Dir = "/opt/flip"
	// ServicesDir holds the FL kits and runtime dirs bind-mounted into the FL containers.
	ServicesDir = Dir + "/services"
	// ProjectName is the compose project name.
	ProjectName = "flip"
	// Net is the one FL network the hub runs.
	Net = "net-1"
	// APIPort is flip-api's port, in its container and on the host (the ALB targets it).
	APIPort = 8000
	// HealthPath is flip-api's health endpoint.
	HealthPath = "/api/health"
	// InternalServiceKeyHeader is the header fl-server authenticates to flip-api with.
	InternalServiceKeyHeader = "X-Internal-Service-Key"
	// DefaultTrustAPIKeyHeader is the header trusts authenticate to flip-api with.
	DefaultTrustAPIKeyHeader = "Authorization"
	// DefaultLogLevel is flip-api's and the FL services' LOG_LEVEL.
	DefaultLogLevel = "INFO"
	// DefaultRegistryUser is the user name for `docker login`. GHCR authenticates the token
	// alone; the name only has to be non-empty.
	DefaultRegistryUser = "flip-hub"
	// DefaultHealthTimeout bounds the wait for flip-api's health after `docker compose up`.
	// flip-api creates its tables and seeds its kit-slot pool on first boot.
	DefaultHealthTimeout = 5 * time.Minute
)

// Service names in the compose file. fl-server and fl-api carry the net suffix because FLIP's
// images address each other by these names (e.g. SUPERLINK_ADDRESS=fl-server-net-1:9093).
const (
	ServiceFlipAPI  = "flip-api"
	ServiceFLAPI    = "fl-api-" + Net
	ServiceFLServer = "fl-server-" + Net
	// ServiceRegisterKeys is Flower's one-shot registration of the SuperNode public keys.
	ServiceRegisterKeys = "register-supernode-keys-" + Net
)

// Bucket purposes, as the data layer keys its bucket names (config.AppBuckets).
const (
	// BucketModelFilesUploads receives the model files researchers upload (presigned POST);
	// flip-api reads them under uploaded/ for both the uploaded and the scanned setting.
	BucketModelFilesUploads = "model-files-uploads"
	// BucketFLResults holds FL results under results/, downloaded with presigned GETs.
	BucketFLResults = "fl-results"
	// BucketAppBundles holds the FL base application under base-application/<backend>/ and the
	// per-model job bundles flip-api assembles under app_destinations/.
	BucketAppBundles = "app-bundles"
	// BucketFLKits holds the FL participant kits in FLIP's provisioning layout.
	BucketFLKits = "fl-kits"
)

// BucketPurposes lists every application bucket a deploy needs: upstream's split of the
// buckets (deploy/providers/AWS/services.tf module.flip_model_files_uploads_bucket,
// flip_fl_results_bucket, flip_app_bundles_bucket, and the aicentre bucket for kits).
var BucketPurposes = []string{BucketModelFilesUploads, BucketFLResults, BucketAppBundles, BucketFLKits}

// Buckets are the application bucket names of a hub.
type Buckets struct {
	ModelFilesUploads string
	FLResults         string
	AppBundles        string
	FLKits            string
}

// BucketsFromMap picks the bucket names out of a map keyed by purpose (the data layer's
// BucketNames output), failing on a missing purpose.
func BucketsFromMap(m map[string]string) (Buckets, error) {
	var missing []string
	get := func(purpose string) string {
		v := m[purpose]
		if v == "" {
			missing = append(missing, purpose)
		}
		return v
	}
	b := Buckets{
		ModelFilesUploads: get(BucketModelFilesUploads),
		FLResults:         get(BucketFLResults),
		AppBundles:        get(BucketAppBundles),
		FLKits:            get(BucketFLKits),
	}
	if len(missing) > 0 {
		return Buckets{}, fmt.Errorf("bucket names: no bucket for %s", strings.Join(missing, ", "))
	}
	return b, nil
}

// ObjectGrants are the object key patterns ("bucket/prefix/*") the hub host writes and those it
// only reads, following the settings' prefixes: flip-api signs uploads under uploaded/, writes job
// bundles under app_destinations/ and fl-server writes results under results/; the base
// application and the FL kits are published by operators and only read on the host.
func (b Buckets) ObjectGrants() (readWrite, readOnly []string) {
	return b.ReadWriteGrants(), b.ReadOnlyGrants()
}

// ReadWriteGrants are the object key patterns the hub host writes (ObjectGrants).
func (b Buckets) ReadWriteGrants() []string {
	obj := func(bucket, prefix string) string { return bucket + "/" + prefix + "/*" }
	return []string{
		obj(b.ModelFilesUploads, flip.PrefixUploaded),
		obj(b.FLResults, flip.PrefixResults),
		obj(b.AppBundles, flip.PrefixAppDestinations),
	}
}

// ReadOnlyGrants are the object key patterns the hub host only reads (ObjectGrants).
func (b Buckets) ReadOnlyGrants() []string {
	obj := func(bucket, prefix string) string { return bucket + "/" + prefix + "/*" }
	return []string{
		obj(b.AppBundles, flip.PrefixBaseApplication),
		obj(b.FLKits, flip.FlareKitsRoot),
		obj(b.FLKits, flip.FlowerKitsRoot),
	}
}

// FLServerGrants are the object key patterns fl-server's scoped credentials write: results only
// (it uploads each job's aggregated results under the results setting's prefix).
func (b Buckets) FLServerGrants() []string {
	return []string{b.FLResults + "/" + flip.PrefixResults + "/*"}
}

// Settings are the five bucket settings flip-api (and, for results, fl-server) read, as the
// s3:// URIs with upstream's prefixes (internal/flip).
func (b Buckets) Settings(backend Backend) map[string]string {
	return map[string]string{
		flip.EnvUploadedModelFiles:    flip.S3URI(b.ModelFilesUploads, flip.PrefixUploaded),
		flip.EnvScannedModelFiles:     flip.S3URI(b.ModelFilesUploads, flip.PrefixUploaded),
		flip.EnvUploadedFederatedData: flip.S3URI(b.FLResults, flip.PrefixResults),
		flip.EnvFLAppBase:             flip.S3URI(b.AppBundles, flip.BaseApplicationPrefix(string(backend))),
		flip.EnvFLAppDestination:      flip.S3URI(b.AppBundles, flip.PrefixAppDestinations),
	}
}

// Images are the container images, deployed together: an FL image older than flip-api gets
// HTTP 422 from the metrics and logs endpoints, which FL clients swallow.
type Images struct {
	// Registry and FLRegistry are prefixes ending in "/", e.g. ghcr.io/londonaicentre/.
	Registry   string
	Tag        string
	FLRegistry string
	FLTag      string
}

// Spec is everything a deploy renders from. It holds names, ARNs and settings only, never a
// secret value.
type Spec struct {
	Backend Backend
	Region  string
	Images  Images
	// FLPort is the host port the FL NLB forwards to fl-server.
	FLPort int

	LogLevel   string
	EnforceMFA bool
	// TrustAPIKeyHeader defaults to DefaultTrustAPIKeyHeader.
	TrustAPIKeyHeader string

	UserPoolID  string
	AppClientID string

	DBHost string
	DBPort int
	DBName string
	DBUser string
	// DBSecretARN is the RDS-managed master secret flip-api reads its password from.
	DBSecretARN string

	// FlipAPISecretName is the FLIP_API secret flip-api reads at runtime (AWS_SECRET_NAME);
	// FlipAPISecretARN is the same secret, which the script reads internal_service_key from.
	FlipAPISecretName string
	FlipAPISecretARN  string
	// RegistryTokenSecretARN is the registry token secret; "" pulls anonymously.
	RegistryTokenSecretARN string
	// RegistryUser defaults to DefaultRegistryUser.
	RegistryUser string
	// FLServerRoleARN is the role fl-server's scoped credentials come from: the host assumes it
	// and hands the container the result (host.go), never the instance role itself.
	FLServerRoleARN string

	SESAdminEmail  string
	SESSenderEmail string

	Buckets      Buckets
	KitDate      string
	KitSlotNames []string
	MinClients   int

	// HealthTimeout defaults to DefaultHealthTimeout.
	HealthTimeout time.Duration
}

var (
	registryRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?(/[a-z0-9._-]+)*/$`)
	tagRE      = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
	// plainRE is what may go into an env file, the compose file or the script unquoted-safe:
	// printable ASCII without quotes, backslash, dollar or backtick.
	plainRE   = regexp.MustCompile("^[^\\x00-\\x1f\\x7f'\"\\\\$`]*$")
	arnRE     = regexp.MustCompile(`^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@!-]+$`)
	nameRE    = regexp.MustCompile(`^[A-Za-z0-9/_+=.@!-]{1,512}$`)
	bucketRE  = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	kitDateRE = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)
	slotRE    = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)
	userRE    = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)
	levelRE   = regexp.MustCompile(`^(DEBUG|INFO|WARNING|ERROR|CRITICAL)$`)
	headerRE  = regexp.MustCompile(`^[A-Za-z0-9-]{1,64}$`)
	hostRE    = regexp.MustCompile(`^[A-Za-z0-9.-]{1,253}$`)
)

// withDefaults returns a copy of s with its zero optional fields filled in.
func (s Spec) withDefaults() Spec {
	if s.LogLevel == "" {
		s.LogLevel = DefaultLogLevel
	}
	if s.TrustAPIKeyHeader == "" {
		s.TrustAPIKeyHeader = DefaultTrustAPIKeyHeader
	}
	if s.RegistryUser == "" {
		s.RegistryUser = DefaultRegistryUser
	}
	if s.HealthTimeout == 0 {
		s.HealthTimeout = DefaultHealthTimeout
	}
	return s
}

// Validate reports every problem with s at once. Values that end up in rendered text must be
// plain (no quotes, backslashes, dollars, backticks or control characters), so rendering never
// depends on escaping being right.
func (s Spec) Validate() error {
	s = s.withDefaults()
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	match := func(field, v string, re *regexp.Regexp, want string) {
		if !re.MatchString(v) {
			bad("%s %q: want %s", field, v, want)
		}
	}

	if s.Backend != NVFlare && s.Backend != Flower {
		bad("backend %q: want %s or %s", s.Backend, NVFlare, Flower)
	}
	if !awsid.Region(s.Region) {
		bad("region %q: want an AWS region such as eu-west-2", s.Region)
	}
	match("registry", s.Images.Registry, registryRE, "a registry prefix ending in /, such as ghcr.io/londonaicentre/")
	match("fl registry", s.Images.FLRegistry, registryRE, "a registry prefix ending in /, such as ghcr.io/londonaicentre/")
	for _, t := range []struct{ field, v string }{{"tag", s.Images.Tag}, {"fl tag", s.Images.FLTag}} {
		match(t.field, t.v, tagRE, "an image tag such as sha-1a2b3c4")
		if t.v == "latest" {
			bad("%s latest is not pinned; want a commit tag such as sha-1a2b3c4", t.field)
		}
	}
	if s.FLPort < 1 || s.FLPort > 65535 || s.FLPort == APIPort || s.FLPort == 22 || s.FLPort == 3389 {
		bad("fl port %d: want 1-65535, not 22, 3389 or flip-api's %d", s.FLPort, APIPort)
	}
	match("log level", s.LogLevel, levelRE, "DEBUG, INFO, WARNING, ERROR or CRITICAL")
	match("trust api key header", s.TrustAPIKeyHeader, headerRE, "an HTTP header name")
	for _, f := range []struct{ field, v string }{
		{"user pool id", s.UserPoolID}, {"app client id", s.AppClientID}, {"db name", s.DBName}, {"db user", s.DBUser},
	} {
		if f.v == "" {
			bad("%s is empty", f.field)
		}
		match(f.field, f.v, plainRE, "no quotes, backslashes, $, backticks or control characters")
	}
	match("db host", s.DBHost, hostRE, "a host name")
	if s.DBPort < 1 || s.DBPort > 65535 {
		bad("db port %d: want 1-65535", s.DBPort)
	}
	match("db secret arn", s.DBSecretARN, arnRE, "a Secrets Manager secret ARN")
	match("flip-api secret name", s.FlipAPISecretName, nameRE, "a Secrets Manager secret name")
	match("flip-api secret arn", s.FlipAPISecretARN, arnRE, "a Secrets Manager secret ARN")
	if s.RegistryTokenSecretARN != "" {
		match("registry token secret arn", s.RegistryTokenSecretARN, arnRE, "a Secrets Manager secret ARN, or empty for public images")
	}
	match("registry user", s.RegistryUser, userRE, "a registry user name")
	match("fl-server role arn", s.FLServerRoleARN, roleARNRE, "an IAM role ARN")
	for _, e := range []struct{ field, v string }{{"ses admin email", s.SESAdminEmail}, {"ses sender email", s.SESSenderEmail}} {
		if a, err := mail.ParseAddress(e.v); err != nil || a.Address != e.v || !plainRE.MatchString(e.v) {
			bad("%s %q: want a bare email address", e.field, e.v)
		}
	}
	for _, b := range []struct{ field, v string }{
		{BucketModelFilesUploads, s.Buckets.ModelFilesUploads},
		{BucketFLResults, s.Buckets.FLResults},
		{BucketAppBundles, s.Buckets.AppBundles},
		{BucketFLKits, s.Buckets.FLKits},
	} {
		match(b.field+" bucket", b.v, bucketRE, "an S3 bucket name")
	}
	match("kit date", s.KitDate, kitDateRE, "the kits folder, such as 2025-06-01")
	if len(s.KitSlotNames) == 0 {
		bad("no kit slot names")
	}
	for _, n := range s.KitSlotNames {
		match("kit slot name", n, slotRE, "letters, digits, _ . -")
	}
	if s.MinClients < 1 {
		bad("min clients %d: want at least 1", s.MinClients)
	}
	if s.HealthTimeout < 10*time.Second || s.HealthTimeout > time.Hour {
		bad("health timeout %s: want 10s to 1h", s.HealthTimeout)
	}
	if len(problems) > 0 {
		return fmt.Errorf("deploy spec: %s", strings.Join(problems, "; "))
	}
	return nil
}

// RegistryHost is the host of the main registry, the one `docker login` uses.
func (im Images) RegistryHost() string {
	host, _, _ := strings.Cut(im.Registry, "/")
	return host
}

// RestartFlipAPICommand restarts flip-api on the host through the deploy's compose project, so it
// reads the RDS master password again: the compose-path flip-api reads it once, at start-up
// (FLIP#556; flip-api/src/flip_api/db/database.py), and a rotation would otherwise break every
// new connection until someone restarts it.
func RestartFlipAPICommand() string { return ComposeCommand("restart " + ServiceFlipAPI) }

// ComposeCommand is a docker compose command line in the deploy's project on the host.
func ComposeCommand(args string) string {
	return "docker compose --project-name " + ProjectName + " --project-directory " + Dir +
		" --file " + Dir + "/compose.yaml " + args
}
