package compliance

import (
	"fmt"
	"slices"
	"strings"

	"github.com/londonaicentre/flip-hub/internal/deploy"
	"github.com/londonaicentre/flip-hub/internal/flip"
)

// Cognito password floor (Security Hub Cognito.3 asks for at least 8; the hub keeps 12).
const minPasswordLength = 12

// acmKeyAlgorithms are the certificate key algorithms ACM.2 accepts.
var acmKeyAlgorithms = []string{"RSA_2048", "RSA_3072", "RSA_4096", "EC_prime256v1", "EC_secp384r1", "EC_secp521r1"}

func identityRules() []Rule {
	pool := []string{TypeCognitoPool}
	cert := []string{TypeACMCertificate}
	return []Rule{
		{
			ID: "cognito-mfa-required", Types: pool,
			// OPTIONAL passes only with flip-api enforcing enrolment, as upstream FLIP runs it
			// (deploy/compose.production.yml ENFORCE_MFA; modules/cognito/main.tf mfa_configuration).
			Sources: []string{"Cognito.5"},
			Title:   "every user must enrol TOTP: the pool requires MFA, or flip-api enforces enrolment (ENFORCE_MFA) on an OPTIONAL pool, as upstream",
			Check: func(v View, c *Context) []string {
				var p []string
				switch m := v.String("mfaConfiguration"); {
				case m == "ON" || m == Unknown:
				case m == "OPTIONAL" && hubEnforcesMFA(c):
				default:
					p = append(p, fmt.Sprintf("mfaConfiguration is %q and flip-api does not enforce enrolment (%s); want ON, or OPTIONAL with %s", m, enforceMFALine, enforceMFALine))
				}
				if !v.IsTrue("softwareTokenMfaConfiguration.enabled") {
					p = append(p, "software-token (TOTP) MFA is not enabled")
				}
				return p
			},
		},
		{
			ID: "cognito-threat-protection", Types: pool,
			Sources:     []string{"Cognito.1", "Cognito.4"},
			Title:       "user pools enforce threat protection for standard and custom authentication",
			StagRelaxed: "stag runs threat protection in audit mode (config default threatProtection audit)",
			Check: func(v View, _ *Context) []string {
				var p []string
				if m := v.String("userPoolAddOns.advancedSecurityMode"); m != "ENFORCED" && m != Unknown {
					p = append(p, fmt.Sprintf("advancedSecurityMode is %q; want ENFORCED", m))
				}
				if m := v.String("userPoolAddOns.advancedSecurityAdditionalFlows.customAuthMode"); m != "" && m != "ENFORCED" && m != Unknown {
					p = append(p, fmt.Sprintf("customAuthMode is %q; want ENFORCED", m))
				}
				return p
			},
		},
		{
			ID: "cognito-deletion-protection", Types: pool,
			Sources:     []string{"Cognito.6"},
			Title:       "user pools have deletion protection",
			StagRelaxed: "stag's user pool is disposable (environment table); it is still retained on destroy",
			Check: func(v View, _ *Context) []string {
				m := v.String("deletionProtection")
				return unless(m == "ACTIVE" || m == Unknown, fmt.Sprintf("deletionProtection is %q; want ACTIVE", m))
			},
		},
		{
			ID: "cognito-password-policy", Types: pool,
			Sources: []string{"Cognito.3"},
			Title:   fmt.Sprintf("user pools require passwords of %d+ characters of every class, temporary ones for 7 days at most", minPasswordLength),
			Check: func(v View, _ *Context) []string {
				if v.Unknown("passwordPolicy") {
					return nil
				}
				var p []string
				if n := v.Number("passwordPolicy.minimumLength"); n < minPasswordLength {
					p = append(p, fmt.Sprintf("minimumLength is %g; want at least %d", n, minPasswordLength))
				}
				for _, k := range []string{"requireLowercase", "requireUppercase", "requireNumbers", "requireSymbols"} {
					if !v.IsTrue("passwordPolicy." + k) {
						p = append(p, k+" is not true")
					}
				}
				if d := v.Number("passwordPolicy.temporaryPasswordValidityDays"); d <= 0 || d > 7 {
					p = append(p, fmt.Sprintf("temporaryPasswordValidityDays is %g; want 1 to 7", d))
				}
				return p
			},
		},
		{
			ID: "ses-tls-required", Types: []string{TypeSESConfigSet},
			Sources: []string{"CKV_AWS_365"},
			Title:   "SES configuration sets require TLS to the receiving server",
			Check: func(v View, _ *Context) []string {
				t := v.String("deliveryOptions.tlsPolicy")
				return unless(t == "REQUIRE" || t == Unknown, fmt.Sprintf("deliveryOptions.tlsPolicy is %q; want REQUIRE", t))
			},
		},
		{
			ID: "acm-key-algorithm", Types: cert,
			Sources: []string{"ACM.2"},
			Title:   "certificates use RSA 2048+ or an EC key",
			Check: func(v View, _ *Context) []string {
				a := v.String("keyAlgorithm")
				if a == "" || a == Unknown || slices.Contains(acmKeyAlgorithms, a) {
					return nil // unset means RSA_2048
				}
				return []string{fmt.Sprintf("keyAlgorithm %q; want one of %v", a, acmKeyAlgorithms)}
			},
		},
		{
			ID: "acm-no-wildcard", Types: cert,
			Sources: []string{"CKV2_AWS_71"},
			Title:   "certificates name their hosts, not a wildcard",
			Check: func(v View, _ *Context) []string {
				names := append([]string{v.String("domainName")}, stringsOf(v.List("subjectAlternativeNames"))...)
				var p []string
				for _, n := range names {
					if strings.HasPrefix(n, "*") {
						p = append(p, fmt.Sprintf("%q is a wildcard", n))
					}
				}
				return p
			},
		},
		{
			ID: "acm-transparency-logging", Types: cert,
			Sources: []string{"CKV_AWS_234"},
			Title:   "certificates are logged to certificate transparency",
			Check: func(v View, _ *Context) []string {
				return when(v.String("options.certificateTransparencyLoggingPreference") == "DISABLED", "certificate transparency logging is DISABLED")
			},
		},
	}
}

// enforceMFALine is the flip-api env line of the hub deploy that makes flip-api and flip-ui
// require TOTP enrolment of every user.
var enforceMFALine = deploy.EnvLine(flip.EnvEnforceMFA, "true")

// hubEnforcesMFA reports whether the stack's hub deploy renders flip-api with ENFORCE_MFA=true.
func hubEnforcesMFA(c *Context) bool {
	if c == nil {
		return false
	}
	for _, cmd := range c.ByType(TypeLocalCommand) {
		if strings.Contains(cmd.String("stdin"), "\n"+enforceMFALine+"\n") {
			return true
		}
	}
	return false
}
