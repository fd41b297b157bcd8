package identity

import (
	"fmt"
	"html"
	"strings"

	"github.com/londonaicentre/flip-hub/internal/flip"
)

// Template is one SES email template flip-api sends by name.
type Template struct {
	// Key names the Pulumi resource; Name is the SES template name flip-api asks for.
	Key     string
	Name    string
	Subject string
	Text    string
	HTML    string
	// Fields are the {{placeholders}} flip-api fills in.
	Fields []string
}

// Template names are fixed by flip-api (see internal/flip).
const (
	AccessRequestTemplate  = flip.SESTemplateAccessRequest
	XNATInviteTemplate     = flip.SESTemplateXNATInvite
	AddedToProjectTemplate = flip.SESTemplateAddedToProject
)

// Messages are the texts Cognito and SES send for one hub, all pointing at its URL.
type Messages struct {
	InviteSubject       string
	InviteHTML          string
	VerificationSubject string
	VerificationHTML    string
	Templates           []Template
}

// NewMessages renders the hub's messages for its domain. Cognito's placeholders
// ({username}, {####}) and SES's ({{field}}) are left for the services to fill.
func NewMessages(domain, adminEmail string, tempPasswordDays int, mfaRequired bool) Messages {
	url := "https://" + domain
	hURL, hAdmin := html.EscapeString(url), html.EscapeString(adminEmail)
	mfa := "You will then be asked to set up an authenticator app (such as Microsoft Authenticator or Google Authenticator): FLIP asks for a code from it every time you sign in."
	if !mfaRequired {
		mfa = "We strongly recommend setting up an authenticator app when you are offered one."
	}
	invite := page("Welcome to FLIP", fmt.Sprintf(
		`<p>Hello,</p>
<p>An account has been created for you on FLIP, the Federated Learning and Interoperability Platform, at <a href="%[1]s">%[1]s</a>.</p>
<p>Username: <strong>{username}</strong><br>Temporary password: <strong>{####}</strong></p>
<p>Sign in within %[2]d days, after which the temporary password expires and an administrator must invite you again. You will be asked to choose your own password. %[3]s</p>
<p>If you were not expecting this invitation, contact <a href="mailto:%[4]s">%[4]s</a>.</p>`,
		hURL, tempPasswordDays, html.EscapeString(mfa), hAdmin))
	verify := page("Your FLIP verification code", fmt.Sprintf(
		`<p>Hello,</p>
<p>Your FLIP verification code is <strong>{####}</strong>.</p>
<p>Enter it on <a href="%[1]s">%[1]s</a> to reset your password or confirm your email address. The code expires soon and can be used once.</p>
<p>If you did not ask for this code, ignore this email and tell <a href="mailto:%[2]s">%[2]s</a>; your password has not been changed.</p>`,
		hURL, hAdmin))

	templates := []Template{
		{
			Key:     "access-request",
			Name:    AccessRequestTemplate,
			Subject: "FLIP access request from {{name}}",
			Fields:  []string{"name", "email", "purpose"},
			Text: fmt.Sprintf(`FLIP - Federated Learning and Interoperability Platform

A new access request has been submitted.

Name: {{name}}
Email: {{email}}
Purpose: {{purpose}}

Sign in at %s and open Admin > Access Requests to enrol the requester or dismiss the request.
`, url),
			HTML: page("FLIP access request", fmt.Sprintf(`<p>A new access request has been submitted.</p>
<p>Name: {{name}}<br>Email: {{email}}<br>Purpose: {{purpose}}</p>
<p>Sign in at <a href="%[1]s">%[1]s</a> and open Admin &gt; Access Requests to enrol the requester or dismiss the request.</p>`, hURL)),
		},
		{
			Key:     "xnat-invite",
			Name:    XNATInviteTemplate,
			Subject: "Set your XNAT password for {{trust_name}}",
			Fields:  []string{"trust_name", "project_name", "project_id", "username", "setup_path"},
			Text: fmt.Sprintf(`FLIP - Federated Learning and Interoperability Platform

An XNAT account has been created for you at {{trust_name}} for project {{project_name}} (ID {{project_id}}).

Username: {{username}}
Set-password path: {{setup_path}}

Open your trust's XNAT address followed by that path from inside {{trust_name}}'s network, and choose your own password. The link works once and expires. No password is ever sent by email.

This message was sent by FLIP (%s). Please do not reply.
`, url),
			HTML: page("Set your XNAT password", fmt.Sprintf(`<p>An XNAT account has been created for you at {{trust_name}} for project {{project_name}} (ID {{project_id}}).</p>
<p>Username: <strong>{{username}}</strong><br>Set-password path: <code>{{setup_path}}</code></p>
<p>Open your trust's XNAT address followed by that path from inside {{trust_name}}'s network, and choose your own password. The link works once and expires. No password is ever sent by email.</p>
<p>This message was sent by FLIP (<a href="%[1]s">%[1]s</a>). Please do not reply.</p>`, hURL)),
		},
		{
			Key:     "added-to-project",
			Name:    AddedToProjectTemplate,
			Subject: "You have been added to a project at {{trust_name}}",
			Fields:  []string{"trust_name", "project_name", "project_id", "username"},
			Text: fmt.Sprintf(`FLIP - Federated Learning and Interoperability Platform

Your XNAT account {{username}} at {{trust_name}} now has access to project {{project_name}} (ID {{project_id}}).

Sign in to XNAT from inside {{trust_name}}'s network as usual. Project details are on FLIP at %s.
`, url),
			HTML: page("Added to a project", fmt.Sprintf(`<p>Your XNAT account <strong>{{username}}</strong> at {{trust_name}} now has access to project {{project_name}} (ID {{project_id}}).</p>
<p>Sign in to XNAT from inside {{trust_name}}'s network as usual. Project details are on FLIP at <a href="%[1]s">%[1]s</a>.</p>`, hURL)),
		},
	}
	return Messages{
		InviteSubject:       "Welcome to FLIP - your account",
		InviteHTML:          invite,
		VerificationSubject: "Your FLIP verification code",
		VerificationHTML:    verify,
		Templates:           templates,
	}
}

// page wraps a body in FLIP's plain branded frame (flip-ui's purple, inline styles only,
// which is what mail clients honour).
func page(title, body string) string {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>`)
	b.WriteString(html.EscapeString(title))
	b.WriteString(`</title></head><body style="margin:0;font-family:Arial,Helvetica,sans-serif;color:#1f1f1f">`)
	b.WriteString(`<div style="background:#61366e;color:#ffffff;padding:16px 24px;font-size:18px"><strong>FLIP</strong> &middot; Federated Learning and Interoperability Platform</div>`)
	b.WriteString(`<div style="padding:24px;line-height:1.5">`)
	b.WriteString(body)
	b.WriteString(`</div><div style="padding:12px 24px;color:#666666;font-size:12px">This is an automated message from FLIP. It may contain confidential information; if you are not the intended recipient, please delete it.</div></body></html>`)
	return b.String()
}
