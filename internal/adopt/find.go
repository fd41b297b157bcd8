package adopt

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/londonaicentre/flip-hub/config"
	"github.com/londonaicentre/flip-hub/internal/flip"
)

// Action says what becomes of one upstream resource when flip-hub adopts the hub.
type Action string

// The actions of a report row.
const (
	// Import: flip-hub imports the resource by ID (a flip-hub:imports entry).
	Import Action = "import"
	// TakeOver: flip-hub writes its own resource over the same object (a bucket setting, a DNS
	// record written with allowOverwrite, the secret's value). Nothing is imported, but Terraform
	// must let go of it, or a later terraform destroy would remove what flip-hub relies on.
	TakeOver Action = "take over"
	// KeepOutside: flip-hub does not manage it; it stays with Terraform or is retired by hand.
	KeepOutside Action = "keep outside"
	// Absent: upstream's import-resources.sh imports it, but the state has none.
	Absent Action = "not in state"
)

// Layouts of an upstream state.
const (
	LayoutModules = "modules"
	LayoutG1      = "g1"
	LayoutMixed   = "mixed"
	LayoutUnknown = "unknown"
)

// Row is one upstream resource and what becomes of it.
type Row struct {
	// Address is the instance's address in the state (upstream's address when Absent).
	Address string
	Action  Action
	// Key is the flip-hub key the row is about: the imports key that adopts the resource (Import,
	// TakeOver), or "" (KeepOutside, Absent).
	Key string
	// ID is the import ID flip-hub uses, or would use, for the resource.
	ID   string
	Note string
	rank int
}

// Setting is one config value that must match what exists upstream.
type Setting struct {
	// Key is the config key; a field of an object-valued key follows a dot: flip-hub:edge.domain.
	Key string
	// Value is a string, a bool or a []string.
	Value any
	// From names the state address and attribute the value was read from.
	From string
}

// Findings are what Find learnt from a state. Secret values are only in Secrets, which redacts
// itself whenever it is formatted or encoded; String and WriteReport never include them.
type Findings struct {
	// Layout is the upstream layout of the state (LayoutModules, LayoutG1, LayoutMixed).
	Layout string
	// Serial and TerraformVersion identify the state the findings come from.
	Serial           int64
	TerraformVersion string
	Rows             []Row
	// Imports are the flip-hub:imports entries to write: imports key → import ID. Only keys
	// flip-hub's config accepts today.
	Imports map[string]string
	// Settings are the other config values to write, in report order.
	Settings []Setting
	// Secrets are the FLIP_API values to set with `pulumi config set --secret`.
	Secrets SecretValues
	// Trusts are the adopted hub's registered trusts (ReadRegistry), added to the trust list.
	Trusts []RegisteredTrust
	// Steps are what the operator must do by hand, in order.
	Steps    []string
	Warnings []string
	// Other counts the managed instances this package does not recognise (the VPC, database,
	// compute, ...): flip-hub builds its own, and they stay with Terraform.
	Other int
}

// Field names inside flip-hub's object-valued config keys (the json tags of config's raw
// types; a test parses the written config with config.Parse, which refuses unknown fields).
const (
	fieldDomain             = "domain"
	fieldZoneName           = "zoneName"
	fieldManageDNS          = "manageDns"
	fieldDomainPrefix       = "domainPrefix"
	fieldSenderEmail        = "senderEmail"
	fieldSESIdentity        = "sesIdentity"
	fieldAdminUser          = "adminUser"
	fieldResearcherUser     = "researcherUser"
	fieldDeletionProtection = "deletionProtection"
	fieldMFA                = "mfa"

	// sesIdentityEmail is identity.sesIdentity's value for a single verified address, which is
	// what upstream's aws_ses_email_identity is.
	sesIdentityEmail = "email"
)

// Setting keys written by Find.
var (
	keyEdgeDomain         = config.KeyEdge + "." + fieldDomain
	keyEdgeZone           = config.KeyEdge + "." + fieldZoneName
	keyEdgeManageDNS      = config.KeyEdge + "." + fieldManageDNS
	keyIdentityPrefix     = config.KeyIdentity + "." + fieldDomainPrefix
	keyIdentitySender     = config.KeyIdentity + "." + fieldSenderEmail
	keyIdentitySES        = config.KeyIdentity + "." + fieldSESIdentity
	keyIdentityAdmin      = config.KeyIdentity + "." + fieldAdminUser
	keyIdentityResearcher = config.KeyIdentity + "." + fieldResearcherUser
	keyIdentityProtection = config.KeyIdentity + "." + fieldDeletionProtection
	keyIdentityMFA        = config.KeyIdentity + "." + fieldMFA
)

