package data

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/rds"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/internal/iamdoc"
	"github.com/londonaicentre/flip-hub/internal/namer"
)

// Fixed database settings.
const (
	// PostgresPort is the port flip-api connects to; the RDS security group admits it
	// from the hub host only.
	PostgresPort = 5432
	// CACertificate is the RDS certificate authority the instance's server certificate
	// chains to: the current RSA 2048 CA (valid to 2061), not the retired rds-ca-2019.
	CACertificate = "rds-ca-rsa2048-g1"
	// PerformanceInsightsRetentionDays is the free retention tier.
	PerformanceInsightsRetentionDays = 7
	// SlowQueryMillis logs every statement that runs longer than this.
	SlowQueryMillis = 1000
	backupWindow    = "01:00-02:00"
	maintenance     = "sun:03:00-sun:04:00"
)

// LogExports are the PostgreSQL logs RDS publishes to CloudWatch Logs.
var LogExports = []string{"postgresql", "upgrade"}

// Parameters are the non-default settings of the parameter group, by name.
var Parameters = map[string]string{
	// TLS is mandatory for every client connection, at 1.2 or later.
	"rds.force_ssl":            "1",
	"ssl_min_protocol_version": "TLSv1.2",
	// Statement logging of schema changes (DDL) only: FLIP's data statements carry
	// personal data that must not be copied into logs. Slow statements are logged with
	// their duration.
	"log_statement":              "ddl",
	"log_min_duration_statement": fmt.Sprint(SlowQueryMillis),
	"log_connections":            "1",
	"log_disconnections":         "1",
}

// Parameters whose change waits for a reboot rather than applying at once.
var rebootParameters = map[string]bool{"rds.force_ssl": true, "ssl_min_protocol_version": true}

func (db Database) validate() error {
	switch {
	case db.EngineVersion == "" || !strings.HasPrefix(db.Family, "postgres"):
		return fmt.Errorf("database: want an engine version and a postgres parameter family, got %q and %q", db.EngineVersion, db.Family)
	case db.InstanceClass == "" || db.Name == "" || db.Username == "":
		return fmt.Errorf("database: want an instance class, a database name and a master user name")
	case db.AllocatedStorageGB < 20 || db.MaxAllocatedStorageGB < db.AllocatedStorageGB:
		return fmt.Errorf("database: storage %d GiB with ceiling %d GiB; want at least 20 and a ceiling no lower", db.AllocatedStorageGB, db.MaxAllocatedStorageGB)
	case db.BackupRetentionDays < 1 || db.BackupRetentionDays > 35:
		return fmt.Errorf("database: backup retention %d days is outside 1–35", db.BackupRetentionDays)
	case db.MonitoringIntervalSeconds < 0:
		return fmt.Errorf("database: monitoring interval %d is negative", db.MonitoringIntervalSeconds)
	}
	return nil
}

// Identifier is the RDS instance identifier of a stack.
func Identifier(prefix string) string { return namer.New(prefix).Bounded(63, "postgres") }

// FinalSnapshotIdentifier is the deterministic name of the snapshot RDS takes when the
// instance is deleted, so an operator can find and restore it.
func FinalSnapshotIdentifier(prefix string) string {
	return namer.New(prefix).Bounded(255, "postgres", "final")
}

