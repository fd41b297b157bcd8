package config

import (
	"slices"
	"strings"

	"github.com/londonaicentre/flip-hub/internal/flip"
)

func parseEdge(p *problems, r rawEdge, d defaults) Edge {
	key := KeyEdge
	e := Edge{
		Domain:             r.Domain,
		ZoneName:           r.ZoneName,
		ManageDNS:          orBool(r.ManageDNS, true),
		PriceClass:         orString(r.PriceClass, defaultPriceClass),
		WAFBlock:           d.wafBlock,
		RateLimitPer5Min:   orInt(r.RateLimitPer5Min, defaultRateLimit),
		DeletionProtection: orBool(r.DeletionProtection, d.lbDeletionProtect),
	}
	if !validDomain(e.Domain) {
		p.add(key+".domain", "%q is not a domain name; want a lower-case DNS name such as stag.flip.aicentre.co.uk", e.Domain)
	} else if e.ZoneName == "" {
		e.ZoneName = e.Domain[strings.Index(e.Domain, ".")+1:]
	}
	if e.ZoneName != "" && (!validDomain(e.ZoneName) || (e.Domain != e.ZoneName && !strings.HasSuffix(e.Domain, "."+e.ZoneName))) {
		p.add(key+".zoneName", "%q is not a zone that holds %q; want the domain itself or a parent such as flip.aicentre.co.uk", e.ZoneName, e.Domain)
	}
	if !slices.Contains(priceClasses, e.PriceClass) {
		p.add(key+".priceClass", "%q is not a CloudFront price class; want one of %v", e.PriceClass, priceClasses)
	}
	switch r.WAF {
	case "", "block":
	case "count":
		e.WAFBlock = false
		if d.env == Prod {
			p.add(key+".waf", "count mode never blocks, which prod forbids; want block")
		}
	default:
		p.add(key+".waf", "%q is not a WAF mode; want block or count", r.WAF)
	}
	if e.RateLimitPer5Min < 100 || e.RateLimitPer5Min > 2_000_000_000 {
		p.add(key+".rateLimitPer5Min", "%d is outside 100–2000000000; want requests per IP per 5 minutes such as 2000", e.RateLimitPer5Min)
	}
	if d.env == Prod {
		requireOn(p, key+".deletionProtection", e.DeletionProtection)
	}
	return e
}

