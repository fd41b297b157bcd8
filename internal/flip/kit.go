package flip

import "fmt"

// KitSentinel opens the hub-shared block of a trust kit file. Upstream's writer matches this
// line byte for byte and appends it (after one blank line) only when it is missing, so any
// other text would make upstream's sync add a second block.
// [londonaicentre/FLIP scripts/trust_kit_lib.py SENTINEL]
const KitSentinel = "# ── Hub-shared (managed by register-trust / sync-trust-kits — do not edit) ──"

// HubSharedKeys are the keys of the hub-shared block, in upstream's order: the closed set
// upstream keeps in lockstep with flip-api's HUB_SHARED_ENV_KEYS.
// [londonaicentre/FLIP scripts/trust_kit_lib.py HUB_SHARED_KEYS;
// flip-api/src/flip_api/scripts/register_trust.py HUB_SHARED_ENV_KEYS]
var HubSharedKeys = []string{
	"AES_KEY_BASE64",
	"CENTRAL_HUB_API_URL",
	"TRUST_API_KEY_HEADER",
	EnvFLBackend,
	EnvFlowerKitDate,
	EnvFlareKitDate,
	"DOCKER_TAG",
	"DOCKER_REGISTRY",
	"DOCKER_FL_TAG",
	"DOCKER_FL_REGISTRY",
	"NLB_SUBDOMAIN",
	"FL_SERVER_PORT",
}

// CredentialKeys are the per-trust plaintext credentials, written only on a new registration.
// [scripts/trust_kit_lib.py CREDENTIAL_KEYS]
var CredentialKeys = []string{"TRUST_API_KEY", "TRUST_INTERNAL_SERVICE_KEY"}

// MetadataKeys are the per-trust registration metadata, upserted on every write.
// [scripts/trust_kit_lib.py METADATA_KEYS]
var MetadataKeys = []string{"EXPECTED_TRUST_ID", EnvKitSlot, EnvKitSlotNumber}

// The kit keys that say which FL material a trust's compose mounts: the backend, the slot the
// hub assigned and its number. [trust/deploy/compose_trust.production.{nvflare,flower}.yml:
// ${FL_KIT_DIR}/net-1/services/${FL_KIT_SLOT}, /keys/supernode_credentials_${FL_KIT_SLOT_NUMBER}]
const (
	EnvFLBackend     = "FL_BACKEND"
	EnvKitSlot       = "FL_KIT_SLOT"
	EnvKitSlotNumber = "FL_KIT_SLOT_NUMBER"
)

// Kit environment words: the <env> of trust/.env.<CODE>.<env> and of the hub's .env.<env>.
// [deploy/providers/AWS/Makefile @00e1b6b KIT_ENV_SUFFIX; scripts/new_trust.py]
const (
	KitEnvStag       = "stag"
	KitEnvProduction = "production"
)

// KitFileName is the kit file of a trust in an environment: .env.<CODE>.<env>, kept under trust/.
// [scripts/new_trust.py; scripts/trust_kit_lib.py docstring "trust/.env.GSTT.development"]
func KitFileName(code, env string) string { return fmt.Sprintf(".env.%s.%s", code, env) }

// KitFileMode is the mode of every file holding trust credentials.
// [scripts/trust_kit_lib.py KIT_FILE_MODE]
const KitFileMode = 0o600

// Kit-date keys: which hub-shared key names the FL kit release, per backend.
// [scripts/trust_kit_lib.py HUB_SHARED_KEYS; deploy/providers/AWS/scripts/package-onprem-trust-kit.sh]
const (
	EnvFlareKitDate  = "FLARE_KIT_DATE"
	EnvFlowerKitDate = "FLOWER_KIT_DATE"
)

// FLHost is NLB_SUBDOMAIN: the bare DNS name of the FL endpoint, no scheme and no port (those
// travel separately, FL_SERVER_PORT as a bare integer).
// [deploy/providers/AWS/dns.tf @08dab12 aws_route53_record.fl_server_nlb; README example
// NLB_SUBDOMAIN=fl.app.flip.aicentre.co.uk for ALB_SUBDOMAIN=app.flip.aicentre.co.uk]
func FLHost(domain string) string { return "fl." + domain }

// EnvEnforceMFA makes flip-api (and, through it, flip-ui) require every user to enrol a TOTP
// authenticator; upstream's compose defaults it to true and keeps the Cognito pool OPTIONAL,
// because Cognito cannot delete a verified TOTP secret and an admin must be able to reset a lost
// device. [deploy/compose.production.yml ENFORCE_MFA=${ENFORCE_MFA:-true};
// deploy/providers/AWS/modules/cognito/main.tf @4728873 comment on mfa_configuration]
const EnvEnforceMFA = "ENFORCE_MFA"

// SeededAdminEmails are the only users flip-api makes Admin: at every boot it looks each up in
// the Cognito pool and, for one that exists and has no role yet, grants Admin. A hub whose admin
// Cognito user has another email has no admin at all.
// [flip-api/src/flip_api/utils/constants.py ADMIN_EMAIL_1..3; flip-api/src/flip_api/db/seed/main_users.py]
var SeededAdminEmails = []string{"aicentreflip@gmail.com", "alexandre.triay_bagur@kcl.ac.uk", "rafael.dias@kcl.ac.uk"}

// SeededResearcherEmail is the one user flip-api makes Researcher the same way.
// [flip-api/src/flip_api/utils/constants.py RESEARCHER_EMAIL; db/seed/main_users.py]
const SeededResearcherEmail = "rafaelagd@gmail.com"