func newDatabase(ctx *pulumi.Context, d *Data, nm namer.Namer, args Args, parent pulumi.ResourceOption) error {
	db := args.Database
	identifier := Identifier(args.Prefix)

	subnets, err := rds.NewSubnetGroup(ctx, "postgres", &rds.SubnetGroupArgs{
		Name:        pulumi.String(nm.Name("postgres")),
		Description: pulumi.String("Private subnets of the hub's PostgreSQL instance"),
		SubnetIds:   args.PrivateSubnetIDs,
	}, parent)
	if err != nil {
		return fmt.Errorf("rds subnet group: %w", err)
	}

	var params rds.ParameterGroupParameterArray
	for _, k := range sortedKeys(Parameters) {
		method := "immediate"
		if rebootParameters[k] {
			method = "pending-reboot"
		}
		params = append(params, rds.ParameterGroupParameterArgs{
			Name:        pulumi.String(k),
			Value:       pulumi.String(Parameters[k]),
			ApplyMethod: pulumi.String(method),
		})
	}
	// The family is part of the name, so a major upgrade creates the new group before
	// the old one is deleted.
	paramGroup, err := rds.NewParameterGroup(ctx, "postgres", &rds.ParameterGroupArgs{
		Name:        pulumi.String(nm.Name(db.Family)),
		Family:      pulumi.String(db.Family),
		Description: pulumi.String("TLS-only PostgreSQL with DDL, slow-query and connection logging"),
		Parameters:  params,
	}, parent)
	if err != nil {
		return fmt.Errorf("rds parameter group: %w", err)
	}

	// RDS would create its export log groups itself, unencrypted and kept forever. Owning
	// them first encrypts them with the stack key and applies the stack's retention.
	var logGroups []pulumi.Resource
	for _, l := range LogExports {
		g, err := cloudwatch.NewLogGroup(ctx, "postgres-"+l, &cloudwatch.LogGroupArgs{
			Name:            pulumi.String(fmt.Sprintf("/aws/rds/instance/%s/%s", identifier, l)),
			RetentionInDays: pulumi.Int(args.LogRetentionDays),
			KmsKeyId:        args.KMSKeyARN,
		}, parent)
		if err != nil {
			return fmt.Errorf("rds %s log group: %w", l, err)
		}
		logGroups = append(logGroups, g)
	}

	// The instance waits for its log groups and, with enhanced monitoring, for the
	// monitoring role's policy: RDS checks the role when the instance is created.
	dependsOn := logGroups
	monitoringRole := pulumi.StringPtrInput(nil)
	if db.MonitoringIntervalSeconds > 0 {
		role, attachment, err := newMonitoringRole(ctx, nm, identifier, args, parent)
		if err != nil {
			return err
		}
		monitoringRole = role.Arn
		dependsOn = append(dependsOn, attachment)
	}

	instanceArgs := &rds.InstanceArgs{
		Identifier:          pulumi.String(identifier),
		Engine:              pulumi.String("postgres"),
		EngineVersion:       pulumi.String(db.EngineVersion),
		InstanceClass:       pulumi.String(db.InstanceClass),
		AllocatedStorage:    pulumi.Int(db.AllocatedStorageGB),
		MaxAllocatedStorage: pulumi.Int(db.MaxAllocatedStorageGB),
		StorageType:         pulumi.String("gp3"),
		StorageEncrypted:    pulumi.Bool(true),
		KmsKeyId:            args.KMSKeyARN,
		DbName:              pulumi.String(db.Name),
		Port:                pulumi.Int(PostgresPort),
		Username:            pulumi.String(db.Username),
		// RDS generates the master password, keeps it in Secrets Manager under the stack
		// key and rotates it; it never passes through Pulumi state or config.
		ManageMasterUserPassword:           pulumi.Bool(true),
		MasterUserSecretKmsKeyId:           args.KMSKeyARN,
		IamDatabaseAuthenticationEnabled:   pulumi.Bool(true),
		DbSubnetGroupName:                  subnets.Name,
		ParameterGroupName:                 paramGroup.Name,
		VpcSecurityGroupIds:                pulumi.StringArray{args.RDSSecurityGroupID},
		PubliclyAccessible:                 pulumi.Bool(false),
		NetworkType:                        pulumi.String("IPV4"),
		MultiAz:                            pulumi.Bool(db.MultiAZ),
		CaCertIdentifier:                   pulumi.String(CACertificate),
		EnabledCloudwatchLogsExports:       pulumi.ToStringArray(LogExports),
		PerformanceInsightsEnabled:         pulumi.Bool(true),
		PerformanceInsightsKmsKeyId:        args.KMSKeyARN,
		PerformanceInsightsRetentionPeriod: pulumi.Int(PerformanceInsightsRetentionDays),
		MonitoringInterval:                 pulumi.Int(db.MonitoringIntervalSeconds),
		MonitoringRoleArn:                  monitoringRole,
		AutoMinorVersionUpgrade:            pulumi.Bool(true),
		AllowMajorVersionUpgrade:           pulumi.Bool(false),
		CopyTagsToSnapshot:                 pulumi.Bool(true),
		BackupRetentionPeriod:              pulumi.Int(db.BackupRetentionDays),
		BackupWindow:                       pulumi.String(backupWindow),
		MaintenanceWindow:                  pulumi.String(maintenance),
		DeletionProtection:                 pulumi.Bool(db.DeletionProtection),
		SkipFinalSnapshot:                  pulumi.Bool(!db.FinalSnapshot),
		DeleteAutomatedBackups:             pulumi.Bool(!db.FinalSnapshot),
		ApplyImmediately:                   pulumi.Bool(db.ApplyImmediately),
		Tags:                               pulumi.StringMap{"Name": pulumi.String(identifier)},
	}
	if db.FinalSnapshot {
		instanceArgs.FinalSnapshotIdentifier = pulumi.String(FinalSnapshotIdentifier(args.Prefix))
	}
	inst, err := rds.NewInstance(ctx, "postgres", instanceArgs,
		parent, pulumi.Protect(db.Protect), pulumi.DependsOn(dependsOn))
	if err != nil {
		return fmt.Errorf("rds instance: %w", err)
	}
	d.Ready = append(d.Ready, inst)

	d.DBAddress = inst.Address
	d.DBPort = inst.Port
	d.DBName = inst.DbName
	d.DBInstanceID = inst.Identifier
	d.DBInstanceARN = inst.Arn
	d.DBMasterSecretARN = inst.MasterUserSecrets.ApplyT(func(s []rds.InstanceMasterUserSecret) (string, error) {
		if len(s) == 0 || s[0].SecretArn == nil || *s[0].SecretArn == "" {
			return "", fmt.Errorf("rds instance %s reports no managed master-user secret", identifier)
		}
		return *s[0].SecretArn, nil
	}).(pulumi.StringOutput)
	return nil
}

