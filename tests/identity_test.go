package tests

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/londonaicentre/flip-hub/config"
	"github.com/londonaicentre/flip-hub/identity"
	"github.com/londonaicentre/flip-hub/internal/iamdoc"
	"github.com/londonaicentre/flip-hub/internal/plan"
)

const (
	identTypePool       = "aws:cognito/userPool:UserPool"
	identTypeClient     = "aws:cognito/userPoolClient:UserPoolClient"
	identTypeDomain     = "aws:cognito/userPoolDomain:UserPoolDomain"
	identTypeSES        = "aws:sesv2/emailIdentity:EmailIdentity"
	identTypeMailFrom   = "aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes"
	identTypeConfigSet  = "aws:sesv2/configurationSet:ConfigurationSet"
	identTypeTemplate   = "aws:ses/template:Template"
	identTypeRecord     = "aws:route53/record:Record"
	identTypeRole       = "aws:iam/role:Role"
	identTypeRolePolicy = "aws:iam/rolePolicy:RolePolicy"
	identTypeAttachment = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
	identTypeProfile    = "aws:iam/instanceProfile:InstanceProfile"
	identTypePolicy     = "aws:iam/policy:Policy"
	identTypeKMSKey     = "aws:kms/key:Key"
	identTypeSecret     = "aws:secretsmanager/secret:Secret"
	identTypeRDS        = "aws:rds/instance:Instance"
	identTypeBucket     = "aws:s3/bucketV2:BucketV2"
	identTypeParameter  = "aws:ssm/parameter:Parameter"
)

// identWildcardManaged are the only policies on the host role that grant a "*"
// resource, and why: the APIs they cover have no resource-level permissions.
var identWildcardManaged = map[string]string{
	"AmazonSSMManagedInstanceCore": "ssm:UpdateInstanceInformation, ssmmessages:* channel calls and ec2messages:* have no resource type",
	"CloudWatchAgentServerPolicy":  "cloudwatch:PutMetricData, ec2:DescribeTags and ec2:DescribeVolumes have no resource type",
}

// dataResources returns the resources of a type in the data layer that match.
func dataResources(g *plan.Graph, typ string, match func(plan.Resource) bool) []plan.Resource {
	var out []plan.Resource
	for _, r := range g.ByType(typ) {
		if l, ok := g.ByURN(g.Layer(r)); ok && l.Type == "flip:data:Data" && match(r) {
			out = append(out, r)
		}
	}
	return out
}

