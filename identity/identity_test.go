package identity_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/identity"
	"github.com/londonaicentre/flip-hub/internal/iamdoc"
	"github.com/londonaicentre/flip-hub/internal/plan"
)

const (
	typePool       = "aws:cognito/userPool:UserPool"
	typeClient     = "aws:cognito/userPoolClient:UserPoolClient"
	typeDomain     = "aws:cognito/userPoolDomain:UserPoolDomain"
	typeIdentity   = "aws:sesv2/emailIdentity:EmailIdentity"
	typeMailFrom   = "aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes"
	typeConfigSet  = "aws:sesv2/configurationSet:ConfigurationSet"
	typeTemplate   = "aws:ses/template:Template"
	typeRecord     = "aws:route53/record:Record"
	typeRole       = "aws:iam/role:Role"
	typeRolePolicy = "aws:iam/rolePolicy:RolePolicy"
	typeAttachment = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
	typeProfile    = "aws:iam/instanceProfile:InstanceProfile"

	region   = "eu-west-2"
	account  = "123456789012"
	zoneID   = "Z0TESTZONE"
	kmsKey   = "arn:aws:kms:eu-west-2:123456789012:key/test-key"
	apiSec   = "arn:aws:secretsmanager:eu-west-2:123456789012:secret:flip-test-api-AbCdEf"
	dbSec    = "arn:aws:secretsmanager:eu-west-2:123456789012:secret:rds!db-1234-GhIjKl"
	regSec   = "arn:aws:secretsmanager:eu-west-2:123456789012:secret:flip-test-registry-MnOpQr"
	importID = "eu-west-2_Adopted1"
)

var (
	buckets   = []string{"arn:aws:s3:::flip-test-model-files-uploads", "arn:aws:s3:::flip-test-fl-kits"}
	rwObjects = []string{"arn:aws:s3:::flip-test-model-files-uploads/uploaded/*"}
	roObjects = []string{"arn:aws:s3:::flip-test-fl-kits/fl-flare-participant-kits/*"}
)

// baseArgs is the known-good fixture: a prod-like hub sending through a verified SES
// domain identity in a managed zone.
func baseArgs() identity.Args {
	return identity.Args{
		Prefix:                   "flip-test",
		Region:                   region,
		Domain:                   "test.flip.example.org",
		ZoneID:                   pulumi.String(zoneID),
		ZoneName:                 "flip.example.org",
		PoolMFAOn:                true,
		EnrolmentRequired:        true,
		DeletionProtection:       true,
		ThreatProtectionEnforced: true,
		DomainPrefix:             "flip-test",
		SenderEmail:              "noreply@test.flip.example.org",
		AdminEmail:               "admin@example.org",
		AdminUserEmail:           "aicentreflip@gmail.com",
		SESDomainIdentity:        true,
		SESVerified:              true,
		AccessTokenMinutes:       30,
		IDTokenMinutes:           45,
		RefreshTokenDays:         7,
		TemporaryPasswordDays:    3,
		Protect:                  true,
		CognitoImportID:          importID,
		AccountID:                pulumi.String(account),
		Partition:                pulumi.String("aws"),
		KMSKeyARN:                pulumi.String(kmsKey),
		FlipAPISecretARN:         pulumi.String(apiSec),
		DBMasterSecretARN:        pulumi.String(dbSec),
		RegistryTokenSecretARN:   pulumi.String(regSec),
		AppBucketARNs:            pulumi.ToStringArray(buckets),
		AppObjectsReadWrite:      pulumi.ToStringArray(rwObjects),
		AppObjectsReadOnly:       pulumi.ToStringArray(roObjects),
		FLServerObjects:          pulumi.ToStringArray([]string{"arn:aws:s3:::flip-test-fl-results/results/*"}),
	}
}