// settingOrder is the order of Settings: the stack file's own order of these keys.
var settingOrder = []string{
	config.KeyRegion, config.KeyAllowedAccountIDs,
	keyEdgeDomain, keyEdgeZone, keyEdgeManageDNS,
	keyIdentityPrefix, keyIdentitySender, keyIdentitySES, keyIdentityAdmin, keyIdentityResearcher, keyIdentityMFA, keyIdentityProtection,
}

// Report order of the rows.
const (
	rankBuckets = iota * 10
	rankKey
	rankAICentre
	rankG1Bucket
	rankSecret
	rankCognito
	rankSES
	rankCertificate
	rankDNS
	rankEdge
	rankOther
)

type finder struct {
	st       *State
	f        Findings
	arns     []arnSource
	modules  bool
	root     bool
	settings map[string]int
}

type arnSource struct{ arn, from string }

// Find maps the persistent resources of an upstream state (module-based or G1 layout) to
// flip-hub: a row for every resource it recognises and for every address of upstream's
// import-resources.sh the state lacks, the imports entries and config values to write, the
// FLIP_API secret values, and the steps left to the operator.
func Find(st *State) Findings {
	fd := &finder{
		st: st,
		f: Findings{
			Serial:           st.Serial,
			TerraformVersion: st.TerraformVersion,
			Imports:          map[string]string{},
			Secrets:          SecretValues{},
		},
		settings: map[string]int{},
	}
	// The hub's domain and zone first: the FL record's row depends on the domain, whatever the
	// order of the state. The zone is a data source: a setting, not a row.
	for _, in := range st.Instances {
		switch {
		case in.Mode == ModeData && in.Type == "aws_route53_zone" && in.Name == "subdomain":
			fd.set(keyEdgeZone, strings.TrimSuffix(in.Attr("name"), "."), in.Address+" name")
		case in.Mode == ModeManaged && in.Module == "" && in.Type == "aws_acm_certificate" && in.Name == "flip":
			fd.set(keyEdgeDomain, in.Attr("domain_name"), in.Address+" domain_name")
		}
	}
	for _, in := range st.Instances {
		if in.Mode != ModeManaged {
			continue
		}
		row, ok := fd.classify(in)
		if !ok {
			fd.f.Other++
			continue
		}
		row.Address = in.Address
		fd.f.Rows = append(fd.f.Rows, row)
	}
	fd.absent()
	sort.SliceStable(fd.f.Rows, func(i, j int) bool { return fd.f.Rows[i].rank < fd.f.Rows[j].rank })
	fd.finish()
	return fd.f
}