func identStrings(t *testing.T, r plan.Resource, path string) []string {
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

func identStatements(t *testing.T, doc string) (iamdoc.Document, map[string]iamdoc.Statement) {
	t.Helper()
	d, err := iamdoc.Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	bySid := map[string]iamdoc.Statement{}
	for _, s := range d.Statement {
		if _, dup := bySid[s.Sid]; dup {
			t.Errorf("statement id %q is used twice", s.Sid)
		}
		bySid[s.Sid] = s
	}
	return d, bySid
}

// identLeastPrivilege is the review of an identity-based policy against IAM.1, IAM.21
// and CKV_AWS_62: no "*" or "service:*" action, no NotAction/NotResource (iamdoc has
// none), every Allow names resources, and no "*" resource or wildcard account/region.
func identLeastPrivilege(d iamdoc.Document) []string {
	var problems []string
	for i, s := range d.Statement {
		id := fmt.Sprintf("statement %d (%s)", i, s.Sid)
		for _, a := range s.Action {
			if a == "*" || strings.HasSuffix(a, ":*") {
				problems = append(problems, fmt.Sprintf("%s allows %q", id, a))
			}
		}
		if s.Principal != nil {
			problems = append(problems, id+" names a principal")
		}
		if s.Effect == iamdoc.Allow && len(s.Resource) == 0 {
			problems = append(problems, id+" names no resource")
		}
		for _, r := range s.Resource {
			parts := strings.SplitN(r, ":", 6)
			if r == "*" || len(parts) < 6 || strings.Contains(parts[3], "*") || strings.Contains(parts[4], "*") {
				problems = append(problems, fmt.Sprintf("%s names %q", id, r))
			}
		}
	}
	return problems
}

// identTrust is CKV_AWS_60/61: one statement, sts:AssumeRole, one named service.
func identTrust(d iamdoc.Document) []string {
	if len(d.Statement) != 1 {
		return []string{fmt.Sprintf("%d statements; want 1", len(d.Statement))}
	}
	s := d.Statement[0]
	svc, _ := s.Principal["Service"].(string)
	if s.Effect != iamdoc.Allow || !slices.Equal(s.Action, []string{"sts:AssumeRole"}) || len(s.Principal) != 1 ||
		!strings.HasSuffix(svc, ".amazonaws.com") || strings.Contains(svc, "*") {
		return []string{fmt.Sprintf("%s %v by %v; want one service to sts:AssumeRole", s.Effect, s.Action, s.Principal)}
	}
	return nil
}

func TestIdentityReviewersCanFail(t *testing.T) {
	t.Parallel()
	good := iamdoc.Document{Version: iamdoc.Version, Statement: []iamdoc.Statement{{
		Sid: "Ok", Effect: iamdoc.Allow, Action: []string{"s3:GetObject"}, Resource: []string{"arn:aws:s3:::b/*"},
	}}}
	if p := identLeastPrivilege(good); len(p) > 0 {
		t.Fatalf("known-good policy fails: %v", p)
	}
	for name, mutate := range map[string]func(s *iamdoc.Statement){
		"star action":      func(s *iamdoc.Statement) { s.Action = []string{"*"} },
		"service wildcard": func(s *iamdoc.Statement) { s.Action = []string{"s3:*"} },
		"star resource":    func(s *iamdoc.Statement) { s.Resource = []string{"*"} },
		"any account":      func(s *iamdoc.Statement) { s.Resource = []string{"arn:aws:ssm:eu-west-2:*:parameter/x"} },
		"no resource":      func(s *iamdoc.Statement) { s.Resource = nil },
	} {
		d := good
		d.Statement = []iamdoc.Statement{good.Statement[0]}
		mutate(&d.Statement[0])
		if p := identLeastPrivilege(d); len(p) == 0 {
			t.Errorf("%s: reviewer passed it", name)
		}
	}
	trust := iamdoc.Document{Statement: []iamdoc.Statement{{Effect: iamdoc.Allow, Action: []string{"sts:AssumeRole"}, Principal: map[string]any{"Service": "ec2.amazonaws.com"}}}}
	if p := identTrust(trust); len(p) > 0 {
		t.Fatalf("known-good trust fails: %v", p)
	}
	for name, principal := range map[string]map[string]any{
		"anyone":      {"AWS": "*"},
		"two":         {"Service": []any{"ec2.amazonaws.com", "ecs-tasks.amazonaws.com"}},
		"plus a user": {"Service": "ec2.amazonaws.com", "AWS": "arn:aws:iam::123456789012:root"},
	} {
		d := iamdoc.Document{Statement: []iamdoc.Statement{trust.Statement[0]}}
		d.Statement[0].Principal = principal
		if p := identTrust(d); len(p) == 0 {
			t.Errorf("trust %s: reviewer passed it", name)
		}
	}
}

// TestIdentityUserPool covers issue point 1 for both stacks.
func TestIdentityUserPool(t *testing.T) {
	t.Parallel()
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			cfg := loadCfg(t, stack)
			l := layerOf(t, Plan(t, stack), identity.TypeToken)
			pool := l.one(t, identTypePool)
			idc := cfg.Identity

			wantThreat, wantDeletion := "AUDIT", "INACTIVE"
			if idc.ThreatProtectionEnforced {
				wantThreat = "ENFORCED"
			}
			if idc.DeletionProtection {
				wantDeletion = "ACTIVE"
			}
			// Prod's floor comes from the issue, whatever its config says.
			if cfg.Environment == config.Prod && (wantThreat != "ENFORCED" || wantDeletion != "ACTIVE" || !cfg.ProtectPersistent) {
				t.Errorf("prod pool: threat protection %s, deletion protection %s, protect %v; want ENFORCED, ACTIVE, protected", wantThreat, wantDeletion, cfg.ProtectPersistent)
			}
			checks := []struct {
				what      string
				got, want any
			}{
				// identity.mfa: app (the committed stacks), as upstream: the pool leaves MFA
				// OPTIONAL with TOTP on, and flip-api enforces enrolment (see "MFA modes").
				{"mfaConfiguration", pool.String("mfaConfiguration"), "OPTIONAL"},
				{"software token mfa", pool.Bool("softwareTokenMfaConfiguration.enabled"), true},
				{"username attributes", identStrings(t, pool, "usernameAttributes"), []string{"email"}},
				{"auto-verified attributes", identStrings(t, pool, "autoVerifiedAttributes"), []string{"email"}},
				{"admin-created users only", pool.Bool("adminCreateUserConfig.allowAdminCreateUserOnly"), true},
				{"lowercase", pool.Bool("passwordPolicy.requireLowercase"), true},
				{"uppercase", pool.Bool("passwordPolicy.requireUppercase"), true},
				{"numbers", pool.Bool("passwordPolicy.requireNumbers"), true},
				{"symbols", pool.Bool("passwordPolicy.requireSymbols"), true},
				{"temporary password days", int(pool.Number("passwordPolicy.temporaryPasswordValidityDays")), idc.TemporaryPasswordDays},
				{"recovery", toJSON(t, pool.Inputs["accountRecoverySetting"]), `{"recoveryMechanisms":[{"name":"verified_email","priority":1}]}`},
				{"threat protection", pool.String("userPoolAddOns.advancedSecurityMode"), wantThreat},
				{"deletion protection", pool.String("deletionProtection"), wantDeletion},
				{"retain on delete", pool.RetainOnDelete, true},
				{"protect", pool.Protect, cfg.ProtectPersistent},
				{"import", pool.ImportID, ""},
			}
			for _, c := range checks {
				if fmt.Sprint(c.got) != fmt.Sprint(c.want) {
					t.Errorf("pool %s = %v; want %v", c.what, c.got, c.want)
				}
			}
			if n := pool.Number("passwordPolicy.minimumLength"); n < 12 {
				t.Errorf("minimum password length %v; want at least 12", n)
			}
			if d := pool.Number("passwordPolicy.temporaryPasswordValidityDays"); d < 1 || d > 7 {
				t.Errorf("temporary passwords valid %v days; want at most 7", d)
			}
			if v, sms := pool.Lookup("smsConfiguration"); sms && v != nil {
				t.Errorf("pool has an SMS configuration %v; want TOTP only", v)
			}
			url := "https://" + cfg.Edge.Domain
			for path, placeholders := range map[string][]string{
				"adminCreateUserConfig.inviteMessageTemplate.emailMessage": {"{username}", "{####}", url, "FLIP"},
				"verificationMessageTemplate.emailMessage":                 {"{####}", url, "FLIP"},
			} {
				for _, p := range placeholders {
					if !strings.Contains(pool.String(path), p) {
						t.Errorf("%s lacks %q", path, p)
					}
				}
			}

			ses := l.one(t, identTypeSES)
			sesARN := fmt.Sprintf("arn:aws:ses:%s:%s:identity/%s", cfg.Region, cfg.AllowedAccountIDs[0], ses.String("emailIdentity"))
			mail := "emailConfiguration."
			if idc.SESVerified {
				if pool.String(mail+"emailSendingAccount") != "DEVELOPER" || pool.String(mail+"sourceArn") != sesARN ||
					pool.String(mail+"configurationSet") != l.one(t, identTypeConfigSet).String("configurationSetName") {
					t.Errorf("verified SES: pool mail %v; want DEVELOPER from %s through the TLS configuration set", pool.Inputs["emailConfiguration"], sesARN)
				}
			} else if pool.String(mail+"emailSendingAccount") != "COGNITO_DEFAULT" || pool.String(mail+"sourceArn") != "" {
				t.Errorf("unverified SES: pool mail %v; want COGNITO_DEFAULT", pool.Inputs["emailConfiguration"])
			}

			domain := l.one(t, identTypeDomain)
			if domain.String("domain") != idc.DomainPrefix || domain.String("userPoolId") != plan.FakeIDFor(identTypePool, pool.Name) {
				t.Errorf("pool domain %q on %q; want %q on the pool", domain.String("domain"), domain.String("userPoolId"), idc.DomainPrefix)
			}
		})
	}
}

