package main

import (
	"io"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/londonaicentre/flip-hub/hub"
	"github.com/londonaicentre/flip-hub/internal/dbtunnel"
	"github.com/londonaicentre/flip-hub/internal/deployed"
	"github.com/londonaicentre/flip-hub/internal/plan"
	"github.com/londonaicentre/flip-hub/internal/release"
	"github.com/londonaicentre/flip-hub/trusts"
)

// envCAFile is a PEM bundle to verify the database certificate with (such as the RDS bundle).
const envCAFile = "FLIP_DB_CA_FILE"

// stackFlags name a command's stack and its state (registerRelease for releases, registerRead for reads).
type stackFlags struct {
	stack, backend, pulumiRoot string
	events                     bool // the engine's JSON event stream; message: the update's (release commands)
	message                    string
	outputsFile, region        string // reads only
	verbose                    bool
}

// common adds --stack (completed from the stack files in --dir), --backend and --pulumi-root.
func (f *stackFlags) common(cmd *cobra.Command, fs *pflag.FlagSet, required bool) {
	fs.StringVarP(&f.stack, "stack", "s", "", "stack (stag or prod); its config is Pulumi.<stack>.yaml")
	fs.StringVar(&f.backend, "backend", "", "state backend URL (default: PULUMI_BACKEND_URL or the CLI's login)")
	fs.StringVar(&f.pulumiRoot, "pulumi-root", os.Getenv("HUBCTL_PULUMI_ROOT"), "directory whose bin/pulumi to use (default: pulumi on PATH)")
	_ = cmd.RegisterFlagCompletionFunc("stack", func(c *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
		dir, _ := c.Flags().GetString("dir")
		return plan.StackNames(dir), cobra.ShellCompDirectiveNoFileComp
	})
	if required {
		_ = cmd.MarkFlagRequired("stack")
	}
}

// registerRelease adds the common flags (--stack required) and --events.
func (f *stackFlags) registerRelease(cmd *cobra.Command) {
	f.common(cmd, cmd.Flags(), true)
	cmd.Flags().BoolVar(&f.events, "events", false, "print one JSON engine event per line instead of progress")
	cmd.Flags().StringVarP(&f.message, "message", "m", "", "the update's message in the stack history (default: the checked-out commit's title)")
	// --json meant the event stream before `--json` came to mean one report object everywhere.
	cmd.Flags().BoolVar(&f.events, "json", false, "")
	_ = cmd.Flags().MarkDeprecated("json", "use --events for the engine's JSON event stream")
}

// registerRead adds the flags of a command that reads a deployed stack's outputs.
func (f *stackFlags) registerRead(cmd *cobra.Command, fs *pflag.FlagSet, required bool) {
	f.common(cmd, fs, required)
	fs.StringVar(&f.outputsFile, "outputs-file", "", "read the stack outputs from this JSON file (`hubctl outputs --show-secrets` prints it) instead of the state backend")
	fs.StringVar(&f.region, "region", "", "AWS region (default: the stack output region)")
	fs.BoolVar(&f.verbose, "verbose", false, "show the Pulumi engine's and SSM sessions' own output on stderr")
}

// open opens the stack for the Automation API; existing refuses to create it (all but preview and up).
func (f *stackFlags) open(cmd *cobra.Command, existing bool) (*release.Stack, error) {
	dir, _ := cmd.Flags().GetString("dir")
	return release.Open(cmd.Context(), release.Options{
		Stack: f.stack, Dir: dir, Program: hub.Program, Backend: f.backend, PulumiRoot: f.pulumiRoot,
		Out: cmd.OutOrStdout(), Err: cmd.ErrOrStderr(), JSON: f.events, Message: f.message, Existing: existing,
	})
}

// load reads the deployed stack's outputs (secret ones with their values only when secrets).
func (f *stackFlags) load(cmd *cobra.Command, secrets bool) (*deployed.Hub, error) {
	dir, _ := cmd.Flags().GetString("dir")
	return deployed.Load(cmd.Context(), deployed.Options{
		Stack: f.stack, Dir: dir, Backend: f.backend, PulumiRoot: f.pulumiRoot, OutputsFile: f.outputsFile,
		Region: f.region, Secrets: secrets, Progress: f.log(cmd),
	})
}