func (fd *finder) classify(in Instance) (Row, bool) {
	if b, ok := bucketModule(in.Module); ok {
		fd.modules = true
		return fd.appBucket(in, b), true
	}
	switch {
	case in.Module == "" && strings.HasPrefix(in.Type, "aws_s3_bucket") && strings.HasPrefix(in.Name, "aicentre_bucket"):
		return fd.aicentre(in), true
	case in.Module == "" && strings.HasPrefix(in.Type, "aws_s3_bucket") && strings.HasPrefix(in.Name, "flip_bucket"):
		fd.root = true
		return fd.g1Bucket(in), true
	case in.Module == "" && in.Type == "aws_s3_object" && slices.Contains([]string{"app_destination_bucket", "model_files", "uploaded_federated_data"}, in.Name):
		return Row{Action: KeepOutside, ID: in.Attr("bucket") + "/" + in.Attr("key"), rank: rankG1Bucket,
			Note: "an empty folder marker in the G1 bucket: S3 has no folders, and flip-hub writes under its own prefixes"}, true
	case in.Module == moduleSecret:
		return fd.secret(in), true
	case in.Module == moduleCognito || (in.Module == "" && in.Name == "cognito_domain" && in.Type == "random_string") ||
		(in.Module == "" && strings.HasPrefix(in.Type, "aws_cognito_")):
		if in.Module == "" {
			fd.root = true
		} else {
			fd.modules = true
		}
		return fd.cognito(in)
	case (in.Module == moduleSES || in.Module == "") && (in.Type == "aws_ses_email_identity" || in.Type == "aws_ses_template"):
		if in.Module == "" {
			fd.root = true
		} else {
			fd.modules = true
		}
		return fd.ses(in), true
	case in.Module == "" && (in.Type == "aws_acm_certificate" || in.Type == "aws_acm_certificate_validation") && in.Name == "flip":
		return fd.certificate(in), true
	case in.Module == "" && in.Type == "aws_route53_record" && slices.Contains([]string{"cert_validation", "fl_server_nlb", "alb"}, in.Name):
		return fd.record(in), true
	case in.Module == "" && in.Type == "aws_kms_key" && in.Name == "flip_app_key":
		id := first(in, "key_id", "id")
		fd.imp(ImportKMSKey, id)
		fd.arn(in, "arn")
		return Row{Action: Import, Key: ImportKMSKey, ID: id, rank: rankKey,
			Note: "encrypts the app buckets and the FLIP_API secret: flip-hub keeps using it, with its own key policy, description and alias"}, true
	case in.Module == "" && in.Type == "aws_kms_alias" && in.Name == "flip_app_key":
		return Row{Action: KeepOutside, ID: in.Attr("name"), rank: rankKey,
			Note: "flip-hub names the key with its own alias; this one can go with Terraform's remainder without touching the key"}, true
	case in.Type == "aws_key_pair":
		return Row{Action: KeepOutside, ID: first(in, "key_name", "id"), rank: rankOther,
			Note: "flip-hub's hosts have no key pair: operators reach them through SSM only, and no security group opens port 22"}, true
	case strings.HasPrefix(in.Type, "aws_ec2_transit_gateway"):
		return Row{Action: KeepOutside, ID: in.Attr("id"), rank: rankOther,
			Note: "hybrid networking of the old VPC: flip-hub builds its own VPC and attaches no transit gateway"}, true
	case in.Type == "aws_cloudfront_distribution":
		return fd.distribution(in), true
	case in.Type == "aws_db_instance":
		fd.step("The hub database stays with Terraform: flip-hub creates its own RDS instance. Copy the data (pg_dump of %s, restored into flip-hub's database) before the hub is opened to users, or trusts, projects and user roles are lost.",
			first(in, "identifier", "id"))
		return Row{Action: KeepOutside, ID: first(in, "identifier", "id"), rank: rankOther,
			Note: "flip-hub creates its own database: the data is copied by hand (see the steps)"}, true
	}
	return Row{}, false
}

func bucketModule(module string) (upstreamBucket, bool) {
	for _, b := range upstreamBuckets {
		if module == b.module {
			return b, true
		}
	}
	return upstreamBucket{}, false
}

// bucketSettingNotes say how flip-hub's bucket component takes over each setting of an adopted
// bucket (internal/bucket, data/buckets.go).
var bucketSettingNotes = map[string]string{
	"aws_s3_bucket_public_access_block":                  "flip-hub blocks all public access on the adopted bucket (the same four settings)",
	"aws_s3_bucket_server_side_encryption_configuration": "flip-hub sets SSE-KMS with the stack key (imports.kmsKey keeps this key)",
	"aws_s3_bucket_versioning":                           "flip-hub keeps versioning enabled",
	"aws_s3_bucket_cors_configuration":                   "flip-hub writes its own CORS rule for the hub's origin",
	"aws_s3_bucket_policy":                               "flip-hub writes the bucket's one policy (TLS-only denials and its own grants) in place of this one",
	"aws_s3_bucket_logging":                              "flip-hub logs the bucket into its own log bucket",
	"aws_s3_bucket_ownership_controls":                   "flip-hub sets BucketOwnerEnforced",
	"aws_s3_bucket_lifecycle_configuration":              "flip-hub writes its own lifecycle (old versions and incomplete uploads expire)",
}

func (fd *finder) appBucket(in Instance, b upstreamBucket) Row {
	key := ImportBucket(b.purpose)
	if in.Type == "aws_s3_bucket" {
		name := first(in, "bucket", "id")
		fd.imp(key, name)
		return Row{Action: Import, Key: key, ID: name, rank: rankBuckets,
			Note: fmt.Sprintf("becomes flip-hub's %s bucket, keeping its name and objects", b.purpose)}
	}
	if note, ok := bucketSettingNotes[in.Type]; ok {
		return Row{Action: TakeOver, Key: key, ID: first(in, "bucket", "id"), rank: rankBuckets, Note: note}
	}
	return Row{Action: KeepOutside, ID: first(in, "bucket", "id"), rank: rankBuckets,
		Note: "flip-hub sets no such thing on the bucket: a terraform destroy of the remainder removes it"}
}