// TestIdentityAppClient covers issue point 2.
func TestIdentityAppClient(t *testing.T) {
	t.Parallel()
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			cfg := loadCfg(t, stack)
			l := layerOf(t, Plan(t, stack), identity.TypeToken)
			if n := len(l.byType[identTypeClient]); n != 1 {
				t.Fatalf("%d app clients; want one, for the SPA", n)
			}
			c := l.one(t, identTypeClient)
			flows := identStrings(t, c, "explicitAuthFlows")
			slices.Sort(flows)
			checks := []struct {
				what      string
				got, want any
			}{
				{"secret", c.Bool("generateSecret"), false},
				{"auth flows", flows, []string{"ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"}},
				{"oauth client", c.Bool("allowedOauthFlowsUserPoolClient"), true},
				{"oauth flows", identStrings(t, c, "allowedOauthFlows"), []string{"code"}},
				{"identity providers", identStrings(t, c, "supportedIdentityProviders"), []string{"COGNITO"}},
				{"user existence errors", c.String("preventUserExistenceErrors"), "ENABLED"},
				{"access token", fmt.Sprint(c.Number("accessTokenValidity"), " ", c.String("tokenValidityUnits.accessToken")), fmt.Sprint(cfg.Identity.AccessTokenMinutes, " minutes")},
				{"id token", fmt.Sprint(c.Number("idTokenValidity"), " ", c.String("tokenValidityUnits.idToken")), fmt.Sprint(cfg.Identity.IDTokenMinutes, " minutes")},
				{"refresh token", fmt.Sprint(c.Number("refreshTokenValidity"), " ", c.String("tokenValidityUnits.refreshToken")), fmt.Sprint(cfg.Identity.RefreshTokenDays, " days")},
				{"pool", c.String("userPoolId"), plan.FakeIDFor(identTypePool, l.one(t, identTypePool).Name)},
			}
			for _, ch := range checks {
				if fmt.Sprint(ch.got) != fmt.Sprint(ch.want) {
					t.Errorf("client %s = %v; want %v", ch.what, ch.got, ch.want)
				}
			}
			for _, k := range []string{"callbackUrls", "logoutUrls"} {
				urls := identStrings(t, c, k)
				if len(urls) == 0 {
					t.Errorf("client has no %s", k)
				}
				for _, u := range urls {
					if !strings.HasPrefix(u, "https://"+cfg.Edge.Domain+"/") {
						t.Errorf("client %s has %q; want https URLs of %s", k, u, cfg.Edge.Domain)
					}
				}
			}
		})
	}
}