var variants = []struct {
	name string
	// registry says whether the host may read a registry token secret.
	registry bool
	mutate   func(a *identity.Args)
}{
	{"prod-like", true, func(*identity.Args) {}},
	{"stag-like", false, func(a *identity.Args) {
		a.DeletionProtection, a.ThreatProtectionEnforced, a.SESVerified, a.Protect = false, false, false, false
		a.CognitoImportID = ""
		a.RegistryTokenSecretARN = nil
	}},
	{"email identity, unmanaged DNS", false, func(a *identity.Args) {
		a.SESDomainIdentity, a.ZoneID, a.ZoneName = false, nil, ""
		a.RegistryTokenSecretARN = pulumi.String("") // the data layer's "unset"
	}},
	{"domain identity, unmanaged DNS, optional MFA", true, func(a *identity.Args) {
		a.ZoneID, a.ZoneName, a.PoolMFAOn, a.EnrolmentRequired = nil, "", false, false
	}},
}

type run struct {
	g       *plan.Graph
	outputs map[string]any
	args    identity.Args
}

// build runs identity.New in a small program under the recording mocks, with an
// explicit provider as hub does, and captures the component's outputs.
func build(t *testing.T, args identity.Args) run {
	t.Helper()
	var mu sync.Mutex
	outputs := map[string]any{}
	capture := func(key string, o pulumi.Output) {
		o.ApplyT(func(v any) any {
			mu.Lock()
			defer mu.Unlock()
			outputs[key] = v
			return v
		})
	}
	program := func(ctx *pulumi.Context) error {
		prov, err := aws.NewProvider(ctx, "aws", &aws.ProviderArgs{Region: pulumi.String(region)})
		if err != nil {
			return err
		}
		id, err := identity.New(ctx, "identity", args, pulumi.Providers(prov))
		if err != nil {
			return err
		}
		for k, o := range map[string]pulumi.Output{
			"UserPoolID": id.UserPoolID, "UserPoolARN": id.UserPoolARN, "ClientID": id.ClientID,
			"UserPoolDomain": id.UserPoolDomain, "SESIdentityARN": id.SESIdentityARN,
			"SESConfigurationSetName": id.SESConfigurationSetName, "SESVerificationRecords": id.SESVerificationRecords,
			"HostRoleName": id.HostRoleName, "HostRoleARN": id.HostRoleARN,
			"HostInstanceProfileName": id.HostInstanceProfileName, "HostInstanceProfileARN": id.HostInstanceProfileARN,
		} {
			capture(k, o)
		}
		return nil
	}
	cfg := plan.StackConfig{Values: map[string]string{
		"aws:region":            region,
		"aws:allowedAccountIds": `["` + account + `"]`,
	}}
	g, err := plan.Run(plan.Options{Stack: "test", Config: &cfg, Program: program})
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	return run{g: g, outputs: outputs, args: args}
}

func one(t *testing.T, g *plan.Graph, typ string) plan.Resource {
	t.Helper()
	rs := g.ByType(typ)
	if len(rs) != 1 {
		t.Fatalf("%d %s; want 1", len(rs), typ)
	}
	return rs[0]
}

func strs(t *testing.T, r plan.Resource, path string) []string {
	t.Helper()
	v, ok := r.Lookup(path)
	if !ok || v == nil {
		return nil
	}
	arr, ok := v.([]any)
	if !ok {
		t.Fatalf("%s.%s is %T; want a list", r.Name, path, v)
	}
	out := make([]string, len(arr))
	for i, e := range arr {
		out[i], _ = e.(string)
	}
	return out
}

