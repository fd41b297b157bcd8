package identity

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ses"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sesv2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/internal/namer"
)

// dkimTokens is how many CNAME tokens Easy DKIM issues for a domain identity.
const dkimTokens = 3

// dnsTTL is the TTL of the SES verification records (seconds).
const dnsTTL = 1800

// mail is the SES side: the identity every message is sent from, its configuration set,
// the templates and the DNS records that verify a domain identity.
type mail struct {
	identity  *sesv2.EmailIdentity
	configSet *sesv2.ConfigurationSet
	templates []*ses.Template
	records   pulumi.StringArrayOutput
	messages  Messages
}

func newMail(ctx *pulumi.Context, nm namer.Namer, args Args, id *Identity) (*mail, error) {
	parent := pulumi.Parent(id)
	m := &mail{messages: NewMessages(args.Domain, args.AdminEmail, args.TemporaryPasswordDays, args.EnrolmentRequired)}

	// Every message sent through the identity (flip-api's and, once SES is verified,
	// Cognito's) uses this configuration set by default: delivery only over TLS, bounces
	// and complaints suppressed, reputation tracked.
	configSet, err := sesv2.NewConfigurationSet(ctx, "mail", &sesv2.ConfigurationSetArgs{
		ConfigurationSetName: pulumi.String(nm.Bounded(64, "mail")),
		DeliveryOptions: &sesv2.ConfigurationSetDeliveryOptionsArgs{
			TlsPolicy: pulumi.String("REQUIRE"),
		},
		ReputationOptions: &sesv2.ConfigurationSetReputationOptionsArgs{ReputationMetricsEnabled: pulumi.Bool(true)},
		SendingOptions:    &sesv2.ConfigurationSetSendingOptionsArgs{SendingEnabled: pulumi.Bool(true)},
		SuppressionOptions: &sesv2.ConfigurationSetSuppressionOptionsArgs{
			SuppressedReasons: pulumi.StringArray{pulumi.String("BOUNCE"), pulumi.String("COMPLAINT")},
		},
		Tags: pulumi.StringMap{"Name": pulumi.String(nm.Name("mail"))},
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("ses configuration set: %w", err)
	}
	m.configSet = configSet

	identityArgs := &sesv2.EmailIdentityArgs{
		EmailIdentity:        pulumi.String(args.SESIdentityName()),
		ConfigurationSetName: configSet.ConfigurationSetName,
		Tags:                 pulumi.StringMap{"Name": pulumi.String(nm.Name("sender"))},
	}
	if args.SESDomainIdentity {
		identityArgs.DkimSigningAttributes = &sesv2.EmailIdentityDkimSigningAttributesArgs{
			NextSigningKeyLength: pulumi.String("RSA_2048_BIT"),
		}
	}
	identity, err := sesv2.NewEmailIdentity(ctx, "sender", identityArgs, append([]pulumi.ResourceOption{parent}, importOpt(args.SESIdentityImportID)...)...)
	if err != nil {
		return nil, fmt.Errorf("ses identity: %w", err)
	}
	m.identity = identity

	m.records = pulumi.ToStringArray(nil).ToStringArrayOutput()
	if args.SESDomainIdentity {
		if m.records, err = newDomainRecords(ctx, args, identity, parent); err != nil {
			return nil, err
		}
	}

	for _, t := range m.messages.Templates {
		tmpl, err := ses.NewTemplate(ctx, t.Key, &ses.TemplateArgs{
			Name:    pulumi.String(t.Name),
			Subject: pulumi.String(t.Subject),
			Text:    pulumi.String(t.Text),
			Html:    pulumi.String(t.HTML),
		}, append([]pulumi.ResourceOption{parent}, importOpt(args.SESTemplateImportIDs[t.Name])...)...)
		if err != nil {
			return nil, fmt.Errorf("ses template %s: %w", t.Name, err)
		}
		m.templates = append(m.templates, tmpl)
	}
	return m, nil
}

// newDomainRecords sets the MAIL FROM domain of a domain identity and returns the DNS
// records that verify it, writing them to the managed zone when there is one.
func newDomainRecords(ctx *pulumi.Context, args Args, identity *sesv2.EmailIdentity, parent pulumi.ResourceOption) (pulumi.StringArrayOutput, error) {
	domain, mailFrom := args.SenderDomain(), args.MailFromDomain()
	type record struct {
		key, typ string
		name     pulumi.StringInput
		value    pulumi.StringInput
	}
	var records []record
	tokens := identity.DkimSigningAttributes.Tokens()
	for i := range dkimTokens {
		token := tokens.Index(pulumi.Int(i))
		records = append(records, record{
			key:   fmt.Sprintf("dkim-%d", i),
			typ:   "CNAME",
			name:  pulumi.Sprintf("%s._domainkey.%s", token, domain),
			value: pulumi.Sprintf("%s.dkim.amazonses.com", token),
		})
	}
	// A custom MAIL FROM domain makes the envelope sender (and so SPF) align with the From
	// domain, which DMARC needs. Until its MX record resolves, SES falls back to its own
	// MAIL FROM rather than rejecting mail.
	if _, err := sesv2.NewEmailIdentityMailFromAttributes(ctx, "sender", &sesv2.EmailIdentityMailFromAttributesArgs{
		EmailIdentity:       identity.EmailIdentity,
		MailFromDomain:      pulumi.String(mailFrom),
		BehaviorOnMxFailure: pulumi.String("USE_DEFAULT_VALUE"),
	}, parent); err != nil {
		return pulumi.StringArrayOutput{}, fmt.Errorf("ses mail from: %w", err)
	}
	records = append(records,
		record{key: "mail-from-mx", typ: "MX", name: pulumi.String(mailFrom),
			value: pulumi.String(fmt.Sprintf("10 feedback-smtp.%s.amazonses.com", args.Region))},
		record{key: "mail-from-spf", typ: "TXT", name: pulumi.String(mailFrom),
			value: pulumi.String("v=spf1 include:amazonses.com ~all")},
	)

	var lines pulumi.StringArray
	for _, r := range records {
		lines = append(lines, pulumi.Sprintf("%s %s %s", r.name, r.typ, r.value))
		if args.ZoneID == nil {
			continue
		}
		if _, err := route53.NewRecord(ctx, r.key, &route53.RecordArgs{
			ZoneId:  args.ZoneID,
			Name:    r.name,
			Type:    pulumi.String(r.typ),
			Ttl:     pulumi.Int(dnsTTL),
			Records: pulumi.StringArray{r.value},
		}, parent); err != nil {
			return pulumi.StringArrayOutput{}, fmt.Errorf("ses record %s: %w", r.key, err)
		}
	}
	return lines.ToStringArrayOutput(), nil
}

// importOpt adopts the existing resource of an import ID; none for "".
func importOpt(id string) []pulumi.ResourceOption {
	if id == "" {
		return nil
	}
	return []pulumi.ResourceOption{pulumi.Import(pulumi.ID(id))}
}