// TestIdentitySES covers issue point 3.
func TestIdentitySES(t *testing.T) {
	t.Parallel()
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			cfg := loadCfg(t, stack)
			l := layerOf(t, Plan(t, stack), identity.TypeToken)
			senderDomain := cfg.Identity.SenderEmail[strings.Index(cfg.Identity.SenderEmail, "@")+1:]

			cs := l.one(t, identTypeConfigSet)
			if cs.String("deliveryOptions.tlsPolicy") != "REQUIRE" {
				t.Errorf("configuration set TLS policy %q; want REQUIRE", cs.String("deliveryOptions.tlsPolicy"))
			}
			ses := l.one(t, identTypeSES)
			if !cfg.Identity.SESDomainIdentity {
				t.Fatalf("%s config verifies an address; these checks expect the configured domain identity", stack)
			}
			if ses.String("emailIdentity") != senderDomain || ses.String("configurationSetName") != cs.String("configurationSetName") {
				t.Errorf("SES identity %q with set %q; want %s with %s", ses.String("emailIdentity"), ses.String("configurationSetName"), senderDomain, cs.String("configurationSetName"))
			}
			if _, ok := ses.Lookup("dkimSigningAttributes"); !ok {
				t.Error("domain identity without DKIM signing attributes")
			}
			mf := l.one(t, identTypeMailFrom)
			if mf.String("mailFromDomain") != "mail."+senderDomain {
				t.Errorf("MAIL FROM %q; want mail.%s", mf.String("mailFromDomain"), senderDomain)
			}

			records := l.byType[identTypeRecord]
			if !cfg.Edge.ManageDNS {
				t.Fatalf("%s config does not manage DNS; these checks expect it to", stack)
			}
			kinds := map[string]int{}
			for _, r := range records {
				kinds[r.String("type")]++
				name, vals := r.String("name"), identStrings(t, r, "records")
				if !strings.HasSuffix(name, "."+cfg.Edge.ZoneName) || len(vals) != 1 {
					t.Errorf("record %s %v is outside %s or not single-valued", name, vals, cfg.Edge.ZoneName)
				}
				if z := r.String("zoneId"); z == "" || !strings.HasPrefix(z, "Z") {
					t.Errorf("record %s has zone %q; want the looked-up zone", name, z)
				}
			}
			if kinds["CNAME"] != 3 || kinds["MX"] != 1 || kinds["TXT"] != 1 || len(records) != 5 {
				t.Errorf("records by type %v; want 3 DKIM CNAME, MAIL FROM MX and SPF TXT", kinds)
			}
			zoneLookups := 0
			for _, inv := range l.g.Invokes {
				if inv.Token == "aws:route53/getZone:getZone" {
					zoneLookups++
				}
			}
			if zoneLookups == 0 {
				t.Error("the managed zone was never looked up")
			}

			names := map[string]plan.Resource{}
			for _, tm := range l.byType[identTypeTemplate] {
				names[tm.String("name")] = tm
			}
			for _, want := range []string{identity.AccessRequestTemplate, identity.XNATInviteTemplate, identity.AddedToProjectTemplate} {
				tm, ok := names[want]
				if !ok || tm.String("subject") == "" || tm.String("text") == "" || tm.String("html") == "" {
					t.Errorf("template %s missing or incomplete", want)
				}
			}
			if len(names) != 3 {
				t.Errorf("%d templates; want the 3 the hub sends", len(names))
			}
		})
	}
}