func TestUserPool(t *testing.T) {
	t.Parallel()
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			args := baseArgs()
			v.mutate(&args)
			r := build(t, args)
			pool := one(t, r.g, typePool)
			ses := one(t, r.g, typeIdentity)
			sesARN := fmt.Sprintf("arn:aws:ses:%s:%s:identity/%s", region, account, ses.String("emailIdentity"))

			wantMFA := map[bool]string{true: "ON", false: "OPTIONAL"}[args.PoolMFAOn]
			wantThreat := map[bool]string{true: "ENFORCED", false: "AUDIT"}[args.ThreatProtectionEnforced]
			wantDeletion := map[bool]string{true: "ACTIVE", false: "INACTIVE"}[args.DeletionProtection]
			checks := []struct {
				what      string
				got, want any
			}{
				{"mfaConfiguration", pool.String("mfaConfiguration"), wantMFA},
				{"software token MFA", pool.Bool("softwareTokenMfaConfiguration.enabled"), true},
				{"usernameAttributes", strs(t, pool, "usernameAttributes"), []string{"email"}},
				{"autoVerifiedAttributes", strs(t, pool, "autoVerifiedAttributes"), []string{"email"}},
				{"admin-created users only", pool.Bool("adminCreateUserConfig.allowAdminCreateUserOnly"), true},
				{"require lowercase", pool.Bool("passwordPolicy.requireLowercase"), true},
				{"require uppercase", pool.Bool("passwordPolicy.requireUppercase"), true},
				{"require numbers", pool.Bool("passwordPolicy.requireNumbers"), true},
				{"require symbols", pool.Bool("passwordPolicy.requireSymbols"), true},
				{"temporary password days", int(pool.Number("passwordPolicy.temporaryPasswordValidityDays")), args.TemporaryPasswordDays},
				{"recovery mechanism", pool.String("accountRecoverySetting.recoveryMechanisms[0].name"), "verified_email"},
				{"advanced security", pool.String("userPoolAddOns.advancedSecurityMode"), wantThreat},
				{"custom auth threat protection", pool.String("userPoolAddOns.advancedSecurityAdditionalFlows.customAuthMode"), wantThreat},
				{"tier", pool.String("userPoolTier"), "PLUS"},
				{"deletionProtection", pool.String("deletionProtection"), wantDeletion},
				{"retainOnDelete", pool.RetainOnDelete, true},
				{"protect", pool.Protect, args.Protect},
				{"importId", pool.ImportID, args.CognitoImportID},
			}
			for _, c := range checks {
				if fmt.Sprint(c.got) != fmt.Sprint(c.want) {
					t.Errorf("pool %s = %v; want %v", c.what, c.got, c.want)
				}
			}
			if n := len(strs(t, pool, "accountRecoverySetting.recoveryMechanisms")); n != 1 {
				t.Errorf("pool has %d recovery mechanisms; want verified email only", n)
			}
			if got := int(pool.Number("passwordPolicy.minimumLength")); got < 12 {
				t.Errorf("minimum password length %d; want at least 12", got)
			}
			if d := int(pool.Number("passwordPolicy.temporaryPasswordValidityDays")); d < 1 || d > 7 {
				t.Errorf("temporary passwords last %d days; want 1–7", d)
			}
			if _, sms := pool.Lookup("smsConfiguration"); sms {
				t.Error("pool has an SMS configuration; want TOTP only")
			}

			url := "https://" + args.Domain
			for _, m := range []struct{ path, placeholders string }{
				{"adminCreateUserConfig.inviteMessageTemplate.emailMessage", "{username} {####}"},
				{"verificationMessageTemplate.emailMessage", "{####}"},
			} {
				msg := pool.String(m.path)
				for _, p := range append(strings.Fields(m.placeholders), url, "FLIP") {
					if !strings.Contains(msg, p) {
						t.Errorf("%s lacks %q", m.path, p)
					}
				}
			}
			for _, p := range []string{"adminCreateUserConfig.inviteMessageTemplate.emailSubject", "verificationMessageTemplate.emailSubject"} {
				if !strings.Contains(pool.String(p), "FLIP") {
					t.Errorf("%s %q is not branded for FLIP", p, pool.String(p))
				}
			}

			email := "emailConfiguration."
			if args.SESVerified {
				if pool.String(email+"emailSendingAccount") != "DEVELOPER" || pool.String(email+"sourceArn") != sesARN {
					t.Errorf("verified SES: pool sends as %q from %q; want DEVELOPER from %s",
						pool.String(email+"emailSendingAccount"), pool.String(email+"sourceArn"), sesARN)
				}
				if cs := one(t, r.g, typeConfigSet).String("configurationSetName"); pool.String(email+"configurationSet") != cs {
					t.Errorf("pool mail uses configuration set %q; want %q", pool.String(email+"configurationSet"), cs)
				}
				if !strings.Contains(pool.String(email+"fromEmailAddress"), "<"+args.SenderEmail+">") {
					t.Errorf("pool mail is from %q; want %s", pool.String(email+"fromEmailAddress"), args.SenderEmail)
				}
			} else {
				if pool.String(email+"emailSendingAccount") != "COGNITO_DEFAULT" || pool.String(email+"sourceArn") != "" {
					t.Errorf("unverified SES: pool sends as %q from %q; want COGNITO_DEFAULT and no source",
						pool.String(email+"emailSendingAccount"), pool.String(email+"sourceArn"))
				}
			}

			domain := one(t, r.g, typeDomain)
			if domain.String("domain") != args.DomainPrefix || domain.String("userPoolId") != r.outputs["UserPoolID"] {
				t.Errorf("domain %q on pool %q; want %q on %v", domain.String("domain"), domain.String("userPoolId"), args.DomainPrefix, r.outputs["UserPoolID"])
			}
		})
	}
}