// newMonitoringRole lets RDS enhanced monitoring publish OS metrics for this instance.
func newMonitoringRole(ctx *pulumi.Context, nm namer.Namer, identifier string, args Args, parent pulumi.ResourceOption) (*iam.Role, *iam.RolePolicyAttachment, error) {
	trust := pulumi.All(args.AccountID, args.Partition).ApplyT(func(in []any) (string, error) {
		account, partition := in[0].(string), in[1].(string)
		return iamdoc.JSON(iamdoc.Statement{
			Effect:    iamdoc.Allow,
			Principal: map[string]any{"Service": "monitoring.rds.amazonaws.com"},
			Action:    []string{"sts:AssumeRole"},
			Condition: map[string]map[string]any{
				"StringEquals": {"aws:SourceAccount": account},
				"ArnLike":      {"aws:SourceArn": fmt.Sprintf("arn:%s:rds:%s:%s:db:%s", partition, args.Region, account, identifier)},
			},
		})
	}).(pulumi.StringOutput)
	role, err := iam.NewRole(ctx, "rds-monitoring", &iam.RoleArgs{
		Name:             pulumi.String(nm.Bounded(64, "rds-monitoring")),
		Description:      pulumi.String("Lets RDS enhanced monitoring publish OS metrics of " + identifier),
		AssumeRolePolicy: trust,
	}, parent)
	if err != nil {
		return nil, nil, fmt.Errorf("rds monitoring role: %w", err)
	}
	attachment, err := iam.NewRolePolicyAttachment(ctx, "rds-monitoring", &iam.RolePolicyAttachmentArgs{
		Role:      role.Name,
		PolicyArn: pulumi.Sprintf("arn:%s:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole", args.Partition),
	}, parent)
	if err != nil {
		return nil, nil, fmt.Errorf("rds monitoring policy: %w", err)
	}
	return role, attachment, nil
}
