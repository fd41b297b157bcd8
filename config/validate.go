package config

import (
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

// Keys of the imports map: the persistent resources a stack can adopt, each with the ID format
// of the provider's import. The KMS alias (its name, alias/...) belongs to the adopted key; the
// SES identity's ID is the address or domain, a template's its name.
// The Cognito domain, app client and seed users belong to the adopted
// pool: their IDs are the domain prefix, <poolId>/<clientId> and <poolId>/<username>.
const (
	ImportKMSKey                = "kmsKey"
	ImportKMSAlias              = "kmsAlias"
	ImportFlipAPISecret         = "flipApiSecret"
	ImportCognitoUserPool       = "cognitoUserPool"
	ImportCognitoDomain         = "cognitoDomain"
	ImportCognitoAppClient      = "cognitoAppClient"
	ImportCognitoAdminUser      = "cognitoAdminUser"
	ImportCognitoResearcherUser = "cognitoResearcherUser"
	ImportSESIdentity           = "sesIdentity"
	importBucketPrefix          = "bucket:"
	importSESTemplatePrefix     = "sesTemplate:"
)

// ImportSESTemplate is the imports key that adopts the SES template of a name (flip.SESTemplates).
func ImportSESTemplate(name string) string { return importSESTemplatePrefix + name }

// ImportBucket is the imports key that adopts the app bucket of a purpose (AppBuckets).
func ImportBucket(purpose string) string { return importBucketPrefix + purpose }

// ImportKeys lists every key the imports map accepts.
func ImportKeys() []string {
	keys := []string{ImportKMSKey, ImportKMSAlias, ImportFlipAPISecret, ImportCognitoUserPool, ImportCognitoDomain,
		ImportCognitoAppClient, ImportCognitoAdminUser, ImportCognitoResearcherUser, ImportSESIdentity}
	for _, b := range AppBuckets {
		keys = append(keys, ImportBucket(b))
	}
	for _, t := range flip.SESTemplates {
		keys = append(keys, ImportSESTemplate(t))
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