// TestIdentityHostRole covers issue point 4: the policies are parsed and each statement
// is checked against the exact resources the data, key and identity layers created.
func TestIdentityHostRole(t *testing.T) {
	t.Parallel()
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			cfg := loadCfg(t, stack)
			g := Plan(t, stack)
			l := layerOf(t, g, identity.TypeToken)
			region, account := cfg.Region, cfg.AllowedAccountIDs[0]

			role := l.get(t, identTypeRole, "hub-host")
			trust, err := iamdoc.Parse(role.String("assumeRolePolicy"))
			if err != nil {
				t.Fatal(err)
			}
			if p := identTrust(trust); len(p) > 0 || trust.Statement[0].Principal["Service"] != "ec2.amazonaws.com" {
				t.Errorf("host trust policy: %v %v; want EC2 alone", p, trust.Statement)
			}
			if n := len(l.byType[identTypePolicy]); n != 0 {
				t.Errorf("%d customer-managed policies; want inline statements only", n)
			}

			attached := map[string]bool{}
			for _, a := range l.byType[identTypeAttachment] {
				if a.String("role") != role.String("name") {
					t.Errorf("attachment %s targets %q; want the host role", a.Name, a.String("role"))
				}
				name, ok := strings.CutPrefix(a.String("policyArn"), "arn:aws:iam::aws:policy/")
				if _, known := identWildcardManaged[name]; !ok || !known {
					t.Errorf("unexpected policy %s on the host role", a.String("policyArn"))
				}
				if name == "AdministratorAccess" || name == "PowerUserAccess" || name == "IAMFullAccess" {
					t.Errorf("host role carries %s (CKV_AWS_274)", name)
				}
				attached[name] = true
			}
			if len(attached) != len(identWildcardManaged) {
				t.Errorf("managed policies %v; want %v", attached, identWildcardManaged)
			}

			inline := l.get(t, identTypeRolePolicy, "hub-host")
			if inline.String("role") != plan.FakeIDFor(identTypeRole, role.Name) {
				t.Errorf("inline policy on %q; want the host role", inline.String("role"))
			}
			doc, st := identStatements(t, inline.String("policy"))
			if p := identLeastPrivilege(doc); len(p) > 0 {
				t.Errorf("host policy: %v", p)
			}

			// The exact resources, read from the layers that made them.
			apiSecrets := dataResources(g, identTypeSecret, func(r plan.Resource) bool { return r.Name == "flip-api" })
			rds := dataResources(g, identTypeRDS, func(plan.Resource) bool { return true })
			keys := ByTypeIn(g, identTypeKMSKey, "flip:data:Key")
			if len(apiSecrets) != 1 || len(rds) != 1 || len(keys) != 1 {
				t.Fatalf("found %d FLIP_API secrets, %d databases, %d keys; want 1 each", len(apiSecrets), len(rds), len(keys))
			}
			var bucketARNs []string
			for _, b := range dataResources(g, identTypeBucket, func(r plan.Resource) bool {
				return slices.ContainsFunc(config.AppBuckets, func(p string) bool { return strings.Contains(r.String("bucket"), p) })
			}) {
				bucketARNs = append(bucketARNs, "arn:aws:s3:::"+b.String("bucket"))
			}
			if len(bucketARNs) != len(config.AppBuckets) {
				t.Fatalf("found %d app buckets; want %d", len(bucketARNs), len(config.AppBuckets))
			}
			// Writes only under the prefixes FLIP's services write, reads of what operators publish
			// (the settings' prefixes: locals.tf @01328ab; the kit roots of FLIP's provisioning).
			bucketOf := func(purpose string) string {
				for _, b := range bucketARNs {
					if strings.Contains(b, "-"+purpose+"-") {
						return b
					}
				}
				t.Fatalf("no %s bucket in %v", purpose, bucketARNs)
				return ""
			}
			objects := []string{
				bucketOf("model-files-uploads") + "/uploaded/*",
				bucketOf("fl-results") + "/results/*",
				bucketOf("app-bundles") + "/app_destinations/*",
			}
			readOnly := []string{
				bucketOf("app-bundles") + "/base-application/*",
				bucketOf("fl-kits") + "/fl-flare-participant-kits/*",
				bucketOf("fl-kits") + "/fl-flower-participant-kits/*",
			}
			pool := l.one(t, identTypePool)
			poolARN := fmt.Sprintf("arn:aws:cognito-idp:%s:%s:userpool/%s", region, account, plan.FakeIDFor(identTypePool, pool.Name))
			sesARN := pool.String("emailConfiguration.sourceArn")
			if sesARN == "" {
				sesARN = fmt.Sprintf("arn:aws:ses:%s:%s:identity/%s", region, account, l.one(t, identTypeSES).String("emailIdentity"))
			}
			sesResources := []string{sesARN, fmt.Sprintf("arn:aws:ses:%s:%s:configuration-set/%s", region, account, l.one(t, identTypeConfigSet).String("configurationSetName"))}
			for _, tm := range l.byType[identTypeTemplate] {
				sesResources = append(sesResources, fmt.Sprintf("arn:aws:ses:%s:%s:template/%s", region, account, tm.String("name")))
			}
			flowLogKey := ""
			for _, lg := range g.ByType("aws:cloudwatch/logGroup:LogGroup") {
				if lg.Name == "flow-logs" {
					flowLogKey = lg.String("kmsKeyId")
				}
			}

			sameSet := func(sid string, want []string) {
				t.Helper()
				got := slices.Clone(st[sid].Resource)
				slices.Sort(got)
				w := slices.Clone(want)
				slices.Sort(w)
				if st[sid].Effect != iamdoc.Allow || !slices.Equal(got, w) {
					t.Errorf("%s allows %v; want exactly %v", sid, st[sid].Resource, want)
				}
			}
			sameSet("ListAppBuckets", bucketARNs)
			sameSet("ReadWriteAppObjects", objects)
			sameSet("ReadAppObjects", readOnly)
			if fmt.Sprint(st["ReadAppObjects"].Action) != "[s3:GetObject]" {
				t.Errorf("ReadAppObjects may %v; want s3:GetObject only", st["ReadAppObjects"].Action)
			}
			sameSet("ManageHubUsers", []string{poolARN})
			sameSet("SendAsHubSender", sesResources)
			sameSet("UseStackKeyThroughHubServices", []string{flowLogKey})
			// fl-server's scoped role: the host may assume it, it may write results only, and
			// only the host may assume it.
			flRole := l.get(t, identTypeRole, "fl-server")
			sameSet("AssumeFLServerRole", []string{fmt.Sprintf("arn:aws:iam::%s:role/%s", account, flRole.String("name"))})
			flTrust, err := iamdoc.Parse(flRole.String("assumeRolePolicy"))
			if err != nil {
				t.Fatal(err)
			}
			if hostARN := fmt.Sprintf("arn:aws:iam::%s:role/%s", account, role.String("name")); len(flTrust.Statement) != 1 || flTrust.Statement[0].Principal["AWS"] != hostARN {
				t.Errorf("fl-server trust %+v; want the host role %s alone", flTrust.Statement, hostARN)
			}
			_, flSt := identStatements(t, l.get(t, identTypeRolePolicy, "fl-server").String("policy"))
			if w := flSt["WriteResults"].Resource; len(flSt) != 2 || len(w) != 1 || w[0] != bucketOf("fl-results")+"/results/*" {
				t.Errorf("fl-server statements %v, writes %v; want results/* of the fl-results bucket only", flSt, w)
			}
			if k := flSt["EncryptResultsWithStackKey"].Resource; len(k) != 1 || k[0] != flowLogKey {
				t.Errorf("fl-server uses keys %v; want the stack key", k)
			}

			secrets := st["ReadHubSecrets"].Resource
			apiPrefix := fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:%s-", region, account, apiSecrets[0].String("name"))
			dbPrefix := fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:rds!", region, account)
			if len(secrets) != 2 || !slices.ContainsFunc(secrets, func(s string) bool { return strings.HasPrefix(s, apiPrefix) }) ||
				!slices.ContainsFunc(secrets, func(s string) bool { return strings.HasPrefix(s, dbPrefix) }) {
				t.Errorf("secrets %v; want the FLIP_API secret (%s…) and the RDS master secret (%s…) only", secrets, apiPrefix, dbPrefix)
			}
			deps := inline.PropertyDependencies["policy"]
			for _, r := range []plan.Resource{apiSecrets[0], rds[0], keys[0], pool} {
				if !slices.Contains(deps, r.URN) {
					t.Errorf("host policy does not depend on %s %s; its ARN is not the one that layer made", r.Type, r.Name)
				}
			}

			params := st["ReadHubParameters"].Resource
			base := fmt.Sprintf("arn:aws:ssm:%s:%s:parameter/flip", region, account)
			if !slices.Equal(params, []string{base, base + "/*"}) {
				t.Errorf("parameters %v; want %s and %s/*", params, base, base)
			}
			for _, p := range dataResources(g, identTypeParameter, func(plan.Resource) bool { return true }) {
				if !strings.HasPrefix(p.String("name"), "/flip/") {
					t.Errorf("data parameter %s is outside /flip/, which the host may read", p.String("name"))
				}
			}
			if got := st["ManageHubUsers"].Action; !slices.Equal(got, identity.UserPoolActions) {
				t.Errorf("cognito actions %v; want %v", got, identity.UserPoolActions)
			}
			if from := st["SendAsHubSender"].Condition["StringEquals"]["ses:FromAddress"]; from != cfg.Identity.SenderEmail {
				t.Errorf("SES From condition %v; want %s", from, cfg.Identity.SenderEmail)
			}
			if via := st["UseStackKeyThroughHubServices"].Condition["StringEquals"]["kms:ViaService"]; via == nil {
				t.Error("stack key use is not limited to the hub's services")
			}

			profile := l.one(t, identTypeProfile)
			if profile.String("role") != role.String("name") {
				t.Errorf("instance profile holds %q; want %q", profile.String("role"), role.String("name"))
			}
			for _, r := range []plan.Resource{role, profile} {
				if !strings.HasPrefix(r.String("name"), "flip-"+string(cfg.Environment)+"-") {
					t.Errorf("%s name %q is not from the stack's namer", r.Type, r.String("name"))
				}
			}
		})
	}
}