func TestAppClient(t *testing.T) {
	t.Parallel()
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			args := baseArgs()
			v.mutate(&args)
			r := build(t, args)
			c := one(t, r.g, typeClient)
			if c.Bool("generateSecret") {
				t.Error("the SPA client has a secret; want a public client")
			}
			flows := strs(t, c, "explicitAuthFlows")
			slices.Sort(flows)
			if want := []string{"ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"}; !slices.Equal(flows, want) {
				t.Errorf("auth flows %v; want %v", flows, want)
			}
			if got := strs(t, c, "allowedOauthFlows"); !slices.Equal(got, []string{"code"}) || !c.Bool("allowedOauthFlowsUserPoolClient") {
				t.Errorf("oauth flows %v; want authorization code only", got)
			}
			for _, k := range []string{"callbackUrls", "logoutUrls"} {
				urls := strs(t, c, k)
				if len(urls) == 0 {
					t.Errorf("%s is empty", k)
				}
				for _, u := range urls {
					if !strings.HasPrefix(u, "https://"+args.Domain+"/") {
						t.Errorf("%s has %q; want https URLs of %s", k, u, args.Domain)
					}
				}
			}
			checks := []struct {
				what      string
				got, want any
			}{
				{"preventUserExistenceErrors", c.String("preventUserExistenceErrors"), "ENABLED"},
				{"supportedIdentityProviders", strs(t, c, "supportedIdentityProviders"), []string{"COGNITO"}},
				{"accessTokenValidity", int(c.Number("accessTokenValidity")), args.AccessTokenMinutes},
				{"idTokenValidity", int(c.Number("idTokenValidity")), args.IDTokenMinutes},
				{"refreshTokenValidity", int(c.Number("refreshTokenValidity")), args.RefreshTokenDays},
				{"access token unit", c.String("tokenValidityUnits.accessToken"), "minutes"},
				{"id token unit", c.String("tokenValidityUnits.idToken"), "minutes"},
				{"refresh token unit", c.String("tokenValidityUnits.refreshToken"), "days"},
				{"token revocation", c.Bool("enableTokenRevocation"), true},
				{"pool", c.String("userPoolId"), r.outputs["UserPoolID"]},
			}
			for _, ch := range checks {
				if fmt.Sprint(ch.got) != fmt.Sprint(ch.want) {
					t.Errorf("client %s = %v; want %v", ch.what, ch.got, ch.want)
				}
			}
		})
	}
}

