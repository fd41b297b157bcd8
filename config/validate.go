package config

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/londonaicentre/flip-hub/internal/awsid"
	"github.com/londonaicentre/flip-hub/internal/deploy"
	"github.com/londonaicentre/flip-hub/internal/flip"
)

var (
	azNameRE       = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9][a-z]$`)
	accountRE      = regexp.MustCompile(`^[0-9]{12}$`)
	domainLabelRE  = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	emailRE        = regexp.MustCompile(`^[A-Za-z0-9._%+-]+@([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,}$`)
	imageTagRE     = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
	registryRE     = regexp.MustCompile(`^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?(/[a-z0-9._-]+)*/$`)
	engineRE       = regexp.MustCompile(`^([0-9]{2})(\.[0-9]+)?$`)
	dbClassRE      = regexp.MustCompile(`^db\.[a-z0-9]+\.[a-z0-9]+$`)
	dbNameRE       = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)
	dbUserRE       = regexp.MustCompile(`^[a-z][a-z0-9_]{0,15}$`)
	ec2TypeRE      = regexp.MustCompile(`^[a-z][a-z0-9-]*\.[a-z0-9]+$`)
	cognitoPrefix  = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	kitSlotRE      = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	kitDateRE      = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)
	urlSafeKeyRE   = regexp.MustCompile(`^[A-Za-z0-9_-]{43,256}$`)
	logRetentions  = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}
	monitoringSecs = []int{0, 1, 5, 10, 15, 30, 60}
	priceClasses   = []string{"PriceClass_100", "PriceClass_200", "PriceClass_All"}
	forbiddenPorts = map[int]string{22: "SSH", 3389: "RDP"}
)

// AppBuckets are the purposes of the hub's application buckets. Each can be adopted
// through the imports map as "bucket:<purpose>".
var AppBuckets = deploy.BucketPurposes

// ImportKeys lists every key the imports map accepts.
func ImportKeys() []string {
	keys := []string{"kmsKey", "flipApiSecret", "cognitoUserPool"}
	for _, b := range AppBuckets {
		keys = append(keys, "bucket:"+b)
	}
	return keys
}

func parseRegion(p *problems, cfg *Config, src Source) {
	region, ok := src.Get(KeyRegion)
	switch {
	case !ok || region == "":
		p.add(KeyRegion, "not set; want an AWS region such as eu-west-2")
	case azNameRE.MatchString(region):
		p.add(KeyRegion, "%q is an availability zone, not a region; want a region such as eu-west-2", region)
	case !awsid.Region(region):
		p.add(KeyRegion, "%q is not an AWS region name; want a region such as eu-west-2", region)
	default:
		cfg.Region = region
	}
}

func parseAccounts(p *problems, cfg *Config, src Source) {
	raw, ok := src.Get(KeyAllowedAccountIDs)
	if !ok || strings.TrimSpace(raw) == "" {
		p.add(KeyAllowedAccountIDs, "not set; want the list of AWS account IDs this stack may deploy to, such as [\"123456789012\"]")
		return
	}
	var ids []string
	if err := json.Unmarshal([]byte(raw), &ids); err != nil {
		p.add(KeyAllowedAccountIDs, "cannot be read (%s); want a list of 12-digit account IDs such as [\"123456789012\"]", describeJSONError(err))
		return
	}
	if len(ids) == 0 {
		p.add(KeyAllowedAccountIDs, "is empty; want at least one 12-digit account ID")
	}
	for i, id := range ids {
		if !accountRE.MatchString(id) {
			p.add(fmt.Sprintf("%s[%d]", KeyAllowedAccountIDs, i), "%q is not an account ID; want 12 digits such as 123456789012", id)
		}
	}
	cfg.AllowedAccountIDs = ids
}

func parseLogRetention(p *problems, cfg *Config, src Source, d defaults) {
	cfg.LogRetentionDays = d.logRetention
	raw, ok := src.Get(KeyLogRetentionDays)
	if !ok {
		return
	}
	n, err := strconv.Atoi(strings.TrimSpace(raw))
	switch {
	case err != nil:
		p.add(KeyLogRetentionDays, "%q is not a whole number of days; want one of %v", raw, logRetentions)
	case !slices.Contains(logRetentions, n):
		p.add(KeyLogRetentionDays, "%d is not a retention CloudWatch Logs accepts; want one of %v", n, logRetentions)
	case n < d.minLogRetention:
		p.add(KeyLogRetentionDays, "%d days is below the %s minimum; want at least %d", n, d.env, d.minLogRetention)
	default:
		cfg.LogRetentionDays = n
	}
}

func parseNetwork(p *problems, r rawNetwork, region string, d defaults) Network {
	key := KeyNetwork
	n := Network{CIDR: r.CIDR, AvailabilityZones: r.AvailabilityZones}
	checkVPCCIDR(p, key+".cidr", r.CIDR)

	azKey := key + ".availabilityZones"
	switch {
	case len(r.AvailabilityZones) < 2:
		p.add(azKey, "has %d zone(s); want at least 2 distinct zones of the region, such as [eu-west-2a, eu-west-2b]", len(r.AvailabilityZones))
	case len(r.AvailabilityZones) > 6:
		p.add(azKey, "has %d zones; want at most 6", len(r.AvailabilityZones))
	}
	seen := map[string]bool{}
	for i, az := range r.AvailabilityZones {
		k := fmt.Sprintf("%s[%d]", azKey, i)
		switch {
		case seen[az]:
			p.add(k, "%q is listed twice; want distinct zones", az)
		case !azNameRE.MatchString(az):
			p.add(k, "%q is not an availability zone name; want one such as eu-west-2a", az)
		case region != "" && strings.TrimRight(az, "abcdefghijklmnopqrstuvwxyz") != region:
			p.add(k, "%q is not in region %s; want a zone such as %sa", az, region, region)
		}
		seen[az] = true
	}

	perAZ := len(r.AvailabilityZones)
	n.NATGateways = 1
	if d.natPerAZ {
		n.NATGateways = perAZ
	}
	if r.NATGateways != nil {
		n.NATGateways = *r.NATGateways
		switch {
		case *r.NATGateways != 1 && *r.NATGateways != perAZ:
			p.add(key+".natGateways", "%d is neither 1 nor one per zone (%d); want 1 or %d", *r.NATGateways, perAZ, perAZ)
		case d.natPerAZ && *r.NATGateways != perAZ:
			p.add(key+".natGateways", "%d would leave a prod zone without its own NAT gateway; want %d (one per zone)", *r.NATGateways, perAZ)
		}
	}
	return n
}

func checkVPCCIDR(p *problems, key, cidr string) {
	if cidr == "" {
		p.add(key, "not set; want a private IPv4 network from /16 to /24 such as 10.20.0.0/16")
		return
	}
	pfx, err := netip.ParsePrefix(cidr)
	if err != nil || !pfx.Addr().Is4() {
		p.add(key, "%q is not an IPv4 CIDR; want a private network such as 10.20.0.0/16", cidr)
		return
	}
	if pfx.Masked() != pfx {
		p.add(key, "%q has host bits set; want a network address such as %s", cidr, pfx.Masked())
		return
	}
	if pfx.Bits() < 16 || pfx.Bits() > 24 {
		p.add(key, "%q is a /%d; want a prefix from /16 to /24 such as 10.20.0.0/16", cidr, pfx.Bits())
		return
	}
	if !isPrivate(pfx) {
		p.add(key, "%q is not private address space; want a network inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16", cidr)
		return
	}
	// The hub's containers live on their own network on the host; a VPC over the same
	// addresses would make RDS and the VPC endpoints unreachable from them.
	if hub := netip.MustParsePrefix(deploy.HubSubnet); pfx.Overlaps(hub) {
		p.add(key, "%q overlaps the hub host's container network %s; want a network outside it such as 10.20.0.0/16", cidr, hub)
	}
}

func isPrivate(pfx netip.Prefix) bool {
	for _, s := range []string{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"} {
		block := netip.MustParsePrefix(s)
		if block.Bits() <= pfx.Bits() && block.Contains(pfx.Addr()) {
			return true
		}
	}
	return false
}

func parseDatabase(p *problems, r rawDatabase, d defaults) Database {
	key := KeyDatabase
	db := Database{
		EngineVersion:             orString(r.EngineVersion, defaultEngineVersion),
		InstanceClass:             orString(r.InstanceClass, defaultInstanceClass),
		AllocatedStorageGB:        orInt(r.AllocatedStorageGB, defaultAllocatedStorageGB),
		MaxAllocatedStorageGB:     orInt(r.MaxAllocatedStorageGB, defaultMaxStorageGB),
		Name:                      orString(r.Name, defaultDBName),
		Username:                  orString(r.Username, defaultDBUsername),
		MultiAZ:                   orBool(r.MultiAZ, d.multiAZ),
		BackupRetentionDays:       orInt(r.BackupRetentionDays, d.backupRetention),
		DeletionProtection:        orBool(r.DeletionProtection, d.dbDeletionProtect),
		FinalSnapshot:             orBool(r.FinalSnapshot, d.finalSnapshot),
		Protect:                   d.protect,
		MonitoringIntervalSeconds: orInt(r.MonitoringIntervalSeconds, d.monitoringInterval),
	}
	if m := engineRE.FindStringSubmatch(db.EngineVersion); m == nil {
		p.add(key+".engineVersion", "%q is not a PostgreSQL version; want a major or major.minor version such as 17 or 17.5", db.EngineVersion)
	} else if major, _ := strconv.Atoi(m[1]); major < 13 {
		p.add(key+".engineVersion", "%q is past its end of standard support; want 13 or later (17 recommended)", db.EngineVersion)
	} else {
		db.Family = "postgres" + m[1]
	}
	if !dbClassRE.MatchString(db.InstanceClass) {
		p.add(key+".instanceClass", "%q is not an RDS instance class; want one such as db.t4g.small", db.InstanceClass)
	}
	if db.AllocatedStorageGB < 20 || db.AllocatedStorageGB > 65536 {
		p.add(key+".allocatedStorageGb", "%d is outside 20–65536; want a size in GiB such as 20", db.AllocatedStorageGB)
	}
	if db.MaxAllocatedStorageGB < db.AllocatedStorageGB || db.MaxAllocatedStorageGB > 65536 {
		p.add(key+".maxAllocatedStorageGb", "%d must be at least allocatedStorageGb (%d) and at most 65536; want the autoscaling ceiling in GiB such as 100", db.MaxAllocatedStorageGB, db.AllocatedStorageGB)
	}
	if !dbNameRE.MatchString(db.Name) {
		p.add(key+".name", "%q is not a database name; want lower-case letters, digits and _ starting with a letter, such as flip", db.Name)
	}
	if !dbUserRE.MatchString(db.Username) || db.Username == "rdsadmin" {
		p.add(key+".username", "%q is not a usable master user name; want 1–16 lower-case letters, digits or _, starting with a letter, not rdsadmin", db.Username)
	}
	if db.BackupRetentionDays < 1 || db.BackupRetentionDays > 35 {
		p.add(key+".backupRetentionDays", "%d is outside 1–35; want a number of days from 1 to 35", db.BackupRetentionDays)
	} else if db.BackupRetentionDays < d.minBackupRetention {
		p.add(key+".backupRetentionDays", "%d days is below the %s minimum; want %d to 35", db.BackupRetentionDays, d.env, d.minBackupRetention)
	}
	if !slices.Contains(monitoringSecs, db.MonitoringIntervalSeconds) {
		p.add(key+".monitoringIntervalSeconds", "%d is not an enhanced-monitoring interval; want one of %v", db.MonitoringIntervalSeconds, monitoringSecs)
	}
	if d.env == Prod {
		requireOn(p, key+".deletionProtection", db.DeletionProtection)
		requireOn(p, key+".finalSnapshot", db.FinalSnapshot)
		requireOn(p, key+".multiAz", db.MultiAZ)
		if db.MonitoringIntervalSeconds == 0 {
			p.add(key+".monitoringIntervalSeconds", "0 turns enhanced monitoring off, which prod requires; want one of %v other than 0", monitoringSecs[1:])
		}
	}
	return db
}

func requireOn(p *problems, key string, v bool) {
	if !v {
		p.add(key, "is turned off, which prod forbids; want true (or leave it unset)")
	}
}

func parseHost(p *problems, r rawHost, d defaults) Host {
	h := Host{
		InstanceType:       orString(r.InstanceType, defaultHostInstanceType),
		RootVolumeGB:       orInt(r.RootVolumeGB, defaultRootVolumeGB),
		DetailedMonitoring: orBool(r.DetailedMonitoring, d.detailedMonitoring),
	}
	if !ec2TypeRE.MatchString(h.InstanceType) {
		p.add(KeyHost+".instanceType", "%q is not an EC2 instance type; want one such as t3.large", h.InstanceType)
	}
	if h.RootVolumeGB < 20 || h.RootVolumeGB > 16384 {
		p.add(KeyHost+".rootVolumeGb", "%d is outside 20–16384; want a size in GiB such as 50", h.RootVolumeGB)
	}
	return h
}

// validDomain reports whether s is a lower-case DNS name of at least two labels.
func validDomain(s string) bool {
	if len(s) == 0 || len(s) > 253 {
		return false
	}
	labels := strings.Split(s, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if !domainLabelRE.MatchString(l) {
			return false
		}
	}
	return !strings.ContainsAny(labels[len(labels)-1], "0123456789")
}

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

func parseTrusts(p *problems, raw []rawTrust) []Trust {
	trusts := make([]Trust, 0, len(raw))
	codes := map[string]int{}
	names := map[string]int{}
	for i, r := range raw {
		key := fmt.Sprintf("%s[%d]", KeyTrusts, i)
		t := Trust{Code: r.Code, Name: strings.TrimSpace(r.Name), Region: strings.TrimSpace(r.Region), EgressCIDRs: r.EgressCIDRs, Rotation: orInt(r.Rotation, 0)}
		if !flip.ValidTrustCode(t.Code) {
			p.add(key+".code", "%q is not a trust code; want %s", t.Code, flip.TrustCodeRule)
		} else if j, dup := codes[t.Code]; dup {
			p.add(key+".code", "%q is already used by trusts[%d]; want a unique code", t.Code, j)
		} else {
			codes[t.Code] = i
		}
		switch folded := strings.ToLower(t.Name); {
		case t.Name == "":
			p.add(key+".name", "is empty; want the trust's name such as Guy's and St Thomas'")
		case len(t.Name) > 128:
			p.add(key+".name", "is %d characters long; want at most 128", len(t.Name))
		default:
			if j, dup := names[folded]; dup {
				p.add(key+".name", "%q is already used by trusts[%d]; want a unique name", t.Name, j)
			} else {
				names[folded] = i
			}
		}
		if t.Region == "" {
			p.add(key+".region", "is empty; want the trust's region such as London")
		}
		if len(t.EgressCIDRs) == 0 {
			p.add(key+".egressCidrs", "is empty; want the trust's public egress networks such as [203.0.113.0/28]")
		}
		for j, c := range t.EgressCIDRs {
			checkTrustCIDR(p, fmt.Sprintf("%s.egressCidrs[%d]", key, j), c)
		}
		if t.Rotation < 0 {
			p.add(key+".rotation", "%d is negative; want 0 or a count that is bumped to rotate the trust's keys", t.Rotation)
		}
		trusts = append(trusts, t)
	}
	checkOverlappingEgress(p, trusts)
	return trusts
}

// checkOverlappingEgress reports egress networks that overlap without being identical: trusts
// behind one NAT share an identical network (and one FL rule), but a network inside another is
// almost always a typo, and it opens the FL port wider than either trust needs.
func checkOverlappingEgress(p *problems, trusts []Trust) {
	type net struct {
		key string
		pfx netip.Prefix
	}
	var nets []net
	for i, t := range trusts {
		for j, c := range t.EgressCIDRs {
			if pfx, err := netip.ParsePrefix(c); err == nil {
				nets = append(nets, net{fmt.Sprintf("%s[%d].egressCidrs[%d]", KeyTrusts, i, j), pfx.Masked()})
			}
		}
	}
	for a := range nets {
		for b := a + 1; b < len(nets); b++ {
			x, y := nets[a], nets[b]
			if x.pfx != y.pfx && x.pfx.Overlaps(y.pfx) {
				p.add(y.key, "%s overlaps %s (%s) without being the same network; want identical networks for trusts behind one NAT, or disjoint ones",
					y.pfx, x.pfx, x.key)
			}
		}
	}
}

func checkTrustCIDR(p *problems, key, cidr string) {
	pfx, err := netip.ParsePrefix(cidr)
	switch {
	case err != nil || !pfx.Addr().Is4():
		p.add(key, "%q is not an IPv4 CIDR; want a public egress network such as 203.0.113.0/28", cidr)
	case pfx.Bits() == 0:
		p.add(key, "%q opens the FL port to the whole internet; want the trust's own egress network such as 203.0.113.0/28", cidr)
	case pfx.Masked() != pfx:
		p.add(key, "%q has host bits set; want a network address such as %s", cidr, pfx.Masked())
	case pfx.Bits() < 8:
		p.add(key, "%q is far broader than a trust's egress; want a prefix of /8 or longer such as 203.0.113.0/28", cidr)
	}
}

func parseFL(p *problems, r rawFL, trustCount int) FL {
	key := KeyFL
	fl := FL{Backend: FLBackend(orString(r.Backend, string(NVFlare))), KitDate: r.KitDate, MinClients: orInt(r.MinClients, defaultMinClients)}
	port := defaultNVFlarePort
	switch fl.Backend {
	case NVFlare:
	case Flower:
		port = defaultFlowerPort
	default:
		p.add(key+".backend", "%q is not an FL backend; want nvflare or flower", r.Backend)
	}
	fl.Port = orInt(r.Port, port)
	if fl.Port < 1 || fl.Port > 65535 {
		p.add(key+".port", "%d is outside 1–65535; want a TCP port such as %d", fl.Port, port)
	} else if what, bad := forbiddenPorts[fl.Port]; bad {
		p.add(key+".port", "%d is the %s port, which is never opened; want a port such as %d", fl.Port, what, port)
	}
	fl.KitSlotNames = r.KitSlotNames
	if len(fl.KitSlotNames) == 0 {
		for i := 1; i <= max(trustCount, 2); i++ {
			fl.KitSlotNames = append(fl.KitSlotNames, fmt.Sprintf("Trust_%d", i))
		}
	}
	seen := map[string]bool{}
	for i, s := range fl.KitSlotNames {
		k := fmt.Sprintf("%s.kitSlotNames[%d]", key, i)
		if !kitSlotRE.MatchString(s) {
			p.add(k, "%q is not a kit slot name; want letters, digits, _ or - such as Trust_1", s)
		} else if seen[s] {
			p.add(k, "%q is listed twice; want unique slot names", s)
		}
		seen[s] = true
	}
	if len(fl.KitSlotNames) < trustCount {
		p.add(key+".kitSlotNames", "has %d slots for %d trusts; want at least one slot per trust", len(fl.KitSlotNames), trustCount)
	}
	// flip-api reads every slot name from one SSM String parameter (JSON list). SSM holds up to
	// 4 KB in the Standard tier and 8 KB in the Advanced tier (Systems Manager User Guide,
	// "Managing parameter tiers"); a longer list cannot be stored at all.
	if list, err := json.Marshal(fl.KitSlotNames); err == nil {
		switch n := len(list); {
		case n > AdvancedParameterBytes:
			p.add(key+".kitSlotNames", "lists %d slots in %d characters of JSON; SSM parameters hold at most %d (Advanced tier), so want fewer or shorter slot names", len(fl.KitSlotNames), n, AdvancedParameterBytes)
		case n > StandardParameterBytes:
			fl.KitSlotTier = "Advanced"
		default:
			fl.KitSlotTier = "Standard"
		}
	}
	if !kitDateRE.MatchString(fl.KitDate) {
		p.add(key+".kitDate", "%q does not name a kit release; want the folder of the FL server kits in the kits bucket, such as 2025-06-01", fl.KitDate)
	}
	if fl.MinClients < 1 {
		p.add(key+".minClients", "%d is below 1; want the number of trusts a round needs, such as 1", fl.MinClients)
	}
	return fl
}

func parseImports(p *problems, raw map[string]string) map[string]string {
	known := ImportKeys()
	out := map[string]string{}
	for k, v := range raw {
		switch {
		case !slices.Contains(known, k):
			p.add(KeyImports+"."+k, "is not a resource that can be adopted; want one of %v", known)
		case strings.TrimSpace(v) == "" || strings.ContainsAny(v, " \t\n"):
			p.add(KeyImports+"."+k, "%q is not a resource ID; want the ID of the existing resource", v)
		default:
			out[k] = v
		}
	}
	return out
}

func parseSecrets(p *problems, src Source) {
	aes, hasAES := src.Get(KeyFlipAPIAESKey)
	isk, hasISK := src.Get(KeyFlipAPIInternalServiceKey)
	if hasAES != hasISK {
		missing := KeyFlipAPIAESKey
		if hasAES {
			missing = KeyFlipAPIInternalServiceKey
		}
		p.add(missing, "not set while its pair is; want both keys set as secrets (an existing hub's FLIP_API values) or neither")
	}
	if hasAES {
		if b, err := base64.StdEncoding.DecodeString(aes); err != nil || len(b) != 32 {
			p.add(KeyFlipAPIAESKey, "is not the base64 of 32 bytes (value not shown); want the existing hub's aes_key")
		}
	}
	if hasISK && !urlSafeKeyRE.MatchString(isk) {
		p.add(KeyFlipAPIInternalServiceKey, "is not a URL-safe key of at least 43 characters (value not shown); want the existing hub's internal_service_key")
	}
	if tok, ok := src.Get(KeyRegistryToken); ok && strings.TrimSpace(tok) == "" {
		p.add(KeyRegistryToken, "is empty (value not shown); want a registry token with read access to the images, or leave it unset for public images")
	}
}
