package identity

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/internal/namer"
)

// TypeToken is the component's Pulumi type.
const TypeToken = "flip:identity:Identity"

// DefaultParameterPath is where flip-api and the deploy script read plain runtime
// config from SSM Parameter Store (e.g. /flip/fl_kit_slot_names).
const DefaultParameterPath = "/flip"

var (
	emailRE        = regexp.MustCompile(`^[A-Za-z0-9._%+-]+@([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,}$`)
	domainRE       = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,}$`)
	domainPrefixRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	paramPathRE    = regexp.MustCompile(`^(/[A-Za-z0-9_.-]+)+$`)
)

// Args configures the identity layer. Every value is decided by the caller.
type Args struct {
	// Prefix starts every physical name, e.g. "flip-stag".
	Prefix string
	Region string
	// Domain is the hub's canonical host name (e.g. stag.flip.aicentre.co.uk): the app
	// client's callback and logout URLs and the links in every message point at it.
	Domain string
	// ZoneID is the Route53 hosted zone the stack manages (nil when DNS is not managed);
	// with a domain identity, the DKIM and MAIL FROM records are written there.
	ZoneID pulumi.StringInput
	// ZoneName is the name of that zone (e.g. flip.aicentre.co.uk); the sender's domain
	// must lie inside it for its records to be written.
	ZoneName string

	// PoolMFAOn makes Cognito require MFA (mfaConfiguration ON); false leaves it OPTIONAL with
	// TOTP on, for flip-api to enforce enrolment (as upstream).
	PoolMFAOn bool
	// EnrolmentRequired says every user must enrol TOTP (by the pool or by flip-api); it shapes
	// the invitation text. False is stag's optional mode.
	EnrolmentRequired bool
	// DeletionProtection sets the pool's deletion protection ACTIVE (prod).
	DeletionProtection bool
	// AdminUserEmail is the Cognito user created as the hub's first admin: one of the emails
	// flip-api grants Admin (config checks it against internal/flip).
	AdminUserEmail string
	// ResearcherUserEmail, when set, is created too: the user flip-api makes Researcher.
	ResearcherUserEmail string
	// ThreatProtectionEnforced selects ENFORCED threat protection; false means AUDIT.
	ThreatProtectionEnforced bool
	// DomainPrefix is the Cognito domain prefix: <prefix>.auth.<region>.amazoncognito.com.
	DomainPrefix string
	// SenderEmail is the From address of every message; AdminEmail receives replies.
	SenderEmail string
	AdminEmail  string
	// SESDomainIdentity verifies the sender's whole domain with DKIM; false verifies the
	// sender address only.
	SESDomainIdentity bool
	// SESVerified makes Cognito send through the SES identity (DEVELOPER); false keeps
	// Cognito's default sender until an operator has verified SES and left the sandbox.
	SESVerified           bool
	AccessTokenMinutes    int
	IDTokenMinutes        int
	RefreshTokenDays      int
	TemporaryPasswordDays int

	// Protect adds pulumi.Protect to the user pool (prod). It is always retained on destroy.
	Protect bool
	// CognitoImportID adopts an existing user pool (its ID) instead of creating one. The pool keeps
	// its own name and username settings, which Cognito cannot change.
	CognitoImportID string
	// With the pool, its domain (the prefix), app client (<poolId>/<clientId>) and seed users
	// (<poolId>/<username>) can be adopted too: a pool holds one domain, and Cognito refuses a
	// second user of a name.
	CognitoDomainImportID, CognitoClientImportID, CognitoAdminImportID, CognitoResearcherImportID string
	// SESIdentityImportID adopts the existing sender identity (the address or domain), which
	// keeps its verification; SESTemplateImportIDs adopt existing templates (name → name): SES
	// holds one template of a name.
	SESIdentityImportID  string
	SESTemplateImportIDs map[string]string

	AccountID pulumi.StringInput
	Partition pulumi.StringInput
	// KMSKeyARN is the stack key the host uses, through Secrets Manager, S3 and SSM only.
	KMSKeyARN pulumi.StringInput
	// FlipAPISecretARN and DBMasterSecretARN are the secrets the host reads.
	FlipAPISecretARN  pulumi.StringInput
	DBMasterSecretARN pulumi.StringInput
	// RegistryTokenSecretARN is the registry token secret; nil or "" when there is none.
	RegistryTokenSecretARN pulumi.StringInput
	// AppBucketARNs are the application buckets the host lists.
	AppBucketARNs pulumi.StringArrayInput
	// AppObjectsReadWrite and AppObjectsReadOnly are the object ARN patterns
	// (arn:…:s3:::bucket/prefix/*) the host writes, and only reads.
	AppObjectsReadWrite, AppObjectsReadOnly pulumi.StringArrayInput
	// FLServerObjects are the object ARN patterns fl-server's scoped role writes (results).
	FLServerObjects pulumi.StringArrayInput
	// ParameterPath is the SSM path the host may read (default DefaultParameterPath).
	ParameterPath string
}

// Identity is the identity component.
//
// The user pool requires TOTP MFA, admits only users an administrator creates, and has threat
// protection on. The host role's policies are least privilege: every statement names the exact
// resources the host uses.
type Identity struct {
	pulumi.ResourceState

	// Ready are the host role's policies and instance profile: what the hub host needs
	// before its first AWS call. Depend on these, not on the component (a component expands
	// only to the children registered by the time the dependency is read).
	Ready []pulumi.Resource

	UserPoolID     pulumi.StringOutput
	UserPoolARN    pulumi.StringOutput
	ClientID       pulumi.StringOutput
	UserPoolDomain pulumi.StringOutput
	// SESIdentityARN is the domain or email identity every message is sent from.
	SESIdentityARN pulumi.StringOutput
	// SESConfigurationSetName is the TLS-requiring configuration set of that identity.
	SESConfigurationSetName pulumi.StringOutput
	// SESVerificationRecords are the DNS records that verify a domain identity, one
	// "<name> <type> <value>" line each (three DKIM CNAMEs, the MAIL FROM MX and SPF TXT);
	// empty for an email identity, which is verified by the link SES mails to it.
	SESVerificationRecords  pulumi.StringArrayOutput
	HostRoleName            pulumi.StringOutput
	HostRoleARN             pulumi.StringOutput
	HostInstanceProfileName pulumi.StringOutput
	HostInstanceProfileARN  pulumi.StringOutput
	// FLServerRoleARN is the role the host assumes for fl-server's scoped credentials.
	FLServerRoleARN pulumi.StringOutput
}

// New builds the identity layer.
func New(ctx *pulumi.Context, name string, args Args, opts ...pulumi.ResourceOption) (*Identity, error) {
	if args.ParameterPath == "" {
		args.ParameterPath = DefaultParameterPath
	}
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("identity %s: %w", name, err)
	}
	id := &Identity{}
	if err := ctx.RegisterComponentResource(TypeToken, name, id, opts...); err != nil {
		return nil, fmt.Errorf("identity %s: %w", name, err)
	}
	nm := namer.New(args.Prefix)

	mail, err := newMail(ctx, nm, args, id)
	if err != nil {
		return nil, err
	}
	users, err := newUsers(ctx, nm, args, mail, id)
	if err != nil {
		return nil, err
	}
	host, err := newHostRole(ctx, nm, args, mail, users, id)
	if err != nil {
		return nil, err
	}

	id.UserPoolID = users.pool.ID().ToStringOutput()
	id.UserPoolARN = users.pool.Arn
	id.ClientID = users.client.ID().ToStringOutput()
	id.UserPoolDomain = pulumi.Sprintf("%s.auth.%s.amazoncognito.com", users.domain.Domain, args.Region)
	id.SESIdentityARN = mail.identity.Arn
	id.SESConfigurationSetName = mail.configSet.ConfigurationSetName
	id.SESVerificationRecords = mail.records
	id.HostRoleName = host.role.Name
	id.HostRoleARN = host.role.Arn
	id.HostInstanceProfileName = host.profile.Name
	id.HostInstanceProfileARN = host.profile.Arn
	id.FLServerRoleARN = host.flServer.Arn
	if err := ctx.RegisterResourceOutputs(id, pulumi.Map{
		"userPoolId":              id.UserPoolID,
		"userPoolArn":             id.UserPoolARN,
		"clientId":                id.ClientID,
		"userPoolDomain":          id.UserPoolDomain,
		"sesIdentityArn":          id.SESIdentityARN,
		"sesConfigurationSetName": id.SESConfigurationSetName,
		"sesVerificationRecords":  id.SESVerificationRecords,
		"hostRoleName":            id.HostRoleName,
		"hostRoleArn":             id.HostRoleARN,
		"hostInstanceProfileName": id.HostInstanceProfileName,
		"hostInstanceProfileArn":  id.HostInstanceProfileARN,
		"flServerRoleArn":         id.FLServerRoleARN,
	}); err != nil {
		return nil, fmt.Errorf("identity outputs: %w", err)
	}
	return id, nil
}

// SenderDomain is the domain part of the sender address: the SES domain identity.
func (a Args) SenderDomain() string {
	_, domain, _ := strings.Cut(a.SenderEmail, "@")
	return domain
}

// SESIdentityName is what SES verifies: the sender's domain or the sender address.
func (a Args) SESIdentityName() string {
	if a.SESDomainIdentity {
		return a.SenderDomain()
	}
	return a.SenderEmail
}

// MailFromDomain is the custom MAIL FROM (bounce) domain of a domain identity, so SPF
// aligns with the From domain for DMARC; "" for an email identity.
func (a Args) MailFromDomain() string {
	if !a.SESDomainIdentity {
		return ""
	}
	return "mail." + a.SenderDomain()
}

func (a Args) validate() error {
	var problems []string
	add := func(format string, v ...any) { problems = append(problems, fmt.Sprintf(format, v...)) }
	if a.Prefix == "" {
		add("prefix is empty")
	}
	if a.Region == "" {
		add("region is empty")
	}
	if !domainRE.MatchString(a.Domain) {
		add("domain %q is not a host name", a.Domain)
	}
	if !domainPrefixRE.MatchString(a.DomainPrefix) {
		add("cognito domain prefix %q is not lower-case letters, digits and hyphens", a.DomainPrefix)
	}
	if !emailRE.MatchString(a.SenderEmail) {
		add("sender %q is not an email address", a.SenderEmail)
	}
	if !emailRE.MatchString(a.AdminEmail) {
		add("admin %q is not an email address", a.AdminEmail)
	}
	if !emailRE.MatchString(a.AdminUserEmail) {
		add("admin user %q is not an email address", a.AdminUserEmail)
	}
	if a.ResearcherUserEmail != "" && !emailRE.MatchString(a.ResearcherUserEmail) {
		add("researcher user %q is not an email address", a.ResearcherUserEmail)
	}
	if a.ZoneID != nil && a.SESDomainIdentity && !inZone(a.SenderDomain(), a.ZoneName) {
		add("sender domain %q is not inside the managed zone %q, so its DKIM records cannot be written there", a.SenderDomain(), a.ZoneName)
	}
	checkRange := func(what string, v, lo, hi int) {
		if v < lo || v > hi {
			add("%s %d is outside %d–%d", what, v, lo, hi)
		}
	}
	// Cognito's own bounds: access and ID tokens 5 minutes to 1 day, refresh tokens
	// 1 hour to 10 years; temporary passwords at most 7 days (Security Hub Cognito.3).
	checkRange("access token minutes", a.AccessTokenMinutes, 5, 1440)
	checkRange("id token minutes", a.IDTokenMinutes, 5, 1440)
	checkRange("refresh token days", a.RefreshTokenDays, 1, 3650)
	checkRange("temporary password days", a.TemporaryPasswordDays, 1, 7)
	if !paramPathRE.MatchString(a.ParameterPath) {
		add("parameter path %q is not an SSM path such as /flip", a.ParameterPath)
	}
	for _, in := range []struct {
		what  string
		unset bool
	}{
		{"account ID", a.AccountID == nil},
		{"partition", a.Partition == nil},
		{"KMS key ARN", a.KMSKeyARN == nil},
		{"FLIP_API secret ARN", a.FlipAPISecretARN == nil},
		{"DB master secret ARN", a.DBMasterSecretARN == nil},
		{"app bucket ARNs", a.AppBucketARNs == nil},
		{"app object grants", a.AppObjectsReadWrite == nil || a.AppObjectsReadOnly == nil},
		{"fl-server object grants", a.FLServerObjects == nil},
	} {
		if in.unset {
			add("%s is not set", in.what)
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return nil
}

func inZone(domain, zone string) bool {
	zone = strings.TrimSuffix(zone, ".")
	return zone != "" && (domain == zone || strings.HasSuffix(domain, "."+zone))
}
