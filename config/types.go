package config

import (
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/internal/flip"
)

// Project is the Pulumi project name; every project key lives under "flip-hub:".
const Project = "flip-hub"

// Environment is the kind of stack: a disposable staging hub or the production hub.
type Environment string

// The two environments a hub can be.
const (
	Stag Environment = "stag"
	Prod Environment = "prod"
)

// IsProd is the one decision of whether a stack is the production hub: its stack name is prod
// (or <org>/prod), or its environment (config, or the environment output) is prod. Every guard
// asks this, with whatever it knows; either sign is enough.
func IsProd(stackName, environment string) bool {
	name := strings.ToLower(stackName)
	return name == string(Prod) || strings.HasSuffix(name, "/"+string(Prod)) || environment == string(Prod)
}

// KitName is the environment word used in trust kit files and env files
// (`trust/.env.<CODE>.<KitName>`): "stag" or "production".
func (e Environment) KitName() string {
	if e == Prod {
		return "production"
	}
	return string(e)
}

// FLBackend is the federated-learning framework the hub runs (internal/flip).
type FLBackend = flip.Backend

// The supported FL backends.
const (
	NVFlare = flip.NVFlare
	Flower  = flip.Flower
)

// Config is the whole, validated configuration of one stack.
type Config struct {
	Stack             string
	Environment       Environment
	Region            string
	AllowedAccountIDs []string
	// LogRetentionDays applies to every CloudWatch log group of the stack.
	LogRetentionDays int
	// ProtectPersistent adds pulumi.Protect to the persistent resources (KMS key, Cognito
	// pool, app buckets, FLIP_API secret). They are retained on destroy in every environment.
	ProtectPersistent bool
	// KMSDeletionWindowDays is how long a deleted stack key can still be recovered.
	KMSDeletionWindowDays int

	Network  Network
	Database Database
	Host     Host
	Edge     Edge
	Identity Identity
	FL       FL
	Images   Images
	Trusts   []Trust
	// Imports maps a persistent resource (see ImportKeys) to the ID of an existing
	// resource that the stack adopts instead of creating.
	Imports map[string]string
	Secrets Secrets
}

// Network configures the VPC.
type Network struct {
	CIDR              string
	AvailabilityZones []string
	// NATGateways is how many NAT gateways to run: 1, or one per AZ.
	NATGateways int
}

// Database configures the RDS PostgreSQL instance.
type Database struct {
	EngineVersion         string
	Family                string // parameter group family derived from the engine's major version
	InstanceClass         string
	AllocatedStorageGB    int
	MaxAllocatedStorageGB int
	Name                  string
	Username              string
	MultiAZ               bool
	BackupRetentionDays   int
	DeletionProtection    bool
	FinalSnapshot         bool
	Protect               bool
	// MonitoringIntervalSeconds is the enhanced-monitoring interval; 0 turns it off.
	MonitoringIntervalSeconds int
}

// Host configures the EC2 hub host.
type Host struct {
	InstanceType       string
	RootVolumeGB       int
	DetailedMonitoring bool
}

// Edge configures the public entry points.
type Edge struct {
	Domain string
	// ZoneName is the Route53 hosted zone that holds Domain (e.g. flip.aicentre.co.uk).
	ZoneName string
	// ManageDNS makes the stack write certificate-validation and alias records in ZoneName.
	ManageDNS          bool
	PriceClass         string
	WAFBlock           bool
	RateLimitPer5Min   int
	DeletionProtection bool
}

// FLSubdomain is the host name of the federated-learning endpoint.
func (e Edge) FLSubdomain() string { return flip.FLHost(e.Domain) }