func (fd *finder) aicentre(in Instance) Row {
	name := first(in, "bucket", "id")
	if in.Type != "aws_s3_bucket" {
		return Row{Action: KeepOutside, ID: name, rank: rankAICentre, Note: "goes with the AI Centre bucket"}
	}
	fd.step("Copy the FL server kits flip-hub deploys from s3://%s/fl-flare-participant-kits/<kitDate>/ (or fl-flower-participant-kits/) into flip-hub's fl-kits bucket, in the same layout, and set %s.kitDate; trusts keep fetching their own kits where they are.",
		name, config.KeyFL)
	return Row{Action: KeepOutside, ID: name, rank: rankAICentre,
		Note: "the AI Centre's shared bucket: trust hosts and on-prem kit packaging read participant kits from it, and flip-hub would replace its one bucket policy. " +
			"flip-hub keeps kits in its own fl-kits bucket; the bucket keeps prevent_destroy in Terraform (to use it as the kits bucket anyway, set imports " + ImportBucket("fl-kits") + " to its name yourself)"}
}

func (fd *finder) g1Bucket(in Instance) Row {
	name := first(in, "bucket", "id")
	if in.Type != "aws_s3_bucket" {
		return Row{Action: KeepOutside, ID: name, rank: rankG1Bucket, Note: "goes with the G1 bucket"}
	}
	fd.step("The G1 bucket %s held every tenant under its own prefixes (model_files/, uploaded_federated_data/, app_destination_bucket/): flip-hub keeps one bucket per purpose, under other prefixes. Copy what must survive into flip-hub's buckets (upstream's `make migrate-flip-bucket` did this for its own split), then retire the bucket.", name)
	return Row{Action: KeepOutside, ID: name, rank: rankG1Bucket,
		Note: "the single G1 bucket of all three tenants: flip-hub cannot adopt it as one purpose; its contents are migrated by hand"}
}

func (fd *finder) secret(in Instance) Row {
	switch in.Type {
	case "aws_secretsmanager_secret":
		arn := first(in, "arn", "id")
		fd.imp(ImportFlipAPISecret, arn)
		fd.arn(in, "arn")
		return Row{Action: Import, Key: ImportFlipAPISecret, ID: arn, rank: rankSecret,
			Note: fmt.Sprintf("flip-hub keeps the name %q (from the ARN) and writes the same values", in.Attr("name"))}
	case "aws_secretsmanager_secret_version":
		fd.readSecretString(in)
		return Row{Action: TakeOver, Key: ImportFlipAPISecret, ID: in.Attr("id"), rank: rankSecret,
			Note: fmt.Sprintf("flip-hub writes the same values as a new version, from %s and %s (set with pulumi config set --secret; values not shown)",
				config.KeyFlipAPIAESKey, config.KeyFlipAPIInternalServiceKey)}
	}
	return Row{Action: KeepOutside, ID: in.Attr("id"), rank: rankSecret, Note: "flip-hub sets no such thing on the secret"}
}

