package compliance

import (
	"fmt"
	"slices"
)

// modernRDSCAs are the RDS certificate authorities valid past 2024.
var modernRDSCAs = []string{"rds-ca-rsa2048-g1", "rds-ca-rsa4096-g1", "rds-ca-ecc384-g1"}

// minBackupDays is the prod floor of RDS automated backup retention (the environment
// table: stag 7, prod at least 14).
const minBackupDays = 14

func rdsRules() []Rule {
	rds := []string{TypeRDSInstance}
	return []Rule{
		{
			ID: "rds-storage-encrypted", Types: rds,
			Sources: []string{"CKV_AWS_16", "RDS.3", "AVD-AWS-0080", "awsguard:rds-storage-encrypted"},
			Title:   "RDS storage is encrypted at rest",
			Check: func(v View, _ *Context) []string {
				return unless(v.IsTrue("storageEncrypted"), "storageEncrypted is not true")
			},
		},
		{
			ID: "rds-not-public", Types: rds,
			Sources: []string{"CKV_AWS_17", "RDS.2", "AVD-AWS-0180", "awsguard:rds-instance-public-access"},
			Title:   "RDS is not publicly accessible",
			Check: func(v View, _ *Context) []string {
				return when(v.IsTrue("publiclyAccessible") && !v.Unknown("publiclyAccessible"), "publiclyAccessible is true")
			},
		},
		{
			ID: "rds-deletion-protection", Types: rds,
			Sources:     []string{"CKV_AWS_293", "RDS.8", "AVD-AWS-0177"},
			Title:       "RDS has deletion protection",
			StagRelaxed: "stag is disposable: its database may be destroyed with the stack",
			Check: func(v View, _ *Context) []string {
				return unless(v.IsTrue("deletionProtection"), "deletionProtection is not true")
			},
		},
		{
			ID: "rds-iam-auth", Types: rds,
			Sources: []string{"CKV_AWS_161", "RDS.10", "AVD-AWS-0176"},
			Title:   "RDS accepts IAM database authentication",
			Check: func(v View, _ *Context) []string {
				return unless(v.IsTrue("iamDatabaseAuthenticationEnabled"), "iamDatabaseAuthenticationEnabled is not true")
			},
		},
		{
			ID: "rds-logs-exported", Types: rds,
			Sources: []string{"CKV_AWS_129", "RDS.9"},
			Title:   "RDS exports its engine log to CloudWatch Logs",
			Check: func(v View, _ *Context) []string {
				if v.Unknown("enabledCloudwatchLogsExports") {
					return nil
				}
				exports := stringsOf(v.List("enabledCloudwatchLogsExports"))
				want := "postgresql"
				if e := v.String("engine"); e != "" && e != "postgres" {
					want = "" // other engines: any export will do
				}
				if len(exports) == 0 || (want != "" && !slices.Contains(exports, want)) {
					return []string{fmt.Sprintf("enabledCloudwatchLogsExports %v lacks the engine log", exports)}
				}
				return nil
			},
		},
		{
			ID: "rds-minor-upgrades", Types: rds,
			Sources: []string{"CKV_AWS_226", "RDS.13"},
			Title:   "RDS takes minor engine upgrades automatically",
			Check: func(v View, _ *Context) []string {
				return when(v.IsFalse("autoMinorVersionUpgrade"), "autoMinorVersionUpgrade is false")
			},
		},
		{
			ID: "rds-copy-tags-to-snapshots", Types: rds,
			Sources: []string{"CKV2_AWS_60", "RDS.17"},
			Title:   "RDS copies its tags to snapshots",
			Check: func(v View, _ *Context) []string {
				return unless(v.IsTrue("copyTagsToSnapshot"), "copyTagsToSnapshot is not true")
			},
		},
		{
			ID: "rds-multi-az", Types: rds,
			Sources:     []string{"CKV_AWS_157", "RDS.5", "awsguard:rds-instance-multi-az-enabled"},
			Title:       "RDS runs multi-AZ",
			StagRelaxed: "stag runs a single-AZ database (environment table)",
			Check: func(v View, _ *Context) []string {
				return unless(v.IsTrue("multiAz"), "multiAz is not true")
			},
		},
		{
			ID: "rds-backup-retention", Types: rds,
			Sources:     []string{"CKV_AWS_133", "RDS.11", "AVD-AWS-0077", "awsguard:rds-instance-backup-enabled"},
			Title:       fmt.Sprintf("RDS keeps automated backups for at least %d days", minBackupDays),
			StagRelaxed: "stag keeps 7 days of backups (environment table)",
			Check: func(v View, _ *Context) []string {
				if v.Unknown("backupRetentionPeriod") {
					return nil
				}
				if d := v.Number("backupRetentionPeriod"); d < minBackupDays {
					return []string{fmt.Sprintf("backupRetentionPeriod is %g days; want at least %d", d, minBackupDays)}
				}
				return nil
			},
		},
		{
			ID: "rds-enhanced-monitoring", Types: rds,
			Sources:     []string{"CKV_AWS_118", "RDS.6"},
			Title:       "RDS has enhanced monitoring",
			StagRelaxed: "stag turns enhanced monitoring off (config default monitoringIntervalSeconds 0)",
			Check: func(v View, _ *Context) []string {
				if v.Unknown("monitoringInterval") {
					return nil
				}
				var p []string
				if v.Number("monitoringInterval") <= 0 {
					p = append(p, "monitoringInterval is 0")
				} else if !v.Set("monitoringRoleArn") {
					p = append(p, "monitoringRoleArn is not set")
				}
				return p
			},
		},
		{
			ID: "rds-performance-insights", Types: rds,
			Sources: []string{"CKV_AWS_353", "AVD-AWS-0133"},
			Title:   "RDS has Performance Insights",
			Check: func(v View, _ *Context) []string {
				return unless(v.IsTrue("performanceInsightsEnabled"), "performanceInsightsEnabled is not true")
			},
		},
		{
			ID: "rds-performance-insights-cmk", Types: rds,
			Sources: []string{"CKV_AWS_354", "AVD-AWS-0078"},
			Title:   "RDS Performance Insights data is encrypted with a customer-managed key",
			Check: func(v View, _ *Context) []string {
				if !v.IsTrue("performanceInsightsEnabled") {
					return nil
				}
				return unless(v.Set("performanceInsightsKmsKeyId"), "performanceInsightsKmsKeyId is not set")
			},
		},
		{
			ID: "rds-modern-ca", Types: rds,
			Sources: []string{"CKV_AWS_211"},
			Title:   "RDS uses a current certificate authority",
			Check: func(v View, _ *Context) []string {
				ca := v.String("caCertIdentifier")
				if ca == "" || ca == Unknown || slices.Contains(modernRDSCAs, ca) {
					return nil // unset: new instances get the region's current default
				}
				return []string{fmt.Sprintf("caCertIdentifier %q; want one of %v", ca, modernRDSCAs)}
			},
		},
		{
			ID: "rds-tls-in-transit", Types: rds, Stack: true,
			Sources: []string{"CKV2_AWS_69"},
			Title:   "RDS refuses connections without TLS (parameter group rds.force_ssl = 1)",
			Check: func(v View, c *Context) []string {
				pg, ok := parameterGroupOf(v, c)
				if !ok {
					return []string{"no parameter group of this stack: the default group does not force TLS"}
				}
				return unless(dbParameter(pg, "rds.force_ssl") == "1", fmt.Sprintf("parameter group %s does not set rds.force_ssl = 1", pg.Name))
			},
		},
		{
			ID: "rds-query-logging", Types: rds, Stack: true,
			Sources: []string{"CKV2_AWS_30"},
			Title:   "PostgreSQL logs statements (log_statement or log_min_duration_statement)",
			Check: func(v View, c *Context) []string {
				if e := v.String("engine"); e != "" && e != "postgres" {
					return nil
				}
				pg, ok := parameterGroupOf(v, c)
				if !ok {
					return []string{"no parameter group of this stack: the default group logs no statements"}
				}
				stmt, slow := dbParameter(pg, "log_statement"), dbParameter(pg, "log_min_duration_statement")
				if (stmt == "" || stmt == "none") && (slow == "" || slow == "-1") {
					return []string{fmt.Sprintf("parameter group %s sets neither log_statement nor log_min_duration_statement", pg.Name)}
				}
				return nil
			},
		},
	}
}

// parameterGroupOf finds the stack's parameter group an instance uses.
func parameterGroupOf(db View, c *Context) (View, bool) {
	name := db.String("parameterGroupName")
	for _, pg := range c.ByType(TypeRDSParameterGroup) {
		if (pg.URN != "" && db.DependsOn(pg.URN)) || (name != "" && pg.String("name") == name) {
			return pg, true
		}
	}
	return View{}, false
}

// dbParameter returns a parameter's value in a parameter group, "" when not set.
func dbParameter(pg View, name string) string {
	for _, p := range pg.List("parameters") {
		m, ok := p.(map[string]any)
		if !ok {
			continue
		}
		if n, _ := m["name"].(string); n == name {
			val, _ := m["value"].(string)
			return val
		}
	}
	return ""
}

// unless returns msg when ok is false.
func unless(ok bool, msg string) []string {
	if ok {
		return nil
	}
	return []string{msg}
}

// when returns msg when bad is true.
func when(bad bool, msg string) []string { return unless(!bad, msg) }
