package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/jackc/pgx/v5"
	"github.com/spf13/cobra"

	"github.com/londonaicentre/flip-hub/internal/dbtunnel"
	"github.com/londonaicentre/flip-hub/internal/registrar"
	"github.com/londonaicentre/flip-hub/trusts"
)

// dbFlags say how to reach the hub database.
type dbFlags struct {
	dsn        string
	instance   string
	dbHost     string
	dbPort     int
	dbName     string
	secretARN  string
	awsRegion  string
	tlsMode    string
	caFile     string
	awsCLI     string
	verbose    bool
	timeout    time.Duration
	dropEnvVar string // set by register: the variable holding the hash
	// stack, when set, fills the tunnel's settings from that stack's outputs (read from the
	// backend, or from outputsFile).
	stack, outputsFile, backend, pulumiRoot string
	// explicitDSN: a destructive command takes the DSN from --dsn only.
	explicitDSN bool
}

func (c *dbFlags) register(cmd *cobra.Command) {
	f := cmd.PersistentFlags()
	// Defaults that come from the environment are resolved when the command runs, not here, so
	// --help never prints them (a DSN holds a password).
	f.StringVar(&c.dsn, "dsn", "", "connect directly with this PostgreSQL connection string instead of the SSM tunnel (env "+envDSN+")")
	f.StringVar(&c.instance, "instance", "", "hub host instance id, the SSM target (env "+trusts.EnvInstanceID+"; stack output hubInstanceId)")
	f.StringVar(&c.dbHost, "db-host", "", "RDS endpoint address (env "+trusts.EnvDBHost+"; stack output dbAddress)")
	f.IntVar(&c.dbPort, "db-port", 0, "RDS port (env "+trusts.EnvDBPort+"; default 5432)")
	f.StringVar(&c.dbName, "db-name", "", "hub database name (env "+trusts.EnvDBName+"; stack output dbName)")
	f.StringVar(&c.secretARN, "db-secret-arn", "", "RDS-managed master user secret (env "+trusts.EnvDBSecretARN+"; stack output dbMasterSecretArn)")
	f.StringVar(&c.awsRegion, "aws-region", "", "AWS region of the hub (env "+trusts.EnvAWSRegion+", then AWS_REGION)")
	f.StringVar(&c.tlsMode, "db-tls", "", "require (encrypt) or verify-full (also check the certificate names the RDS endpoint); default verify-full with --db-ca-file, else require")
	f.StringVar(&c.caFile, "db-ca-file", "", "PEM bundle to verify the database certificate with, such as the RDS global bundle (env "+envCAFile+")")
	f.StringVar(&c.awsCLI, "aws-cli", dbtunnel.DefaultAWSCLI, "aws command that starts the SSM session (needs the session-manager-plugin)")
	f.BoolVar(&c.verbose, "verbose", false, "copy the SSM session's own output to stderr")
	f.DurationVar(&c.timeout, "timeout", 10*time.Minute, "give up after this long")
	f.StringVarP(&c.stack, "stack", "s", "", "take the instance, region and database from this stack's outputs (flags still win)")
	f.StringVar(&c.outputsFile, "outputs-file", "", "with --stack: read its outputs from this JSON file instead of the state backend")
	f.StringVar(&c.backend, "backend", "", "with --stack: state backend URL (default: PULUMI_BACKEND_URL or the CLI's login)")
	f.StringVar(&c.pulumiRoot, "pulumi-root", os.Getenv("HUBCTL_PULUMI_ROOT"), "with --stack: directory whose bin/pulumi to use")
}

// fromStack fills the tunnel's unset settings from the stack's outputs, when --stack is given.
func (c *dbFlags) fromStack(cmd *cobra.Command) error {
	if c.stack == "" {
		return nil
	}
	if c.dsn != "" {
		return withCode(exitUsage, errors.New("--stack and --dsn both say where the database is; give one"))
	}
	// The stack decides: a DSN in the environment must not send the command elsewhere.
	c.explicitDSN = true
	f := day2Flags{stack: c.stack, backend: c.backend, pulumiRoot: c.pulumiRoot, outputsFile: c.outputsFile, region: c.awsRegion}
	s, err := f.load(cmd, false)
	if err != nil {
		return err
	}
	set := func(dst *string, v string) {
		if *dst == "" {
			*dst = v
		}
	}
	set(&c.instance, s.o.HubInstanceID)
	set(&c.awsRegion, s.region)
	set(&c.dbHost, s.o.DBAddress)
	set(&c.dbName, s.o.DBName)
	set(&c.secretARN, s.o.DBMasterSecretARN)
	if c.dbPort == 0 {
		c.dbPort = s.o.DBPort
	}
	return nil
}

// fromEnv fills unset settings from the environment.
func (c *dbFlags) fromEnv() error {
	str := func(dst *string, names ...string) {
		for _, n := range names {
			if *dst == "" {
				*dst = os.Getenv(n)
			}
		}
	}
	if !c.explicitDSN {
		str(&c.dsn, envDSN)
	}
	str(&c.instance, trusts.EnvInstanceID)
	str(&c.dbHost, trusts.EnvDBHost)
	str(&c.dbName, trusts.EnvDBName)
	str(&c.secretARN, trusts.EnvDBSecretARN)
	str(&c.awsRegion, trusts.EnvAWSRegion, "AWS_REGION")
	str(&c.caFile, envCAFile)
	if c.dbPort == 0 {
		c.dbPort = 5432
		if v := os.Getenv(trusts.EnvDBPort); v != "" {
			p, err := strconv.Atoi(v)
			if err != nil {
				return withCode(exitUsage, fmt.Errorf("%s=%q is not a port number", trusts.EnvDBPort, v))
			}
			c.dbPort = p
		}
	}
	return nil
}