func parseIdentity(p *problems, r rawIdentity, d defaults) Identity {
	key := KeyIdentity
	id := Identity{
		MFA:                      MFAApp,
		DeletionProtection:       orBool(r.DeletionProtection, d.poolDeletionProtect),
		ThreatProtectionEnforced: d.threatEnforced,
		DomainPrefix:             orString(r.DomainPrefix, "flip-"+string(d.env)),
		SenderEmail:              r.SenderEmail,
		AdminEmail:               r.AdminEmail,
		AdminUser:                orString(r.AdminUser, flip.SeededAdminEmails[0]),
		ResearcherUser:           r.ResearcherUser,
		SESDomainIdentity:        true,
		SESVerified:              orBool(r.SESVerified, false),
		AccessTokenMinutes:       orInt(r.AccessTokenMinutes, defaultAccessTokenMinutes),
		IDTokenMinutes:           orInt(r.IDTokenMinutes, defaultIDTokenMinutes),
		RefreshTokenDays:         orInt(r.RefreshTokenDays, defaultRefreshTokenDays),
		TemporaryPasswordDays:    orInt(r.TemporaryPasswordDays, defaultTempPasswordDays),
	}
	if !slices.Contains(flip.SeededAdminEmails, strings.ToLower(id.AdminUser)) {
		p.add(key+".adminUser", "%q is not a user flip-api makes Admin; flip-api grants Admin only to %s (its utils/constants.py), so want one of them", id.AdminUser, strings.Join(flip.SeededAdminEmails, ", "))
	}
	if id.ResearcherUser != "" && !strings.EqualFold(id.ResearcherUser, flip.SeededResearcherEmail) {
		p.add(key+".researcherUser", "%q is not the user flip-api makes Researcher; want %s (its utils/constants.py RESEARCHER_EMAIL) or leave it unset", id.ResearcherUser, flip.SeededResearcherEmail)
	}
	switch m := MFAMode(r.MFA); m {
	case "", MFAApp:
	case MFAPool:
		id.MFA = MFAPool
	case MFAOptional:
		id.MFA = MFAOptional
		if d.env == Prod {
			p.add(key+".mfa", "optional turns TOTP enforcement off, which prod forbids; want app or pool")
		}
	default:
		p.add(key+".mfa", "%q is not an MFA mode; want app (flip-api enforces TOTP enrolment, pool OPTIONAL, as upstream), pool (Cognito enforces it too; lost devices cannot be reset) or, in stag only, optional", r.MFA)
	}
	switch r.ThreatProtection {
	case "":
	case "enforced":
		id.ThreatProtectionEnforced = true
	case "audit":
		id.ThreatProtectionEnforced = false
		if d.env == Prod {
			p.add(key+".threatProtection", "audit only watches, which prod forbids; want enforced")
		}
	default:
		p.add(key+".threatProtection", "%q is not a threat-protection mode; want enforced or audit", r.ThreatProtection)
	}
	switch r.SESIdentity {
	case "", "domain":
	case "email":
		id.SESDomainIdentity = false
	default:
		p.add(key+".sesIdentity", "%q is not an SES identity kind; want domain (DKIM for the sender's domain) or email", r.SESIdentity)
	}
	if !emailRE.MatchString(id.SenderEmail) {
		p.add(key+".senderEmail", "%q is not an email address; want one such as noreply@stag.flip.aicentre.co.uk", id.SenderEmail)
	}
	if !emailRE.MatchString(id.AdminEmail) {
		p.add(key+".adminEmail", "%q is not an email address; want one such as flip-admin@aicentre.co.uk", id.AdminEmail)
	}
	if !cognitoPrefix.MatchString(id.DomainPrefix) || strings.Contains(id.DomainPrefix, "aws") ||
		strings.Contains(id.DomainPrefix, "amazon") || strings.Contains(id.DomainPrefix, "cognito") {
		p.add(key+".domainPrefix", "%q is not a Cognito domain prefix; want lower-case letters, digits and hyphens without aws, amazon or cognito, such as flip-stag", id.DomainPrefix)
	}
	checkRange(p, key+".accessTokenMinutes", id.AccessTokenMinutes, 5, 1440, "minutes such as 60")
	checkRange(p, key+".idTokenMinutes", id.IDTokenMinutes, 5, 1440, "minutes such as 60")
	checkRange(p, key+".refreshTokenDays", id.RefreshTokenDays, 1, 3650, "days such as 30")
	checkRange(p, key+".temporaryPasswordDays", id.TemporaryPasswordDays, 1, 7, "days such as 7")
	if d.env == Prod {
		requireOn(p, key+".deletionProtection", id.DeletionProtection)
	}
	return id
}

func checkRange(p *problems, key string, v, lo, hi int, want string) {
	if v < lo || v > hi {
		p.add(key, "%d is outside %d–%d; want %s", v, lo, hi, want)
	}
}

func parseImages(p *problems, r rawImages) Images {
	key := KeyImages
	im := Images{
		Registry:   orString(r.Registry, defaultRegistry),
		Tag:        r.Tag,
		FLRegistry: orString(r.FLRegistry, defaultRegistry),
		FLTag:      r.FLTag,
	}
	for _, f := range []struct{ field, v string }{{"registry", im.Registry}, {"flRegistry", im.FLRegistry}} {
		if !registryRE.MatchString(f.v) {
			p.add(key+"."+f.field, "%q is not a registry prefix; want host and path ending in /, such as ghcr.io/londonaicentre/", f.v)
		}
	}
	for _, f := range []struct{ field, v string }{{"tag", im.Tag}, {"flTag", im.FLTag}} {
		switch {
		case f.v == "":
			p.add(key+"."+f.field, "is empty; want an image tag such as sha-1a2b3c4")
		case f.v == "latest":
			p.add(key+"."+f.field, "latest is not pinned; want a commit tag such as sha-1a2b3c4")
		case !imageTagRE.MatchString(f.v):
			p.add(key+"."+f.field, "%q is not an image tag; want letters, digits, _ . - (up to 128) such as sha-1a2b3c4", f.v)
		}
	}
	return im
}