func (fd *finder) cognito(in Instance) (Row, bool) {
	pool := in.Attr("user_pool_id")
	switch {
	case in.Type == "aws_cognito_user_pool" && in.Name == "flip_user_pool":
		id := in.Attr("id")
		fd.imp(ImportCognitoUserPool, id)
		fd.arn(in, "arn")
		if in.Attr("deletion_protection") == "ACTIVE" {
			fd.set(keyIdentityProtection, true, in.Address+" deletion_protection")
		}
		switch in.Attr("mfa_configuration") {
		case "ON":
			fd.set(keyIdentityMFA, string(config.MFAPool), in.Address+" mfa_configuration")
		case "OPTIONAL":
			fd.set(keyIdentityMFA, string(config.MFAApp), in.Address+" mfa_configuration")
		case "OFF":
			fd.warn("%s has MFA off: flip-hub turns TOTP on (mfa app: enrolment enforced by flip-api), so every user enrols at the next sign-in", in.Address)
		}
		return Row{Action: Import, Key: ImportCognitoUserPool, ID: id, rank: rankCognito,
			Note: fmt.Sprintf("users and their MFA enrolments stay. Cognito cannot rename a pool or change its username settings: flip-hub must keep the name %q and %s", in.Attr("name"), usernameCase(in))}, true
	case in.Type == "aws_cognito_user_pool_domain":
		domain := first(in, "domain", "id")
		fd.set(keyIdentityPrefix, domain, in.Address+" domain")
		fd.imp(config.ImportCognitoDomain, domain)
		return Row{Action: Import, Key: config.ImportCognitoDomain, ID: domain, rank: rankCognito,
			Note: "a pool holds one domain: flip-hub adopts this one (identity.domainPrefix is set to it)"}, true
	case in.Type == "random_string" && in.Name == "cognito_domain":
		result := first(in, "result", "id")
		fd.set(keyIdentityPrefix, result, in.Address+" result")
		return Row{Action: KeepOutside, ID: result, rank: rankCognito,
			Note: "exists only in Terraform's state (it generated the domain name); nothing in AWS"}, true
	case in.Type == "aws_cognito_user_pool_client":
		id := pool + "/" + in.Attr("id")
		fd.imp(config.ImportCognitoAppClient, id)
		return Row{Action: Import, Key: config.ImportCognitoAppClient, ID: id, rank: rankCognito,
			Note: "the UI's existing client id stays valid; flip-hub then sets its own flows, scopes and token lifetimes on it"}, true
	case in.Type == "aws_cognito_user" && (in.Name == "admin_user" || in.Name == "researcher_user"):
		user := in.Attr("username")
		key, imp := keyIdentityAdmin, config.ImportCognitoAdminUser
		if in.Name == "researcher_user" {
			key, imp = keyIdentityResearcher, config.ImportCognitoResearcherUser
		}
		fd.set(key, user, in.Address+" username")
		fd.imp(imp, pool+"/"+user)
		return Row{Action: Import, Key: imp, ID: pool + "/" + user, rank: rankCognito,
			Note: "the user keeps its password and MFA enrolment; flip-hub never resets either"}, true
	}
	if in.Module == "" {
		// Another root-level Cognito resource of a state this package does not know.
		return Row{}, false
	}
	return Row{Action: KeepOutside, ID: in.Attr("id"), rank: rankCognito, Note: "flip-hub has no such Cognito resource"}, true
}

func usernameCase(in Instance) string {
	if list, ok := in.Attributes["username_configuration"].([]any); ok && len(list) == 1 {
		if m, ok := list[0].(map[string]any); ok {
			if cs, ok := m["case_sensitive"].(bool); ok && !cs {
				return "case-insensitive usernames (as it does)"
			}
		}
	}
	return "case-sensitive usernames (the pool sets no username_configuration; flip-hub asks for case-insensitive ones)"
}

func (fd *finder) ses(in Instance) Row {
	if in.Type == "aws_ses_template" {
		name := first(in, "name", "id")
		if slices.Contains(flip.SESTemplates, name) {
			fd.imp(config.ImportSESTemplate(name), name)
			return Row{Action: Import, Key: config.ImportSESTemplate(name), ID: name, rank: rankSES,
				Note: "flip-api sends with it by name; flip-hub's text replaces upstream's (an update)"}
		}
		return Row{Action: KeepOutside, ID: name, rank: rankSES, Note: "flip-hub sends no template of this name"}
	}
	email := first(in, "email", "id")
	fd.set(keyIdentitySender, email, in.Address+" email")
	fd.set(keyIdentitySES, sesIdentityEmail, in.Address+" (an address identity)")
	fd.arn(in, "arn")
	fd.step("The state does not say whether SES has verified %s and left the sandbox: check in the SES console, then set %s.sesVerified: true so Cognito sends through it.", email, config.KeyIdentity)
	fd.imp(config.ImportSESIdentity, email)
	return Row{Action: Import, Key: config.ImportSESIdentity, ID: email, rank: rankSES,
		Note: "imported, it keeps its verification; flip-hub adds its configuration set (an update)"}
}