// log is where the engine's and the sessions' own output goes: stderr with --verbose.
func (f *stackFlags) log(cmd *cobra.Command) io.Writer {
	if f.verbose {
		return cmd.ErrOrStderr()
	}
	return nil
}

// dbFlags say how to reach the hub database.
type dbFlags struct{ s dbtunnel.Settings }

// register adds --dsn, --db-tls, --db-ca-file, --aws-cli; with parts the tunnel's own settings too.
func (d *dbFlags) register(fs *pflag.FlagSet, parts bool) {
	// Environment defaults resolve at run time, so --help never prints one (a DSN holds a password).
	fs.StringVar(&d.s.DSN, "dsn", "", "connect with this PostgreSQL connection string instead of the SSM tunnel (env "+trusts.EnvDSN+" when no --stack is given)")
	fs.StringVar(&d.s.TLS, "db-tls", "", "require (encrypt) or verify-full (also check the certificate names the RDS endpoint); default verify-full with --db-ca-file, else require")
	fs.StringVar(&d.s.CAFile, "db-ca-file", "", "PEM bundle to verify the database certificate with, such as the RDS global bundle (env "+envCAFile+")")
	fs.StringVar(&d.s.AWSCLI, "aws-cli", dbtunnel.DefaultAWSCLI, "aws command that starts the SSM session (needs the session-manager-plugin)")
	if !parts {
		return
	}
	fs.StringVar(&d.s.InstanceID, "instance", "", "hub host instance id, the SSM target (env "+trusts.EnvInstanceID+"; stack output hubInstanceId)")
	fs.StringVar(&d.s.DBHost, "db-host", "", "RDS endpoint address (env "+trusts.EnvDBHost+"; stack output dbAddress)")
	fs.IntVar(&d.s.DBPort, "db-port", 0, "RDS port (env "+trusts.EnvDBPort+"; default 5432)")
	fs.StringVar(&d.s.DBName, "db-name", "", "hub database name (env "+trusts.EnvDBName+"; stack output dbName)")
	fs.StringVar(&d.s.SecretARN, "db-secret-arn", "", "RDS-managed master user secret (env "+trusts.EnvDBSecretARN+"; stack output dbMasterSecretArn)")
}

// dbSources: each database setting's flag, then the environment the register commands get.
var dbSources = dbtunnel.Sources{
	DSN: dbtunnel.Source{Flag: "--dsn", Env: []string{trusts.EnvDSN}}, CAFile: dbtunnel.Source{Flag: "--db-ca-file", Env: []string{envCAFile}},
	InstanceID: dbtunnel.Source{Flag: "--instance", Env: []string{trusts.EnvInstanceID}},
	DBHost:     dbtunnel.Source{Flag: "--db-host", Env: []string{trusts.EnvDBHost}},
	DBPort:     dbtunnel.Source{Flag: "--db-port", Env: []string{trusts.EnvDBPort}},
	DBName:     dbtunnel.Source{Flag: "--db-name", Env: []string{trusts.EnvDBName}},
	SecretARN:  dbtunnel.Source{Flag: "--db-secret-arn", Env: []string{trusts.EnvDBSecretARN}},
	Region:     dbtunnel.Source{Flag: "--region", Env: []string{trusts.EnvAWSRegion, "AWS_REGION"}},
}

// settings resolves the connection: flags, then the stack's outputs (h), then the environment; a DSN
// comes from the environment only without a stack and when envDSN allows (never destructive commands).
func (d *dbFlags) settings(h *deployed.Hub, region string, envDSN bool, log io.Writer) (dbtunnel.Settings, error) {
	s := d.s
	s.Log = log
	if region != "" {
		s.Region = region
	}
	if h != nil {
		h.FillDB(&s)
		envDSN = false
	}
	return s, s.FillFromEnv(dbSources, envDSN)
}