// dbConn is an open connection and how to close it.
type dbConn struct {
	db    *pgx.Conn
	close func()
}

// connect opens the connection: directly with a DSN, otherwise through an SSM session.
func (c *dbFlags) connect(ctx context.Context, stderr io.Writer) (*dbConn, error) {
	if err := c.fromEnv(); err != nil {
		return nil, err
	}
	if c.dsn != "" {
		cfg, err := pgx.ParseConfig(c.dsn)
		if err != nil {
			// The parser's message can quote the string, password included: not shown.
			return nil, withCode(exitUsage, errors.New("--dsn / "+envDSN+" is not a PostgreSQL connection string (its value is not shown)"))
		}
		conn, err := pgx.ConnectConfig(ctx, cfg)
		if err != nil {
			return nil, fmt.Errorf("connect with --dsn: %w", err)
		}
		return &dbConn{db: conn, close: func() { _ = conn.Close(context.Background()) }}, nil
	}
	var missing []string
	for _, s := range []struct{ v, flag, env string }{
		{c.instance, "--instance", trusts.EnvInstanceID},
		{c.dbHost, "--db-host", trusts.EnvDBHost},
		{c.dbName, "--db-name", trusts.EnvDBName},
		{c.secretARN, "--db-secret-arn", trusts.EnvDBSecretARN},
		{c.awsRegion, "--aws-region", trusts.EnvAWSRegion},
	} {
		if s.v == "" {
			missing = append(missing, s.flag+" ("+s.env+")")
		}
	}
	if len(missing) > 0 {
		return nil, withCode(exitUsage, fmt.Errorf("no database connection: want --dsn, or %s for the SSM tunnel", strings.Join(missing, ", ")))
	}
	mode := dbtunnel.TLSRequire
	if c.caFile != "" {
		mode = dbtunnel.TLSVerifyFull
	}
	if c.tlsMode != "" {
		m, err := dbtunnel.ParseTLSMode(c.tlsMode)
		if err != nil {
			return nil, withCode(exitUsage, fmt.Errorf("--db-tls: %w", err))
		}
		mode = m
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(c.awsRegion))
	if err != nil {
		return nil, fmt.Errorf("aws config: %w", err)
	}
	var log io.Writer
	if c.verbose {
		log = stderr
	}
	drop := []string{trusts.EnvAPIKeyHash}
	if c.dropEnvVar != "" {
		drop = append(drop, c.dropEnvVar)
	}
	conn, err := dbtunnel.Connect(ctx, dbtunnel.Options{
		InstanceID: c.instance,
		DBHost:     c.dbHost,
		DBPort:     c.dbPort,
		DBName:     c.dbName,
		SecretARN:  c.secretARN,
		Region:     c.awsRegion,
		TLS:        mode,
		CAFile:     c.caFile,
		Secrets:    secretsmanager.NewFromConfig(awsCfg),
		Terminator: ssm.NewFromConfig(awsCfg),
		AWSCLI:     c.awsCLI,
		// The session process needs AWS credentials, never the key hash.
		DropEnv: drop,
		Log:     log,
	})
	if err != nil {
		return nil, err
	}
	return &dbConn{db: conn.Conn, close: func() { _ = conn.Close(context.Background()) }}, nil
}

// withDB runs fn with a registrar on the database, bounded by --timeout.
func (c *dbFlags) withDB(cmd *cobra.Command, fn func(ctx context.Context, r *registrar.Registrar) error) error {
	if err := c.fromStack(cmd); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(cmd.Context(), c.timeout)
	defer cancel()
	conn, err := c.connect(ctx, cmd.ErrOrStderr())
	if err != nil {
		return err
	}
	defer conn.close()
	return explain(fn(ctx, registrar.New(conn.db)))
}

// explain adds what an operator should do to the registrar's errors.
func explain(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, registrar.ErrSchemaMissing):
		return fmt.Errorf("flip-api has not created its tables yet — is the hub deployed? (%w)", err)
	case errors.Is(err, registrar.ErrPoolFull):
		return fmt.Errorf("%w; list more slots in flip-hub:fl.kitSlotNames with their FL kits and redeploy the hub, whose flip-api seeds the pool at boot", err)
	case errors.Is(err, registrar.ErrReferenced):
		return fmt.Errorf("%w (hubctl trust deregister --force)", err)
	case errors.Is(err, registrar.ErrInvalidHash):
		return withCode(exitUsage, fmt.Errorf("%w; want the SHA-256 hex digest of the trust API key", err))
	case errors.Is(err, registrar.ErrInvalidCode), errors.Is(err, registrar.ErrInvalidName), errors.Is(err, registrar.ErrInvalidRegion):
		return withCode(exitUsage, err)
	}
	return err
}

// noArgs refuses positional arguments without echoing them: the one thing an operator might
// wrongly pass here is the key hash.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return withCode(exitUsage, fmt.Errorf("%s takes no positional arguments (%d given, not shown); the key hash comes from --hash-env or --hash-stdin", cmd.CommandPath(), len(args)))
	}
	return nil
}