func (fd *finder) certificate(in Instance) Row {
	if in.Type == "aws_acm_certificate_validation" {
		return Row{Action: KeepOutside, ID: in.Attr("certificate_arn"), rank: rankCertificate,
			Note: "a waiter in Terraform's state, not an AWS object: it goes with the certificate"}
	}
	arn := first(in, "arn", "id")
	domain := in.Attr("domain_name")
	fd.set(keyEdgeDomain, domain, in.Address+" domain_name")
	fd.arn(in, "arn")
	return Row{Action: KeepOutside, ID: arn, rank: rankCertificate,
		Note: fmt.Sprintf("flip-hub requests its own certificates for %s, one in the region for the ALB and one in us-east-1 for CloudFront, validated by the same DNS record at no cost and with no gap; this one serves the old front door until it is retired", domain)}
}

func (fd *finder) record(in Instance) Row {
	id := in.Attr("id")
	name := strings.TrimSuffix(first(in, "fqdn", "name"), ".")
	switch in.Name {
	case "cert_validation":
		if d, ok := in.Key.(string); ok {
			fd.set(keyEdgeDomain, d, in.Address+" key")
		}
		fd.set(keyEdgeManageDNS, true, in.Address+" (upstream writes the zone)")
		return Row{Action: TakeOver, Key: keyEdgeManageDNS, ID: id, rank: rankDNS,
			Note: "flip-hub writes the same validation record with allowOverwrite: ACM asks one record per domain and account"}
	case "fl_server_nlb":
		domain := fd.value(keyEdgeDomain)
		if domain != "" && name != flip.FLHost(domain) {
			fd.step("Trusts reach the FL server at %s, but flip-hub serves it at %s: point every trust's kit at %s (or make %s a CNAME of it), then delete the old record.",
				name, flip.FLHost(domain), flip.FLHost(domain), name)
			return Row{Action: KeepOutside, ID: id, rank: rankDNS,
				Note: fmt.Sprintf("flip-hub serves FL at %s, not %s: retired once trusts have moved", flip.FLHost(domain), name)}
		}
		fd.set(keyEdgeManageDNS, true, in.Address+" (upstream writes the zone)")
		return Row{Action: TakeOver, Key: keyEdgeManageDNS, ID: id, rank: rankDNS,
			Note: "flip-hub writes this name over the record (allowOverwrite) as an alias of its own NLB: trusts follow at the first up"}
	default: // the site record, named "alb" upstream though it aliases CloudFront
		fd.set(keyEdgeManageDNS, true, in.Address+" (upstream writes the zone)")
		return Row{Action: TakeOver, Key: keyEdgeManageDNS, ID: id, rank: rankDNS,
			Note: fmt.Sprintf("flip-hub writes %s A and AAAA over it (allowOverwrite) as aliases of its own CloudFront distribution: the site moves at the first up, once its alias has moved (see the steps)", name)}
	}
}

func (fd *finder) distribution(in Instance) Row {
	id := in.Attr("id")
	var aliases []string
	if list, ok := in.Attributes["aliases"].([]any); ok {
		for _, a := range list {
			if s, ok := a.(string); ok {
				aliases = append(aliases, s)
			}
		}
	}
	for _, a := range aliases {
		fd.step("Move the CloudFront alias %s from the old distribution %s (%s) to flip-hub's: CloudFront refuses an alias another distribution holds (CNAMEAlreadyExists). Remove it from the old distribution just before the first up.",
			a, id, in.Address)
	}
	return Row{Action: KeepOutside, ID: id, rank: rankEdge,
		Note: "the old UI and /api front door: flip-hub builds its own distribution (its aliases move by hand, see the steps)"}
}

// absent adds a row for every address of upstream's import-resources.sh the state lacks.
func (fd *finder) absent() {
	for _, e := range expected {
		names := append([]string{e.address}, e.aliases...)
		found := slices.ContainsFunc(fd.st.Instances, func(in Instance) bool {
			return in.Mode == ModeManaged && (slices.Contains(names, in.Address) || slices.Contains(names, in.Resource))
		})
		if !found {
			fd.f.Rows = append(fd.f.Rows, Row{Address: e.address, Action: Absent, rank: rankOther + 1,
				Note: "upstream imports it when it exists; this state has none, so flip-hub creates its own"})
		}
	}
}