func TestSES(t *testing.T) {
	t.Parallel()
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			args := baseArgs()
			v.mutate(&args)
			r := build(t, args)
			cs := one(t, r.g, typeConfigSet)
			if cs.String("deliveryOptions.tlsPolicy") != "REQUIRE" {
				t.Errorf("configuration set TLS policy %q; want REQUIRE", cs.String("deliveryOptions.tlsPolicy"))
			}
			ses := one(t, r.g, typeIdentity)
			senderDomain := strings.SplitN(args.SenderEmail, "@", 2)[1]
			wantIdentity := map[bool]string{true: senderDomain, false: args.SenderEmail}[args.SESDomainIdentity]
			if ses.String("emailIdentity") != wantIdentity || ses.String("configurationSetName") != cs.String("configurationSetName") {
				t.Errorf("identity %q with set %q; want %q with %q", ses.String("emailIdentity"), ses.String("configurationSetName"), wantIdentity, cs.String("configurationSetName"))
			}
			if r.outputs["SESIdentityARN"] != fmt.Sprintf("arn:aws:ses:%s:%s:identity/%s", region, account, wantIdentity) {
				t.Errorf("SESIdentityARN %v is not the identity's ARN", r.outputs["SESIdentityARN"])
			}

			mailFrom := r.g.ByType(typeMailFrom)
			records := r.g.ByType(typeRecord)
			verification, _ := r.outputs["SESVerificationRecords"].([]string)
			if !args.SESDomainIdentity {
				if len(mailFrom) != 0 || len(records) != 0 || len(verification) != 0 {
					t.Errorf("email identity has %d MAIL FROM, %d records, %d verification records; want none", len(mailFrom), len(records), len(verification))
				}
			} else {
				if _, dkim := ses.Lookup("dkimSigningAttributes"); !dkim {
					t.Error("domain identity has no DKIM signing attributes")
				}
				if len(mailFrom) != 1 || mailFrom[0].String("mailFromDomain") != "mail."+senderDomain {
					t.Fatalf("MAIL FROM %v; want one at mail.%s", mailFrom, senderDomain)
				}
				if len(verification) != 5 {
					t.Errorf("%d verification records; want 3 DKIM, MX and TXT: %v", len(verification), verification)
				}
				wantRecords := map[bool]int{true: 5, false: 0}[args.ZoneID != nil]
				if len(records) != wantRecords {
					t.Fatalf("%d Route53 records; want %d", len(records), wantRecords)
				}
				kinds := map[string]int{}
				for _, rec := range records {
					kinds[rec.String("type")]++
					vals := strs(t, rec, "records")
					if rec.String("zoneId") != zoneID || len(vals) != 1 {
						t.Errorf("record %s in zone %q with %v; want one value in %s", rec.Name, rec.String("zoneId"), vals, zoneID)
						continue
					}
					line := rec.String("name") + " " + rec.String("type") + " " + vals[0]
					if !slices.Contains(verification, line) {
						t.Errorf("record %q is not among the verification records %v", line, verification)
					}
					switch rec.String("type") {
					case "CNAME":
						if !strings.HasSuffix(rec.String("name"), "._domainkey."+senderDomain) || !strings.HasSuffix(vals[0], ".dkim.amazonses.com") {
							t.Errorf("DKIM record %s %s is malformed", rec.String("name"), vals[0])
						}
					case "MX", "TXT":
						if rec.String("name") != "mail."+senderDomain {
							t.Errorf("MAIL FROM record %s is not at mail.%s", rec.String("name"), senderDomain)
						}
					}
				}
				if wantRecords > 0 && (kinds["CNAME"] != 3 || kinds["MX"] != 1 || kinds["TXT"] != 1) {
					t.Errorf("records by type %v; want 3 CNAME, 1 MX, 1 TXT", kinds)
				}
			}

			templates := map[string]plan.Resource{}
			for _, tm := range r.g.ByType(typeTemplate) {
				templates[tm.String("name")] = tm
			}
			msgs := identity.NewMessages(args.Domain, args.AdminEmail, args.TemporaryPasswordDays, args.EnrolmentRequired)
			for _, want := range []string{identity.AccessRequestTemplate, identity.XNATInviteTemplate, identity.AddedToProjectTemplate} {
				tm, ok := templates[want]
				if !ok {
					t.Errorf("no SES template %s", want)
					continue
				}
				for _, def := range msgs.Templates {
					if def.Name != want {
						continue
					}
					for _, f := range def.Fields {
						for _, part := range []string{"text", "html"} {
							if !strings.Contains(tm.String(part), "{{"+f+"}}") {
								t.Errorf("template %s %s lacks {{%s}}", want, part, f)
							}
						}
					}
				}
				if tm.String("subject") == "" {
					t.Errorf("template %s has no subject", want)
				}
			}
			if len(templates) != 3 {
				t.Errorf("%d templates; want 3", len(templates))
			}
		})
	}
}