// TestIdentityConfigVariants plans each stack with one identity setting changed and
// checks the graph follows it.
func TestIdentityConfigVariants(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		stack  string
		mutate mutation
		check  func(t *testing.T, cfg *config.Config, l layerView)
	}{
		{"adopt an existing pool", "prod", set(config.KeyImports, `{"cognitoUserPool":"eu-west-2_Adopt123"}`),
			func(t *testing.T, _ *config.Config, l layerView) {
				pool := l.one(t, identTypePool)
				if pool.ImportID != "eu-west-2_Adopt123" || !pool.Protect || !pool.RetainOnDelete {
					t.Errorf("pool import %q protect %v retain %v; want adopted, protected, retained", pool.ImportID, pool.Protect, pool.RetainOnDelete)
				}
				if c := l.one(t, identTypeClient); c.String("userPoolId") != "eu-west-2_Adopt123" {
					t.Errorf("client is on %q; want the adopted pool", c.String("userPoolId"))
				}
				_, st := identStatements(t, l.get(t, identTypeRolePolicy, "hub-host").String("policy"))
				if r := st["ManageHubUsers"].Resource; len(r) != 1 || !strings.HasSuffix(r[0], ":userpool/eu-west-2_Adopt123") {
					t.Errorf("host may manage %v; want the adopted pool", r)
				}
			}},
		{"stag without managed DNS", "stag", field(config.KeyEdge, "manageDns", false),
			func(t *testing.T, _ *config.Config, l layerView) {
				if n := len(l.byType[identTypeRecord]); n != 0 {
					t.Errorf("%d records written without managed DNS; want none", n)
				}
				if n := len(l.byType[identTypeMailFrom]); n != 1 {
					t.Errorf("%d MAIL FROM settings; want one, records published by hand", n)
				}
			}},
		{"prod with an email identity", "prod", field(config.KeyIdentity, "sesIdentity", "email"),
			func(t *testing.T, cfg *config.Config, l layerView) {
				if got := l.one(t, identTypeSES).String("emailIdentity"); got != cfg.Identity.SenderEmail {
					t.Errorf("SES identity %q; want the sender %s", got, cfg.Identity.SenderEmail)
				}
				if n := len(l.byType[identTypeRecord]) + len(l.byType[identTypeMailFrom]); n != 0 {
					t.Errorf("email identity has %d DNS records or MAIL FROM settings; want none", n)
				}
				want := fmt.Sprintf("arn:aws:ses:%s:%s:identity/%s", cfg.Region, cfg.AllowedAccountIDs[0], cfg.Identity.SenderEmail)
				if got := l.one(t, identTypePool).String("emailConfiguration.sourceArn"); got != want {
					t.Errorf("pool sends from %q; want %s", got, want)
				}
			}},
		{"stag once SES is verified", "stag", field(config.KeyIdentity, "sesVerified", true),
			func(t *testing.T, _ *config.Config, l layerView) {
				pool := l.one(t, identTypePool)
				if pool.String("emailConfiguration.emailSendingAccount") != "DEVELOPER" || !strings.Contains(pool.String("emailConfiguration.sourceArn"), ":identity/") {
					t.Errorf("pool mail %v; want DEVELOPER through the SES identity", pool.Inputs["emailConfiguration"])
				}
			}},
		{"prod before SES is verified", "prod", field(config.KeyIdentity, "sesVerified", false),
			func(t *testing.T, _ *config.Config, l layerView) {
				if got := l.one(t, identTypePool).String("emailConfiguration.emailSendingAccount"); got != "COGNITO_DEFAULT" {
					t.Errorf("pool sends as %q; want COGNITO_DEFAULT", got)
				}
			}},
		// The MFA modes, as upstream runs the pool (modules/cognito: OPTIONAL with TOTP) and
		// flip-api (compose.production.yml: ENFORCE_MFA=${ENFORCE_MFA:-true}).
		{"stag with optional MFA", "stag", field(config.KeyIdentity, "mfa", "optional"), wantMFA("OPTIONAL", "false")},
		{"MFA modes: app (default) has flip-api enforce enrolment", "prod", field(config.KeyIdentity, "mfa", "app"), wantMFA("OPTIONAL", "true")},
		{"MFA modes: pool has Cognito require MFA too", "prod", field(config.KeyIdentity, "mfa", "pool"), wantMFA("ON", "true")},
		{"stag with the researcher user", "stag", field(config.KeyIdentity, "researcherUser", "rafaelagd@gmail.com"),
			func(t *testing.T, _ *config.Config, l layerView) {
				users := map[string]string{}
				for _, u := range l.byType["aws:cognito/user:User"] {
					users[u.Name] = u.String("username")
				}
				// flip-api's RESEARCHER_EMAIL (utils/constants.py) beside ADMIN_EMAIL_1.
				if len(users) != 2 || users["researcher"] != "rafaelagd@gmail.com" || users["admin"] != "aicentreflip@gmail.com" {
					t.Errorf("Cognito users %v; want the admin and the researcher", users)
				}
			}},
		{"stag with a registry token", "stag", secret(config.KeyRegistryToken, "ghp_plantokenplantokenplantoken"),
			func(t *testing.T, cfg *config.Config, l layerView) {
				tokens := dataResources(l.g, identTypeSecret, func(r plan.Resource) bool { return r.Name == "registry-token" })
				if len(tokens) != 1 {
					t.Fatalf("%d registry token secrets; want 1", len(tokens))
				}
				prefix := fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:%s-", cfg.Region, cfg.AllowedAccountIDs[0], tokens[0].String("name"))
				_, st := identStatements(t, l.get(t, identTypeRolePolicy, "hub-host").String("policy"))
				secrets := st["ReadHubSecrets"].Resource
				if len(secrets) != 3 || !slices.ContainsFunc(secrets, func(s string) bool { return strings.HasPrefix(s, prefix) }) {
					t.Errorf("host reads %v; want the registry token (%s…) too", secrets, prefix)
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g := MustPlanWith(t, tc.stack, tc.mutate)
			c := Config(t, tc.stack).Clone()
			tc.mutate(t, c)
			cfg, err := config.Parse(tc.stack, config.MapSource(c.Values))
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, cfg, layerOf(t, g, identity.TypeToken))
		})
	}
}