// Identity configures Cognito and SES.
type Identity struct {
	// MFA says who enforces TOTP: the app (flip-api, pool OPTIONAL, as upstream), the pool (ON),
	// or nobody (optional, stag only).
	MFA                MFAMode
	DeletionProtection bool
	// ThreatProtectionEnforced selects ENFORCED advanced security; false means AUDIT.
	ThreatProtectionEnforced bool
	DomainPrefix             string
	SenderEmail              string
	AdminEmail               string
	// AdminUser is the Cognito user the stack creates as the first admin: one of the emails
	// flip-api makes Admin at boot (internal/flip SeededAdminEmails).
	AdminUser string
	// ResearcherUser, when set, is created too (flip-api's seeded researcher email).
	ResearcherUser string
	// SESDomainIdentity verifies the whole sender domain (DKIM); false verifies one address.
	SESDomainIdentity bool
	// SESVerified says an operator has verified the identity and left the SES sandbox,
	// so Cognito may send through SES instead of its default sender.
	SESVerified           bool
	AccessTokenMinutes    int
	IDTokenMinutes        int
	RefreshTokenDays      int
	TemporaryPasswordDays int
}

// FL configures the federated-learning server side.
type FL struct {
	Backend      FLBackend
	Port         int
	KitSlotNames []string
	// KitSlotTier is the SSM tier the slot-name parameter needs: Standard, or Advanced when the
	// JSON list is longer than StandardParameterBytes.
	KitSlotTier string
	KitDate     string
	MinClients  int
}

// Images names the container images deployed on the hub host.
type Images struct {
	Registry   string
	Tag        string
	FLRegistry string
	FLTag      string
}

// Trust is one partner NHS trust.
type Trust struct {
	Code        string
	Name        string
	Region      string
	EgressCIDRs []string
	// Rotation is bumped on purpose to derive new keys for the trust.
	Rotation int
	// Hosting says where the trust's services run: on the trust's own premises (the default),
	// or on a trust host the stack builds in the hub's VPC.
	Hosting Hosting
}

// Hosting is where a trust's services run.
type Hosting string

// The hostings of trusts[].hosting.
const (
	// HostingOnPrem: the trust runs its stack itself, from the kit an operator sends it.
	HostingOnPrem Hosting = "onprem"
	// HostingAWS: the stack builds and deploys the trust's host in the hub's VPC (upstream's
	// trust_ec2); its egress is the hub's NAT gateways.
	HostingAWS Hosting = "aws"
)

// AWSHosted reports whether the stack runs the trust's host.
func (t Trust) AWSHosted() bool { return t.Hosting == HostingAWS }

// Secrets holds optional secret config. A nil field was not set.
type Secrets struct {
	// FlipAPIAESKey and FlipAPIInternalServiceKey adopt an existing hub's values.
	FlipAPIAESKey             *pulumi.StringOutput
	FlipAPIInternalServiceKey *pulumi.StringOutput
	// RegistryToken lets the hub host log in to the image registry.
	RegistryToken *pulumi.StringOutput
}

// SSM String parameter size limits (AWS Systems Manager User Guide, "Managing parameter tiers"):
// the kit slot names parameter must fit.
const (
	StandardParameterBytes = 4096
	AdvancedParameterBytes = 8192
)

// MFAMode is how TOTP enrolment is enforced.
type MFAMode string

// The MFA modes of identity.mfa.
const (
	// MFAApp: the pool's MFA is OPTIONAL with TOTP on, and flip-api enforces enrolment for every
	// user (ENFORCE_MFA=true), as upstream FLIP does, so an admin can reset a lost authenticator.
	MFAApp MFAMode = "app"
	// MFAPool: Cognito enforces TOTP (pool MFA ON) as well; a user who loses the authenticator
	// cannot be reset, only deleted and invited again.
	MFAPool MFAMode = "pool"
	// MFAOptional: nobody enforces enrolment (stag only).
	MFAOptional MFAMode = "optional"
)

// PoolMFAOn reports whether the Cognito pool itself requires MFA (mfaConfiguration ON).
func (m MFAMode) PoolMFAOn() bool { return m == MFAPool }

// EnforceEnrolment reports whether every user must enrol TOTP (flip-api's ENFORCE_MFA).
func (m MFAMode) EnforceEnrolment() bool { return m != MFAOptional }
