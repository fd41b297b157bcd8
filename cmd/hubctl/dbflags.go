package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/jackc/pgx/v5"
	"github.com/spf13/cobra"

	"github.com/londonaicentre/flip-hub/internal/dbtunnel"
	"github.com/londonaicentre/flip-hub/internal/registrar"
	"github.com/londonaicentre/flip-hub/internal/release"
)

// dbFlagsDay2 say how the day-2 commands reach the hub database.
type dbFlagsDay2 struct {
	// explicitOnly: a destructive command takes a DSN from --dsn only, never from the environment.
	explicitOnly bool
	dsn          string
	tlsMode      string
	caFile       string
	awsCLI       string
}

func (d *dbFlagsDay2) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&d.dsn, "dsn", "", "connect to the hub database with this connection string instead of the SSM tunnel (env "+envDSN+")")
	fl.StringVar(&d.tlsMode, "db-tls", "", "require or verify-full; default verify-full with --db-ca-file, else require")
	fl.StringVar(&d.caFile, "db-ca-file", "", "PEM bundle to verify the database certificate with (env "+envCAFile+")")
	fl.StringVar(&d.awsCLI, "aws-cli", dbtunnel.DefaultAWSCLI, "aws command that starts SSM sessions (needs the session-manager-plugin)")
}

// tunnelled is a connection through an SSM session; Close ends both.
type tunnelled interface {
	registrar.DB
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Close(ctx context.Context) error
}

// connector returns how to open a hub database connection: the DSN when given, else the SSM tunnel
// through the hub host with the master password read from its secret.
// target says where a connection goes: the stack's database through the SSM tunnel, or the
// database and host of an explicit --dsn (never its password).
func (d *dbFlagsDay2) target(s *day2Stack) (string, error) {
	if d.dsn == "" {
		return fmt.Sprintf("database %s at %s, through the SSM tunnel", s.o.DBName, s.o.DBAddress), nil
	}
	cfg, err := pgx.ParseConfig(d.dsn)
	if err != nil {
		return "", withCode(exitUsage, errors.New("--dsn is not a PostgreSQL connection string (its value is not shown)"))
	}
	// The server must be the stack's: its RDS endpoint, or this machine (a tunnel to it).
	if cfg.Host != s.o.DBAddress && !loopback(cfg.Host) {
		return "", withCode(int(release.Refused), fmt.Errorf("--dsn reaches %s, which is neither the stack's database (%s) "+
			"nor a local tunnel to it; refusing a destructive command on another server", cfg.Host, s.o.DBAddress))
	}
	return fmt.Sprintf("database %s at %s:%d, from --dsn", cfg.Database, cfg.Host, cfg.Port), nil
}

// loopback reports whether host is this machine: a tunnel's local end.
func loopback(host string) bool {
	if host == "localhost" || strings.HasPrefix(host, "/") { // a Unix socket is local too
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

func (d *dbFlagsDay2) connector(s *day2Stack, log io.Writer) (func(ctx context.Context) (tunnelled, error), error) {
	dsn := d.dsn
	if dsn == "" && !d.explicitOnly {
		dsn = os.Getenv(envDSN)
	}
	if dsn != "" {
		cfg, err := pgx.ParseConfig(dsn)
		if err != nil {
			return nil, withCode(exitUsage, errors.New("--dsn / "+envDSN+" is not a PostgreSQL connection string (its value is not shown)"))
		}
		return func(ctx context.Context) (tunnelled, error) { return pgx.ConnectConfig(ctx, cfg.Copy()) }, nil
	}
	caFile := d.caFile
	if caFile == "" {
		caFile = os.Getenv(envCAFile)
	}
	mode := dbtunnel.TLSRequire
	if caFile != "" {
		mode = dbtunnel.TLSVerifyFull
	}
	if d.tlsMode != "" {
		m, err := dbtunnel.ParseTLSMode(d.tlsMode)
		if err != nil {
			return nil, withCode(exitUsage, fmt.Errorf("--db-tls: %w", err))
		}
		mode = m
	}
	o := dbtunnel.Options{
		InstanceID: s.o.HubInstanceID, DBHost: s.o.DBAddress, DBPort: s.o.DBPort, DBName: s.o.DBName,
		SecretARN: s.o.DBMasterSecretARN, Region: s.region, TLS: mode, CAFile: caFile,
		Secrets: secretsmanager.NewFromConfig(s.aws), Terminator: ssm.NewFromConfig(s.aws), AWSCLI: d.awsCLI, Log: log,
	}
	return func(ctx context.Context) (tunnelled, error) { return dbtunnel.Connect(ctx, o) }, nil
}