// finish settles region and account from the ARNs, the layout, and the closing steps.
func (fd *finder) finish() {
	if region, account := fd.origin(); region != "" {
		fd.set(config.KeyRegion, region, "the ARNs")
		if account != "" {
			fd.set(config.KeyAllowedAccountIDs, []string{account}, "the ARNs")
		}
	}
	if zone := fd.value(keyEdgeZone); zone == "" {
		// Upstream's zone is data.aws_route53_zone.subdomain, named after the hub's domain itself
		// (main.tf: name = var.flip_alb_subdomain); without the data source, that is the zone.
		if d := fd.value(keyEdgeDomain); d != "" && fd.value(keyEdgeManageDNS) != "" {
			fd.set(keyEdgeZone, d, "upstream's zone is named after the domain (data.aws_route53_zone.subdomain)")
		}
	}
	slices.SortStableFunc(fd.f.Settings, func(a, b Setting) int {
		return slices.Index(settingOrder, a.Key) - slices.Index(settingOrder, b.Key)
	})
	switch {
	case fd.modules && fd.root:
		fd.f.Layout = LayoutMixed
	case fd.modules:
		fd.f.Layout = LayoutModules
	case fd.root:
		fd.f.Layout = LayoutG1
	default:
		fd.f.Layout = LayoutUnknown
	}
	if fd.root {
		fd.step("This state still holds G1 root addresses: upstream's moved blocks rename them to module.* at its next plan. If upstream's Terraform runs before the terraform state rm lines, pull the state again and adopt from the new one.")
	}
}

// origin is the region and account of the hub's resources: what most of their ARNs say. Each
// ARN that says otherwise is warned about.
func (fd *finder) origin() (region, account string) {
	type part struct{ value, from string }
	var regions, accounts []part
	for _, a := range fd.arns {
		p := strings.SplitN(a.arn, ":", 6)
		if len(p) < 6 || p[0] != "arn" {
			continue
		}
		if p[3] != "" {
			regions = append(regions, part{p[3], a.from})
		}
		if p[4] != "" {
			accounts = append(accounts, part{p[4], a.from})
		}
	}
	pick := func(parts []part, what string) string {
		count := map[string]int{}
		best := ""
		for _, x := range parts {
			count[x.value]++
			if best == "" || count[x.value] > count[best] {
				best = x.value
			}
		}
		for _, x := range parts {
			if x.value != best {
				fd.warn("%s is in %s %s but the other resources are in %s: a stack adopts resources of its own %s only", x.from, what, x.value, best, what)
			}
		}
		return best
	}
	return pick(regions, "region"), pick(accounts, "account")
}

func (fd *finder) imp(key, id string) {
	if id == "" {
		fd.warn("the state has no ID for %s: %s is not written", key, config.KeyImports+"."+key)
		return
	}
	if prev, ok := fd.f.Imports[key]; ok && prev != id {
		fd.warn("two resources adopt as %s (%s and %s): only the first is written", key, prev, id)
		return
	}
	fd.f.Imports[key] = id
}

func (fd *finder) set(key string, value any, from string) {
	if s, ok := value.(string); ok && s == "" {
		return
	}
	if i, ok := fd.settings[key]; ok {
		if prev := fd.f.Settings[i]; fmt.Sprint(prev.Value) != fmt.Sprint(value) {
			fd.warn("%s: %s says %v but %s says %v; %v is written", key, prev.From, prev.Value, from, value, prev.Value)
		}
		return
	}
	fd.settings[key] = len(fd.f.Settings)
	fd.f.Settings = append(fd.f.Settings, Setting{Key: key, Value: value, From: from})
}

// value is a setting's value as text ("" when unset).
func (fd *finder) value(key string) string {
	if i, ok := fd.settings[key]; ok {
		return fmt.Sprint(fd.f.Settings[i].Value)
	}
	return ""
}

func (fd *finder) arn(in Instance, attr string) {
	if a := in.Attr(attr); a != "" {
		fd.arns = append(fd.arns, arnSource{arn: a, from: in.Address})
	}
}

func (fd *finder) warn(format string, args ...any) {
	fd.f.Warnings = append(fd.f.Warnings, fmt.Sprintf(format, args...))
}

func (fd *finder) step(format string, args ...any) {
	fd.f.Steps = append(fd.f.Steps, fmt.Sprintf(format, args...))
}

// first is the first non-empty string attribute of names.
func first(in Instance, names ...string) string {
	for _, n := range names {
		if v := in.Attr(n); v != "" {
			return v
		}
	}
	return ""
}
