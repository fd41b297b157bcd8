package identity

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cognito"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/internal/namer"
)

// MinPasswordLength is the shortest password the pool accepts; all four character
// classes are required as well (Security Hub Cognito.3).
const MinPasswordLength = 12

// PasswordHistory is how many previous passwords a user may not reuse.
const PasswordHistory = 5

// ClientAuthFlows are the only sign-in flows the SPA's client allows: SRP (the password
// never leaves the browser) and refresh. No USER_PASSWORD_AUTH, no admin or custom flows.
var ClientAuthFlows = []string{"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}

// ClientScopes are the OAuth scopes the SPA may request.
var ClientScopes = []string{"openid", "email", "profile"}

type users struct {
	pool   *cognito.UserPool
	client *cognito.UserPoolClient
	domain *cognito.UserPoolDomain
}

func newUsers(ctx *pulumi.Context, nm namer.Namer, args Args, m *mail, id *Identity) (*users, error) {
	parent := pulumi.Parent(id)
	mfa, threat, deletion := "OPTIONAL", "AUDIT", "INACTIVE"
	if args.PoolMFAOn {
		mfa = "ON"
	}
	if args.ThreatProtectionEnforced {
		threat = "ENFORCED"
	}
	if args.DeletionProtection {
		deletion = "ACTIVE"
	}

	// Cognito's own sender is capped at a few dozen messages a day and cannot be
	// branded with our domain; SES is used only once an operator has verified the
	// identity and left the SES sandbox (config), because Cognito rejects an
	// unverified source.
	email := &cognito.UserPoolEmailConfigurationArgs{EmailSendingAccount: pulumi.String("COGNITO_DEFAULT")}
	if args.SESVerified {
		email = &cognito.UserPoolEmailConfigurationArgs{
			EmailSendingAccount: pulumi.String("DEVELOPER"),
			SourceArn:           m.identity.Arn,
			FromEmailAddress:    pulumi.String(fmt.Sprintf("FLIP <%s>", args.SenderEmail)),
			ReplyToEmailAddress: pulumi.String(args.AdminEmail),
			ConfigurationSet:    m.configSet.ConfigurationSetName,
		}
	}

	// The pool holds every user's identity and MFA secret: it is retained on destroy in
	// every environment, protected in prod, and can be adopted from an existing hub.
	poolOpts := []pulumi.ResourceOption{parent, pulumi.RetainOnDelete(true), pulumi.Protect(args.Protect)}
	if args.CognitoImportID != "" {
		// An adopted pool keeps what Cognito cannot change after creation: its name, its
		// username settings and attribute schema.
		poolOpts = append(poolOpts, pulumi.Import(pulumi.ID(args.CognitoImportID)),
			pulumi.IgnoreChanges([]string{"name", "usernameConfiguration", "usernameAttributes", "aliasAttributes", "schemas"}))
	}
	adopt := func(id string) []pulumi.ResourceOption {
		if id == "" {
			return nil
		}
		return []pulumi.ResourceOption{pulumi.Import(pulumi.ID(id))}
	}
	// Cognito never reports whether a client has a secret, so an imported client reads with no
	// generateSecret, and a change to it replaces the client: an adopted client keeps what it has.
	adoptClient := func(id string) []pulumi.ResourceOption {
		if id == "" {
			return nil
		}
		return append(adopt(id), pulumi.IgnoreChanges([]string{"generateSecret"}))
	}
	pool, err := cognito.NewUserPool(ctx, "users", &cognito.UserPoolArgs{
		Name: pulumi.String(nm.Bounded(128, "users")),
		// Threat protection (advanced security) is a Plus-plan feature for new pools.
		UserPoolTier: pulumi.String("PLUS"),
		UserPoolAddOns: &cognito.UserPoolUserPoolAddOnsArgs{
			AdvancedSecurityMode: pulumi.String(threat),
			AdvancedSecurityAdditionalFlows: &cognito.UserPoolUserPoolAddOnsAdvancedSecurityAdditionalFlowsArgs{
				CustomAuthMode: pulumi.String(threat),
			},
		},
		// TOTP only: SMS MFA would need SNS and is open to SIM swapping.
		MfaConfiguration:              pulumi.String(mfa),
		SoftwareTokenMfaConfiguration: &cognito.UserPoolSoftwareTokenMfaConfigurationArgs{Enabled: pulumi.Bool(true)},
		SignInPolicy: &cognito.UserPoolSignInPolicyArgs{
			AllowedFirstAuthFactors: pulumi.StringArray{pulumi.String("PASSWORD")},
		},
		UsernameAttributes:     pulumi.StringArray{pulumi.String("email")},
		UsernameConfiguration:  &cognito.UserPoolUsernameConfigurationArgs{CaseSensitive: pulumi.Bool(false)},
		AutoVerifiedAttributes: pulumi.StringArray{pulumi.String("email")},
		// A changed email stays unverified (and unused for sign-in) until its code is entered.
		UserAttributeUpdateSettings: &cognito.UserPoolUserAttributeUpdateSettingsArgs{
			AttributesRequireVerificationBeforeUpdates: pulumi.StringArray{pulumi.String("email")},
		},
		AdminCreateUserConfig: &cognito.UserPoolAdminCreateUserConfigArgs{
			AllowAdminCreateUserOnly: pulumi.Bool(true),
			InviteMessageTemplate: &cognito.UserPoolAdminCreateUserConfigInviteMessageTemplateArgs{
				EmailSubject: pulumi.String(m.messages.InviteSubject),
				EmailMessage: pulumi.String(m.messages.InviteHTML),
			},
		},
		PasswordPolicy: &cognito.UserPoolPasswordPolicyArgs{
			MinimumLength:                 pulumi.Int(MinPasswordLength),
			RequireLowercase:              pulumi.Bool(true),
			RequireUppercase:              pulumi.Bool(true),
			RequireNumbers:                pulumi.Bool(true),
			RequireSymbols:                pulumi.Bool(true),
			TemporaryPasswordValidityDays: pulumi.Int(args.TemporaryPasswordDays),
			PasswordHistorySize:           pulumi.Int(PasswordHistory),
		},
		AccountRecoverySetting: &cognito.UserPoolAccountRecoverySettingArgs{
			RecoveryMechanisms: cognito.UserPoolAccountRecoverySettingRecoveryMechanismArray{
				&cognito.UserPoolAccountRecoverySettingRecoveryMechanismArgs{Name: pulumi.String("verified_email"), Priority: pulumi.Int(1)},
			},
		},
		VerificationMessageTemplate: &cognito.UserPoolVerificationMessageTemplateArgs{
			DefaultEmailOption: pulumi.String("CONFIRM_WITH_CODE"),
			EmailSubject:       pulumi.String(m.messages.VerificationSubject),
			EmailMessage:       pulumi.String(m.messages.VerificationHTML),
		},
		EmailConfiguration: email,
		DeletionProtection: pulumi.String(deletion),
		Tags:               pulumi.StringMap{"Name": pulumi.String(nm.Name("users"))},
	}, poolOpts...)
	if err != nil {
		return nil, fmt.Errorf("cognito user pool: %w", err)
	}

	domain, err := cognito.NewUserPoolDomain(ctx, "users", &cognito.UserPoolDomainArgs{
		Domain:     pulumi.String(args.DomainPrefix),
		UserPoolId: pool.ID(),
		// The classic hosted UI: managed login (2) needs a branding style per client.
		ManagedLoginVersion: pulumi.Int(1),
	}, append([]pulumi.ResourceOption{parent}, adopt(args.CognitoDomainImportID)...)...)
	if err != nil {
		return nil, fmt.Errorf("cognito domain: %w", err)
	}

	hub := "https://" + args.Domain + "/"
	client, err := cognito.NewUserPoolClient(ctx, "spa", &cognito.UserPoolClientArgs{
		Name:       pulumi.String(nm.Bounded(128, "spa")),
		UserPoolId: pool.ID(),
		// A browser cannot keep a secret: the SPA is a public client.
		GenerateSecret:    pulumi.Bool(false),
		ExplicitAuthFlows: pulumi.ToStringArray(ClientAuthFlows),
		// Authorization code (with PKCE) only: the implicit grant puts tokens in URLs.
		AllowedOauthFlowsUserPoolClient: pulumi.Bool(true),
		AllowedOauthFlows:               pulumi.StringArray{pulumi.String("code")},
		AllowedOauthScopes:              pulumi.ToStringArray(ClientScopes),
		CallbackUrls:                    pulumi.StringArray{pulumi.String(hub)},
		DefaultRedirectUri:              pulumi.String(hub),
		LogoutUrls:                      pulumi.StringArray{pulumi.String(hub)},
		SupportedIdentityProviders:      pulumi.StringArray{pulumi.String("COGNITO")},
		// Sign-in and recovery answer the same way whether or not the user exists.
		PreventUserExistenceErrors: pulumi.String("ENABLED"),
		EnableTokenRevocation:      pulumi.Bool(true),
		AccessTokenValidity:        pulumi.Int(args.AccessTokenMinutes),
		IdTokenValidity:            pulumi.Int(args.IDTokenMinutes),
		RefreshTokenValidity:       pulumi.Int(args.RefreshTokenDays),
		TokenValidityUnits: &cognito.UserPoolClientTokenValidityUnitsArgs{
			AccessToken:  pulumi.String("minutes"),
			IdToken:      pulumi.String("minutes"),
			RefreshToken: pulumi.String("days"),
		},
		AuthSessionValidity: pulumi.Int(3),
		ReadAttributes:      pulumi.StringArray{pulumi.String("email"), pulumi.String("email_verified")},
	}, append([]pulumi.ResourceOption{parent}, adoptClient(args.CognitoClientImportID)...)...)
	if err != nil {
		return nil, fmt.Errorf("cognito app client: %w", err)
	}
	// The users flip-api grants a role at boot (the admin, and optionally the researcher): they
	// must exist in the pool by then. Cognito mints each temporary password and emails the
	// invitation: no password is ever in the program or the state. Like the pool, the users outlive
	// a destroy; what a user later changes (password, attributes) is not undone by the next up.
	seed := []struct{ name, email, importID string }{{"admin", args.AdminUserEmail, args.CognitoAdminImportID}}
	if args.ResearcherUserEmail != "" {
		seed = append(seed, struct{ name, email, importID string }{"researcher", args.ResearcherUserEmail, args.CognitoResearcherImportID})
	}
	for _, s := range seed {
		_, err := cognito.NewUser(ctx, s.name, &cognito.UserArgs{
			UserPoolId: pool.ID(),
			Username:   pulumi.String(s.email),
			Attributes: pulumi.StringMap{
				"email":          pulumi.String(s.email),
				"email_verified": pulumi.String("true"),
			},
			DesiredDeliveryMediums: pulumi.StringArray{pulumi.String("EMAIL")},
		}, append([]pulumi.ResourceOption{parent, pulumi.RetainOnDelete(true), pulumi.Protect(args.Protect),
			pulumi.IgnoreChanges([]string{"password", "temporaryPassword", "messageAction", "desiredDeliveryMediums"})},
			adopt(s.importID)...)...)
		if err != nil {
			return nil, fmt.Errorf("cognito %s user: %w", s.name, err)
		}
	}
	return &users{pool: pool, client: client, domain: domain}, nil
}