// statementBySid indexes a parsed policy.
func statementBySid(t *testing.T, doc string) map[string]iamdoc.Statement {
	t.Helper()
	d, err := iamdoc.Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]iamdoc.Statement{}
	for _, s := range d.Statement {
		out[s.Sid] = s
	}
	return out
}

func sorted(in ...string) []string {
	out := append([]string(nil), in...)
	slices.Sort(out)
	return out
}

func TestHostRole(t *testing.T) {
	t.Parallel()
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			args := baseArgs()
			v.mutate(&args)
			r := build(t, args)

			role, ok := r.g.Get(typeRole, "hub-host")
			flRole, flOK := r.g.Get(typeRole, "fl-server")
			if !ok || !flOK || len(r.g.ByType(typeRole)) != 2 {
				t.Fatalf("roles %v; want hub-host and fl-server", r.g.ByType(typeRole))
			}
			arnOf := func(r plan.Resource) string { return fmt.Sprintf("arn:aws:iam::%s:role/%s", account, r.String("name")) }
			flRoleARN := arnOf(flRole)
			// Only the host role may assume the fl-server role.
			flTrust, err := iamdoc.Parse(flRole.String("assumeRolePolicy"))
			if err != nil {
				t.Fatal(err)
			}
			if len(flTrust.Statement) != 1 || flTrust.Statement[0].Principal["AWS"] != arnOf(role) {
				t.Errorf("fl-server trust %+v; want the host role %s alone", flTrust.Statement, arnOf(role))
			}
			trust, err := iamdoc.Parse(role.String("assumeRolePolicy"))
			if err != nil {
				t.Fatal(err)
			}
			if problems := checkTrust(trust); len(problems) > 0 {
				t.Errorf("trust policy: %v", problems)
			}
			if svc := trust.Statement[0].Principal["Service"]; svc != identity.HostService {
				t.Errorf("trust policy names %v; want %s", svc, identity.HostService)
			}

			attached := map[string]bool{}
			for _, a := range r.g.ByType(typeAttachment) {
				if a.String("role") != role.String("name") {
					t.Errorf("attachment %s is on %q; want the host role", a.Name, a.String("role"))
				}
				attached[a.String("policyArn")] = true
			}
			for _, p := range []string{"AmazonSSMManagedInstanceCore", "CloudWatchAgentServerPolicy"} {
				if !attached["arn:aws:iam::aws:policy/"+p] {
					t.Errorf("managed policy %s is not attached (have %v)", p, attached)
				}
			}
			if len(attached) != 2 {
				t.Errorf("%d managed policies attached; want exactly 2", len(attached))
			}

			inline, ok := r.g.Get(typeRolePolicy, "hub-host")
			if !ok {
				t.Fatal("no hub-host inline policy")
			}
			if inline.String("role") != plan.FakeIDFor(typeRole, role.Name) {
				t.Errorf("inline policy is on %q; want the host role", inline.String("role"))
			}
			doc, err := iamdoc.Parse(inline.String("policy"))
			if err != nil {
				t.Fatal(err)
			}
			if problems := checkLeastPrivilege(doc); len(problems) > 0 {
				t.Errorf("inline policy: %v", problems)
			}
			st := statementBySid(t, inline.String("policy"))
			pool := r.outputs["UserPoolARN"].(string)
			setName := one(t, r.g, typeConfigSet).String("configurationSetName")
			secrets := []string{apiSec, dbSec}
			if v.registry {
				secrets = append(secrets, regSec)
			}
			params := fmt.Sprintf("arn:aws:ssm:%s:%s:parameter/flip", region, account)
			want := map[string][]string{
				"ReadHubSecrets":                secrets,
				"UseStackKeyThroughHubServices": {kmsKey},
				"ListAppBuckets":                buckets,
				"ReadWriteAppObjects":           rwObjects,
				"ReadAppObjects":                roObjects,
				"SendAsHubSender": {
					r.outputs["SESIdentityARN"].(string),
					fmt.Sprintf("arn:aws:ses:%s:%s:configuration-set/%s", region, account, setName),
					fmt.Sprintf("arn:aws:ses:%s:%s:template/%s", region, account, identity.AccessRequestTemplate),
					fmt.Sprintf("arn:aws:ses:%s:%s:template/%s", region, account, identity.XNATInviteTemplate),
					fmt.Sprintf("arn:aws:ses:%s:%s:template/%s", region, account, identity.AddedToProjectTemplate),
				},
				"ManageHubUsers":     {pool},
				"ReadHubParameters":  {params, params + "/*"},
				"AssumeFLServerRole": {flRoleARN},
			}
			for sid, res := range want {
				s, ok := st[sid]
				if !ok {
					t.Errorf("no statement %s", sid)
					continue
				}
				if s.Effect != iamdoc.Allow || !slices.Equal(sorted(s.Resource...), sorted(res...)) {
					t.Errorf("%s %s on %v; want Allow on %v", sid, s.Effect, s.Resource, res)
				}
			}
			if len(st) != len(want) {
				t.Errorf("%d statements; want %d", len(st), len(want))
			}
			if !strings.HasPrefix(pool, "arn:aws:cognito-idp:"+region+":"+account+":userpool/") {
				t.Errorf("pool ARN %q is not a user pool ARN", pool)
			}
			if got := st["ManageHubUsers"].Action; !slices.Equal(sorted(got...), sorted(identity.UserPoolActions...)) {
				t.Errorf("cognito actions %v; want %v", got, identity.UserPoolActions)
			}
			if from := st["SendAsHubSender"].Condition["StringEquals"]["ses:FromAddress"]; from != args.SenderEmail {
				t.Errorf("SES sender condition %v; want %s", from, args.SenderEmail)
			}
			via, _ := st["UseStackKeyThroughHubServices"].Condition["StringEquals"]["kms:ViaService"].([]any)
			if len(via) != len(identity.KMSViaServices) {
				t.Errorf("key use is not limited to %v: %v", identity.KMSViaServices, via)
			}

			profile := one(t, r.g, typeProfile)
			if profile.String("role") != role.String("name") {
				t.Errorf("instance profile holds %q; want the host role %q", profile.String("role"), role.String("name"))
			}
			if r.outputs["HostRoleName"] != role.String("name") || r.outputs["HostInstanceProfileName"] != profile.String("name") {
				t.Errorf("outputs name %v/%v; want %s/%s", r.outputs["HostRoleName"], r.outputs["HostInstanceProfileName"], role.String("name"), profile.String("name"))
			}
			for _, k := range []string{"HostRoleARN", "HostInstanceProfileARN", "ClientID", "UserPoolDomain", "SESConfigurationSetName"} {
				if s, _ := r.outputs[k].(string); s == "" {
					t.Errorf("output %s is empty", k)
				}
			}
			if d := r.outputs["UserPoolDomain"]; d != args.DomainPrefix+".auth."+region+".amazoncognito.com" {
				t.Errorf("UserPoolDomain %v; want the prefix's hosted domain", d)
			}
		})
	}
}

