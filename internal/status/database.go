package status

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/jackc/pgx/v5"
)

// RDSAPI is what the database check needs from RDS; *rds.Client satisfies it.
type RDSAPI interface {
	DescribeDBInstances(ctx context.Context, in *rds.DescribeDBInstancesInput, optFns ...func(*rds.Options)) (*rds.DescribeDBInstancesOutput, error)
}

var _ RDSAPI = (*rds.Client)(nil)

// usableStatuses are the RDS instance statuses in which the database serves connections.
var usableStatuses = []string{
	"available", "backing-up", "modifying", "storage-optimization",
	"configuring-enhanced-monitoring", "configuring-iam-database-auth", "configuring-log-exports",
}

// DBInstance checks that the RDS instance exists and is in a status that serves connections.
func DBInstance(c RDSAPI, id string) Check {
	return &Func{
		CheckName: "database",
		Fix:       "check your AWS credentials and region; the instance is the stack output dbInstanceId",
		Fn: func(ctx context.Context) (string, error) {
			out, err := c.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(id)})
			if errorCode(err) == "DBInstanceNotFound" {
				return "", problem("the database is gone: restore it from its latest snapshot before any `hubctl up`, "+
					"which would otherwise create an empty one", nil, "RDS instance %s does not exist", id)
			}
			if err != nil {
				return "", fmt.Errorf("describe RDS instance %s: %w", id, err)
			}
			if len(out.DBInstances) == 0 {
				return "", problem("the database is gone: restore it from its latest snapshot", nil, "RDS instance %s does not exist", id)
			}
			db := out.DBInstances[0]
			status := aws.ToString(db.DBInstanceStatus)
			if !slices.Contains(usableStatuses, status) {
				return "", problem(dbStatusFix(status, id), nil, "RDS instance %s is %s", id, status)
			}
			detail := fmt.Sprintf("%s %s (%s %s, %s", id, status, aws.ToString(db.Engine), aws.ToString(db.EngineVersion), aws.ToString(db.DBInstanceClass))
			if aws.ToBool(db.MultiAZ) {
				detail += ", multi-AZ"
			}
			return detail + ")", nil
		},
	}
}

func dbStatusFix(status, id string) string {
	switch {
	case status == "stopped":
		return fmt.Sprintf("start it: aws rds start-db-instance --db-instance-identifier %s (RDS starts stopped instances by itself after 7 days)", id)
	case status == "storage-full":
		return "raise allocatedStorageGb/maxAllocatedStorageGb in the stack config and run `hubctl up`"
	case strings.HasPrefix(status, "incompatible") || status == "inaccessible-encryption-credentials":
		return "read the instance's recent events (aws rds describe-events --source-type db-instance); the KMS key or parameter group is likely at fault"
	case status == "failed":
		return "restore the database from its latest snapshot; read its events first"
	default:
		return "wait for RDS to finish (starting, rebooting, upgrading, creating) and run status again"
	}
}

// DB is a database connection the query check uses; *pgx.Conn and *dbtunnel.Conn satisfy it.
type DB interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Close(ctx context.Context) error
}

// Connector opens a connection to the hub database (through the SSM tunnel, or directly in tests).
type Connector func(ctx context.Context) (DB, error)

// HubTables are the tables flip-api creates at start that the registrar needs.
var HubTables = []string{"trust", "fl_kit_slot", "trusts_audit"}

// DBQueryTimeout bounds the database-query check: opening the SSM session alone takes seconds.
const DBQueryTimeout = 90 * time.Second

// DBQuery checks that the database answers SELECT 1 over the connection connect opens, and that
// flip-api has created its tables.
func DBQuery(connect Connector) Check {
	return &Func{
		CheckName: "database-query",
		Timeout:   DBQueryTimeout,
		Fix: "the connection goes through an SSM session on the hub host: fix the instance check first, make sure " +
			"the AWS CLI and session-manager-plugin are installed here (or pass --dsn), and that the hub host's " +
			"security group may reach RDS on its port",
		Fn: func(ctx context.Context) (string, error) {
			db, err := connect(ctx)
			if err != nil {
				return "", fmt.Errorf("connect: %w", err)
			}
			defer func() { _ = db.Close(context.WithoutCancel(ctx)) }()
			var (
				one     int
				version string
			)
			if err := db.QueryRow(ctx, `SELECT 1, current_setting('server_version')`).Scan(&one, &version); err != nil {
				return "", fmt.Errorf("select 1: %w", err)
			}
			var missing []string
			for _, t := range HubTables {
				var exists bool
				if err := db.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, "public."+t).Scan(&exists); err != nil {
					return "", fmt.Errorf("look for table %s: %w", t, err)
				}
				if !exists {
					missing = append(missing, t)
				}
			}
			if len(missing) > 0 {
				return "", problem("flip-api creates its tables when it starts: check the containers check, then restart "+
					"flip-api (hubctl host run … docker compose restart flip-api) and run status again", nil,
					"SELECT 1 answered (PostgreSQL %s) but table(s) %s are missing", version, strings.Join(missing, ", "))
			}
			return fmt.Sprintf("SELECT 1 answered (PostgreSQL %s); tables %s present", version, strings.Join(HubTables, ", ")), nil
		},
	}
}