// TestIdentityBadDNSConfig: a sender domain outside the managed zone cannot get its
// DKIM records, and the plan says so instead of registering broken records.
func TestIdentityBadDNSConfig(t *testing.T) {
	t.Parallel()
	_, err := PlanWith(t, "stag", field(config.KeyIdentity, "senderEmail", "noreply@example.net"))
	if err == nil || !strings.Contains(err.Error(), "not inside the managed zone") {
		t.Errorf("plan error %v; want the sender domain outside the zone named", err)
	}
}

// hubDeployStdin is the hub deploy script of the graph (it carries the rendered env files).
func hubDeployStdin(t *testing.T, l layerView) string {
	t.Helper()
	return blHubDeploy(t, l.g).String("stdin")
}

// The stack creates the admin Cognito user flip-api makes Admin at boot (main_users.py looks up
// ADMIN_EMAIL_1..3 of utils/constants.py in the pool and skips a user that does not exist): Cognito
// mints and emails its temporary password, so no password is in the graph; it is retained like the
// pool, protected in prod, and later password changes are not undone.
func TestIdentityAdminUser(t *testing.T) {
	t.Parallel()
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			cfg := loadCfg(t, stack)
			l := layerOf(t, Plan(t, stack), identity.TypeToken)
			pool := l.one(t, identTypePool)
			users := l.byType["aws:cognito/user:User"]
			if len(users) != 1 {
				t.Fatalf("%d Cognito users; want the admin only (no researcherUser in the stack files)", len(users))
			}
			user := users[0]
			if got := user.String("username"); got != "aicentreflip@gmail.com" || got != cfg.Identity.AdminUser {
				t.Errorf("admin user %q; want flip-api's ADMIN_EMAIL_1 aicentreflip@gmail.com (config %q)", got, cfg.Identity.AdminUser)
			}
			if user.String("attributes.email") != user.String("username") || user.String("attributes.email_verified") != "true" {
				t.Errorf("admin attributes %v; want the verified email", user.Inputs["attributes"])
			}
			if want := plan.FakeIDFor(identTypePool, pool.Name); user.String("userPoolId") != want {
				t.Errorf("admin user in pool %v; want %s", user.Inputs["userPoolId"], want)
			}
			for _, k := range []string{"password", "temporaryPassword"} {
				if _, set := user.Inputs[k]; set {
					t.Errorf("the admin user sets %s; Cognito must mint and email it", k)
				}
				if !slices.Contains(user.IgnoreChanges, k) {
					t.Errorf("ignoreChanges %v lacks %s", user.IgnoreChanges, k)
				}
			}
			if !user.RetainOnDelete || user.Protect != cfg.ProtectPersistent {
				t.Errorf("admin user retain %v protect %v; want retained, protected in prod", user.RetainOnDelete, user.Protect)
			}
		})
	}
}

// wantMFA checks the pool's MFA setting (TOTP always on) and flip-api's ENFORCE_MFA.
func wantMFA(pool, enforce string) func(*testing.T, *config.Config, layerView) {
	return func(t *testing.T, _ *config.Config, l layerView) {
		p := l.one(t, identTypePool)
		if p.String("mfaConfiguration") != pool || !p.Bool("softwareTokenMfaConfiguration.enabled") {
			t.Errorf("pool MFA %q TOTP %v; want %s with TOTP", p.String("mfaConfiguration"), p.Bool("softwareTokenMfaConfiguration.enabled"), pool)
		}
		if stdin := hubDeployStdin(t, l); !strings.Contains(stdin, "\nENFORCE_MFA='"+enforce+"'\n") {
			t.Errorf("flip-api is not rendered with ENFORCE_MFA='%s'", enforce)
		}
	}
}