// TestEveryChildParented checks that every resource of the layer lives under the
// component and inherits its explicit provider.
func TestEveryChildParented(t *testing.T) {
	t.Parallel()
	r := build(t, baseArgs())
	comps := r.g.ByType(identity.TypeToken)
	if len(comps) != 1 {
		t.Fatalf("%d identity components; want 1", len(comps))
	}
	n := 0
	for _, res := range r.g.Custom() {
		n++
		if res.Parent != comps[0].URN {
			t.Errorf("%s %s is parented to %q; want the component", res.Type, res.Name, res.Parent)
		}
		if !strings.Contains(res.Provider, "pulumi:providers:aws::aws") {
			t.Errorf("%s %s uses provider %q; want the explicit one", res.Type, res.Name, res.Provider)
		}
	}
	if n == 0 {
		t.Fatal("no resources recorded")
	}
}

func TestArgsValidation(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, want string
		mutate     func(a *identity.Args)
	}{
		{"no prefix", "prefix", func(a *identity.Args) { a.Prefix = "" }},
		{"bad domain", "domain", func(a *identity.Args) { a.Domain = "https://x" }},
		{"bad sender", "sender", func(a *identity.Args) { a.SenderEmail = "noreply" }},
		{"bad admin", "admin", func(a *identity.Args) { a.AdminEmail = "admin@" }},
		{"bad cognito prefix", "cognito domain prefix", func(a *identity.Args) { a.DomainPrefix = "Flip_Stag" }},
		{"sender outside zone", "not inside the managed zone", func(a *identity.Args) { a.SenderEmail = "noreply@other.example.com" }},
		{"temporary password 8 days", "temporary password days", func(a *identity.Args) { a.TemporaryPasswordDays = 8 }},
		{"access token 2 days", "access token minutes", func(a *identity.Args) { a.AccessTokenMinutes = 2880 }},
		{"id token 1 minute", "id token minutes", func(a *identity.Args) { a.IDTokenMinutes = 1 }},
		{"refresh token 0 days", "refresh token days", func(a *identity.Args) { a.RefreshTokenDays = 0 }},
		{"bad parameter path", "parameter path", func(a *identity.Args) { a.ParameterPath = "flip/*" }},
		{"no key", "KMS key ARN", func(a *identity.Args) { a.KMSKeyARN = nil }},
		{"no DB secret", "DB master secret ARN", func(a *identity.Args) { a.DBMasterSecretARN = nil }},
		{"no buckets", "app bucket ARNs", func(a *identity.Args) { a.AppBucketARNs = nil }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			args := baseArgs()
			c.mutate(&args)
			err := pulumi.RunErr(func(ctx *pulumi.Context) error {
				_, err := identity.New(ctx, "identity", args)
				return err
			}, pulumi.WithMocks("p", "s", &plan.Recorder{Region: region, Account: account}))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v; want one naming %q", err, c.want)
			}
		})
	}
}

// TestAdoptedPool: with the pool adopted, its domain, app client and seed users are imported
// with the IDs given, and the pool's settings Cognito cannot change after creation are left as
// they are; a new pool imports nothing and ignores nothing.
func TestAdoptedPool(t *testing.T) {
	t.Parallel()
	const pool = "eu-west-2_AbCdEf123"
	adopted := baseArgs()
	adopted.CognitoImportID = pool
	adopted.ResearcherUserEmail = "researcher@example.org"
	adopted.CognitoDomainImportID = "k3x9q2mz"
	adopted.CognitoClientImportID = pool + "/1example23456789abcdefghij"
	adopted.CognitoAdminImportID = pool + "/aicentreflip@gmail.com"
	adopted.CognitoResearcherImportID = pool + "/researcher@example.org"
	fresh := baseArgs()
	fresh.CognitoImportID = ""
	for _, tc := range []struct {
		name string
		args identity.Args
		want map[string]string // resource type|name → import ID
	}{
		{"adopted", adopted, map[string]string{
			typePool + "|users": pool, typeDomain + "|users": "k3x9q2mz", typeClient + "|spa": adopted.CognitoClientImportID,
			"aws:cognito/user:User|admin": adopted.CognitoAdminImportID, "aws:cognito/user:User|researcher": adopted.CognitoResearcherImportID,
		}},
		{"new", fresh, map[string]string{
			typePool + "|users": "", typeDomain + "|users": "", typeClient + "|spa": "", "aws:cognito/user:User|admin": "",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := build(t, tc.args)
			for key, want := range tc.want {
				typ, name, _ := strings.Cut(key, "|")
				res, ok := r.g.Get(typ, name)
				if !ok {
					t.Fatalf("no %s %s", typ, name)
				}
				if res.ImportID != want {
					t.Errorf("%s %s imports %q; want %q", typ, name, res.ImportID, want)
				}
			}
			p, _ := r.g.Get(typePool, "users")
			wantIgnored := []string(nil)
			if tc.args.CognitoImportID != "" {
				wantIgnored = []string{"aliasAttributes", "name", "schemas", "usernameAttributes", "usernameConfiguration"}
			}
			if !slices.Equal(p.IgnoreChanges, wantIgnored) {
				t.Errorf("pool ignores changes to %v; want %v", p.IgnoreChanges, wantIgnored)
			}
		})
	}
}
