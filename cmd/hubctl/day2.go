package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/jackc/pgx/v5"
	"github.com/spf13/cobra"

	"github.com/londonaicentre/flip-hub/config"
	"github.com/londonaicentre/flip-hub/hub"
	"github.com/londonaicentre/flip-hub/internal/dbtunnel"
	"github.com/londonaicentre/flip-hub/internal/deploy"
	"github.com/londonaicentre/flip-hub/internal/forward"
	"github.com/londonaicentre/flip-hub/internal/plan"
	"github.com/londonaicentre/flip-hub/internal/registrar"
	"github.com/londonaicentre/flip-hub/internal/release"
	"github.com/londonaicentre/flip-hub/internal/schemareset"
	"github.com/londonaicentre/flip-hub/internal/ssmrun"
	"github.com/londonaicentre/flip-hub/internal/status"
	"github.com/londonaicentre/flip-hub/internal/uideploy"
	"github.com/londonaicentre/flip-hub/trusts"
)

// Day-2 operations: status, deploy-ui, db reset-schema and forward. Each reads the stack outputs
// (through the Automation API, or from --outputs-file as `hubctl outputs --show-secrets` prints
// them) and talks to AWS with the default credential chain in the stack's region; AWS_ENDPOINT_URL
// and the per-service AWS_ENDPOINT_URL_<SERVICE> variables point the clients elsewhere (tests).

// day2Flags are the flags the day-2 commands share.
type day2Flags struct {
	stack       string
	backend     string
	pulumiRoot  string
	outputsFile string
	region      string
	verbose     bool
}

func (f *day2Flags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVarP(&f.stack, "stack", "s", "", "stack (stag or prod); its config is Pulumi.<stack>.yaml")
	fl.StringVar(&f.backend, "backend", "", "state backend URL (default: PULUMI_BACKEND_URL or the CLI's login)")
	fl.StringVar(&f.pulumiRoot, "pulumi-root", os.Getenv("HUBCTL_PULUMI_ROOT"), "directory whose bin/pulumi to use (default: pulumi on PATH)")
	fl.StringVar(&f.outputsFile, "outputs-file", "", "read the stack outputs from this JSON file (`hubctl outputs --show-secrets` prints it) instead of the state backend")
	fl.StringVar(&f.region, "region", "", "AWS region (default: the stack output region)")
	fl.BoolVar(&f.verbose, "verbose", false, "show the Pulumi engine's and SSM sessions' own output on stderr")
	_ = cmd.MarkFlagRequired("stack")
}

// day2Stack is what a day-2 command knows about its stack.
type day2Stack struct {
	name string
	// st is nil when the outputs came from --outputs-file.
	st   *release.Stack
	outs map[string]any
	// o are the outputs, typed; masked names those read without their secret value.
	o      hub.Outputs
	masked []string
	region string
	aws    aws.Config
}

// load reads the outputs (secret ones shown only with secrets) and the AWS configuration.
func (f *day2Flags) load(cmd *cobra.Command, secrets bool) (*day2Stack, error) {
	ctx := cmd.Context()
	s := &day2Stack{name: f.stack}
	if strings.TrimSpace(f.stack) == "" {
		return nil, withCode(exitUsage, errors.New("--stack is empty"))
	}
	if f.outputsFile != "" {
		b, err := os.ReadFile(f.outputsFile)
		if err != nil {
			return nil, withCode(exitUsage, fmt.Errorf("--outputs-file: %w", err))
		}
		if err := json.Unmarshal(b, &s.outs); err != nil {
			return nil, withCode(exitUsage, fmt.Errorf("--outputs-file %s is not a JSON object of outputs (its content is not shown)", f.outputsFile))
		}
	} else {
		dir, _ := cmd.Flags().GetString("dir")
		progress := io.Discard
		if f.verbose {
			progress = cmd.ErrOrStderr()
		}
		st, err := release.Open(ctx, release.Options{
			Stack: f.stack, Dir: dir, Program: hub.Program, Backend: f.backend, PulumiRoot: f.pulumiRoot,
			Out: progress, Err: progress, Existing: true,
		})
		if err != nil {
			return nil, err
		}
		s.st = st
		if s.outs, err = st.Outputs(ctx, secrets); err != nil {
			return nil, err
		}
	}
	o, masked, err := hub.DecodeOutputs(s.outs, release.Masked)
	if err != nil {
		return nil, withCode(int(release.Failed), err)
	}
	s.o, s.masked = o, masked
	s.region = f.region
	if s.region == "" {
		s.region = s.o.Region
	}
	if s.region == "" {
		return nil, withCode(int(release.Failed), fmt.Errorf("stack %s exports no region (has it been deployed?); pass --region", f.stack))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(s.region))
	if err != nil {
		return nil, fmt.Errorf("aws config: %w", err)
	}
	s.aws = cfg
	return s, nil
}

// requiredOutputs are the outputs every deployed hub has and the checks read.
func requiredOutputs() []string {
	var keys []string
	for _, f := range []any{
		&hub.Out.Region, &hub.Out.Domain, &hub.Out.PublicURL, &hub.Out.APIURL, &hub.Out.UserPoolID, &hub.Out.UserPoolClientID,
		&hub.Out.DBAddress, &hub.Out.DBPort, &hub.Out.DBName, &hub.Out.DBInstanceID, &hub.Out.DBMasterSecretARN,
		&hub.Out.FlipAPISecretARN, &hub.Out.UIBucketName, &hub.Out.DistributionID, &hub.Out.FLEndpoint, &hub.Out.HubInstanceID,
		&hub.Out.HubLogGroupNames,
	} {
		keys = append(keys, hub.OutputKey(f))
	}
	return keys
}

// isMasked reports whether an output was read masked (a secret without its value).
func (s *day2Stack) isMasked(field any) bool { return slices.Contains(s.masked, hub.OutputKey(field)) }

// prod reports whether the stack is a production hub by any account: its name, its config, its
// environment output.
func (s *day2Stack) prod(ctx context.Context) (bool, error) {
	if config.IsProd(s.name, s.o.Environment) {
		return true, nil
	}
	if s.st != nil {
		return s.st.IsProd(ctx)
	}
	return false, nil
}

// s3Client is path-style when an endpoint override is set (moto and other S3 stand-ins).
func (s *day2Stack) s3Client() *s3.Client {
	pathStyle := os.Getenv("AWS_ENDPOINT_URL") != "" || os.Getenv("AWS_ENDPOINT_URL_S3") != ""
	return s3.NewFromConfig(s.aws, func(o *s3.Options) { o.UsePathStyle = pathStyle })
}

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

func newStatusCmd() *cobra.Command {
	var (
		f            day2Flags
		db           dbFlagsDay2
		asJSON       bool
		skip         []string
		timeout      time.Duration
		driftTimeout time.Duration
		logWindow    time.Duration
		certDays     int
	)
	cmd := &cobra.Command{
		Use:   "status --stack S",
		Short: "Check the hub end to end: outputs, drift, host, database, secrets, HTTPS, FL endpoint, containers, logs",
		Long: "Runs every check concurrently, each under its own timeout, and prints one report: a table\n" +
			"(with what to do about each failure) or, with --json, one JSON object. Exit code 0 when every\n" +
			"check passed or was skipped, 1 when any failed, 2 for a bad command line.\n\n" +
			"Checks: outputs, drift, instance, database, database-query, secrets, https, certificate,\n" +
			"fl-endpoint, containers, logs. Skip any with --skip NAME. The database is reached through an\n" +
			"SSM session (AWS CLI and session-manager-plugin needed) or --dsn. The FL endpoint only admits\n" +
			"the trusts' egress CIDRs: from elsewhere, skip it.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runStatus(cmd, f, db, statusSettings{asJSON, skip, timeout, driftTimeout, logWindow, certDays})
		},
	}
	f.register(cmd)
	db.register(cmd)
	fl := cmd.Flags()
	fl.BoolVar(&asJSON, "json", false, "print the report as JSON")
	fl.StringArrayVar(&skip, "skip", nil, "skip a check: "+strings.Join(statusCheckNames, ", ")+" (repeatable)")
	fl.DurationVar(&timeout, "timeout", status.DefaultTimeout, "timeout of each check (drift, database-query, containers and os-updates have their own)")
	fl.DurationVar(&driftTimeout, "drift-timeout", status.DriftTimeout, "timeout of the drift check (a refresh preview of every resource)")
	fl.DurationVar(&logWindow, "log-window", status.DefaultLogWindow, "a log group is healthy when it received an event this recently")
	fl.IntVar(&certDays, "min-cert-days", int(status.MinCertValidity.Hours()/24), "the certificate must stay valid this many more days")
	return cmd
}

var statusCheckNames = []string{"outputs", "drift", "instance", "database", "database-query", "secrets", "https",
	"certificate", "fl-endpoint", "containers", "os-updates", "logs"}

type statusSettings struct {
	asJSON       bool
	skip         []string
	timeout      time.Duration
	driftTimeout time.Duration
	logWindow    time.Duration
	certDays     int
}

func runStatus(cmd *cobra.Command, f day2Flags, db dbFlagsDay2, set statusSettings) error {
	skipped := map[string]bool{}
	for _, s := range set.skip {
		found := false
		for _, n := range statusCheckNames {
			if s == n {
				found = true
			}
		}
		if !found {
			return withCode(exitUsage, fmt.Errorf("--skip %s: no such check; want one of %s", s, strings.Join(statusCheckNames, ", ")))
		}
		skipped[s] = true
	}
	if set.timeout <= 0 || set.driftTimeout <= 0 || set.logWindow <= 0 || set.certDays < 0 {
		return withCode(exitUsage, errors.New("--timeout, --drift-timeout and --log-window must be positive"))
	}
	s, err := f.load(cmd, false)
	if err != nil {
		return err
	}
	var log io.Writer
	if f.verbose {
		log = cmd.ErrOrStderr()
	}
	connect, err := db.connector(s, log)
	if err != nil {
		return err
	}
	checks := statusChecks(s, skipped, set, connect)
	rep := status.Run(cmd.Context(), s.name, checks)
	out := cmd.OutOrStdout()
	if set.asJSON {
		err = rep.WriteJSON(out)
	} else {
		err = rep.WriteTable(out)
	}
	if err != nil {
		return err
	}
	if _, failed, _ := rep.Counts(); failed > 0 {
		return withCode(int(release.Failed), fmt.Errorf("%d of %d checks of %s failed", failed, len(rep.Results), s.name))
	}
	return nil
}

// statusChecks builds the checks of one hub from its outputs. A check whose outputs are missing
// fails without running and says so.
func statusChecks(s *day2Stack, skipped map[string]bool, set statusSettings, connect func(context.Context) (tunnelled, error)) []status.Check {
	var checks []status.Check
	add := func(group string, c status.Check) {
		if skipped[group] {
			c = status.Skip(c.Name(), "skipped with --skip "+group)
		}
		checks = append(checks, status.WithTimeout(c, set.timeout))
	}
	// need adds a failing check when any output is missing and reports whether all are there.
	need := func(group, name string, fields ...any) bool {
		var missing []string
		for _, field := range fields {
			if !s.o.Has(field) {
				missing = append(missing, hub.OutputKey(field))
			}
		}
		if len(missing) == 0 {
			return true
		}
		add(group, status.Fail(name, "stack output(s) "+strings.Join(missing, ", ")+" missing",
			"deploy the stack (`hubctl up`); the output appears once its layer exists"))
		return false
	}

	add("outputs", status.Outputs(s.outs, requiredOutputs()))
	if s.st == nil {
		add("drift", status.Skip("drift", "outputs read from --outputs-file: no stack to refresh"))
	} else {
		add("drift", status.Drift(s.name, driftFunc(s.st.Refresh), set.driftTimeout))
	}

	ssmc := ssm.NewFromConfig(s.aws)
	if need("instance", "instance", &hub.Out.HubInstanceID) {
		add("instance", status.Instance(ec2.NewFromConfig(s.aws), ssmc, s.o.HubInstanceID))
	}
	if need("database", "database", &hub.Out.DBInstanceID) {
		add("database", status.DBInstance(rds.NewFromConfig(s.aws), s.o.DBInstanceID))
	}
	if need("database-query", "database-query", &hub.Out.HubInstanceID, &hub.Out.DBAddress, &hub.Out.DBPort, &hub.Out.DBName, &hub.Out.DBMasterSecretARN) {
		add("database-query", status.DBQuery(func(ctx context.Context) (status.DB, error) { return connect(ctx) }))
	}
	sm := secretsmanager.NewFromConfig(s.aws)
	if need("secrets", "secret flip-api", &hub.Out.FlipAPISecretARN) {
		add("secrets", status.Secret(sm, status.SecretSpec{Label: "flip-api", ID: s.o.FlipAPISecretARN,
			Keys: status.FlipAPISecretKeys, Validate: status.ValidateFlipAPISecret}))
	}
	if need("secrets", "secret db-master", &hub.Out.DBMasterSecretARN) {
		add("secrets", status.Secret(sm, status.SecretSpec{Label: "db-master", ID: s.o.DBMasterSecretARN, Keys: status.DBMasterSecretKeys}))
	}

	client := &http.Client{}
	if need("https", "https /", &hub.Out.Domain) {
		base := "https://" + s.o.Domain
		add("https", status.HTTPStatus(client, "https /", base+"/", http.StatusOK,
			"CloudFront serves the UI from the UI bucket: deploy it with `hubctl deploy-ui` if the bucket is empty, "+
				"and check the domain's DNS points at the distribution (stack output distributionDomainName)"))
		add("https", status.HTTPStatus(client, "https /api/health", base+deploy.HealthPath, http.StatusOK,
			"/api goes CloudFront → VPC origin → internal ALB → flip-api on the hub host: check the containers check, "+
				"the ALB target group health (stack output apiTargetGroupArn) and flip-api's logs"))
		add("certificate", status.Certificate(client, base+"/", time.Duration(set.certDays)*24*time.Hour, nil))
	}
	if need("fl-endpoint", "fl-endpoint", &hub.Out.FLEndpoint) {
		add("fl-endpoint", status.TCP(&net.Dialer{}, "fl-endpoint", s.o.FLEndpoint,
			"the FL load balancer admits only the trusts' egress CIDRs: from anywhere else this check cannot connect "+
				"(--skip fl-endpoint, or run it from an allowed network); otherwise check the FL target group health "+
				"(stack output flTargetGroupArn) and the fl-server container"))
	}
	if need("fl-apps", "fl base application", &hub.Out.FLBackend) {
		if b := s.o.BucketNames[deploy.BucketAppBundles]; b == "" {
			add("fl-apps", status.Fail("fl base application", "stack output bucketNames lacks "+deploy.BucketAppBundles,
				"deploy the stack with this release (`hubctl up`)"))
		} else {
			add("fl-apps", status.BaseApplication(s.s3Client(), b, s.o.FLBackend, s.name))
		}
	}
	if need("containers", "containers", &hub.Out.HubInstanceID) {
		runner := &ssmrun.Runner{API: ssmc, Poll: 2 * time.Second, PingTimeout: 15 * time.Second, Timeout: time.Minute}
		add("containers", status.Containers(runner, s.o.HubInstanceID,
			[]string{deploy.ServiceFlipAPI, deploy.ServiceFLAPI, deploy.ServiceFLServer}))
	}
	if need("os-updates", "os updates", &hub.Out.HubInstanceID) {
		runner := &ssmrun.Runner{API: ssmc, Poll: 2 * time.Second, PingTimeout: 15 * time.Second, Timeout: time.Minute}
		add("os-updates", status.OSUpdateStatus(runner, s.o.HubInstanceID))
	}
	if need("logs", "logs", &hub.Out.HubLogGroupNames) {
		logs := cloudwatchlogs.NewFromConfig(s.aws)
		for _, g := range s.o.HubLogGroupNames {
			window := set.logWindow
			if strings.HasSuffix(g, "deploy") {
				window = 0 // written only by deploys: existence is all that can be expected
			}
			add("logs", status.LogGroup(logs, g, window, nil))
		}
		if g := s.o.FlowLogGroupName; g != "" {
			add("logs", status.LogGroup(logs, g, set.logWindow, nil))
		}
	}
	return checks
}

// driftFunc turns a release refresh into the drift check's function: a refresh preview, whose
// ChangesPending outcome is drift.
func driftFunc(refresh func(ctx context.Context, expectNoChanges bool) error) func(context.Context) error {
	return func(ctx context.Context) error {
		err := refresh(ctx, true)
		if release.CodeOf(err) == release.ChangesPending {
			return fmt.Errorf("%w: %w", status.ErrDrift, err)
		}
		return err
	}
}

func newDeployUICmd() *cobra.Command {
	var (
		f              day2Flags
		o              uideploy.Options
		releaseVersion string
		keep           []string
	)
	cmd := &cobra.Command{
		Use:   "deploy-ui --stack S --dist DIR",
		Short: "Publish a built flip-ui to the UI bucket and invalidate CloudFront, touching no infrastructure",
		Long: "Syncs DIR (flip-ui's dist) to the stack's UI bucket: new and changed files uploaded with\n" +
			"their Content-Type and Cache-Control (immutable for content-hashed assets, no-cache for\n" +
			"index.html and js/window.js), objects the build no longer has deleted (never outside --prefix\n" +
			"nor under a --keep prefix), js/window.js rendered from the stack outputs, then invalidates /*\n" +
			"and waits for the invalidation to complete.\n\n" +
			"Exit code 0 when published, 1 on failure, 2 for a bad command line, 4 when refused (a missing\n" +
			"or empty DIR, a DIR without index.html, a prefix that reaches outside the UI).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Keep = keep
			return runDeployUI(cmd, f, o, releaseVersion)
		},
	}
	f.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&o.Dir, "dist", "", "the built UI directory (holds index.html)")
	fl.StringVar(&releaseVersion, "release", "", "RELEASE_VERSION in window.js (default: git describe of DIR, else the stack's image tag)")
	fl.StringVar(&o.Prefix, "prefix", "", "key prefix of the UI in the bucket (default: the bucket root)")
	fl.StringArrayVar(&keep, "keep", uideploy.DefaultKeep, "prefix under --prefix that the sync never deletes (repeatable)")
	fl.BoolVar(&o.DryRun, "dry-run", false, "print what would be uploaded and deleted; change nothing")
	fl.DurationVar(&o.InvalidationTimeout, "invalidation-timeout", uideploy.DefaultInvalidationTimeout, "how long to wait for the CloudFront invalidation")
	fl.DurationVar(&o.InvalidationPoll, "invalidation-poll", uideploy.DefaultInvalidationPoll, "first delay between invalidation status calls")
	_ = fl.MarkHidden("invalidation-poll")
	_ = cmd.MarkFlagRequired("dist")
	return cmd
}

func runDeployUI(cmd *cobra.Command, f day2Flags, o uideploy.Options, releaseVersion string) error {
	if strings.TrimSpace(o.Dir) == "" {
		return withCode(int(release.Refused), errors.New("deploy-ui: --dist is empty"))
	}
	s, err := f.load(cmd, false)
	if err != nil {
		return err
	}
	if releaseVersion == "" {
		releaseVersion = defaultRelease(cmd.Context(), o.Dir, s)
	}
	rt, err := uideploy.RuntimeFromOutputs(s.outs, releaseVersion)
	if err != nil {
		return withCode(int(release.Failed), fmt.Errorf("deploy-ui: %w", err))
	}
	o.Runtime, o.Bucket, o.DistributionID = rt, s.o.UIBucketName, s.o.DistributionID
	o.Log = cmd.OutOrStdout()
	res, err := uideploy.Deploy(cmd.Context(), s.s3Client(), cloudfront.NewFromConfig(s.aws), o)
	switch {
	case errors.Is(err, uideploy.ErrRefused):
		return withCode(int(release.Refused), fmt.Errorf("deploy-ui: %w", err))
	case err != nil:
		return withCode(int(release.Failed), fmt.Errorf("deploy-ui: %w", err))
	}
	w := cmd.OutOrStdout()
	verb := "published"
	if o.DryRun {
		verb = "dry run: would publish"
	}
	fmt.Fprintf(w, "%s %s (release %q) to s3://%s/%s: %d uploaded, %d unchanged, %d deleted, %d kept\n",
		verb, o.Dir, releaseVersion, o.Bucket, o.Prefix, len(res.Uploaded), len(res.Unchanged), len(res.Deleted), len(res.Kept))
	if res.InvalidationID != "" {
		fmt.Fprintf(w, "invalidation %s of /* on %s completed\n", res.InvalidationID, o.DistributionID)
	}
	return nil
}

// defaultRelease is a git describe of the UI build's directory, else the stack's image tag.
func defaultRelease(ctx context.Context, dir string, s *day2Stack) string {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "git", "-C", dir, "describe", "--tags", "--always", "--dirty").Output()
	if v := strings.TrimSpace(string(out)); err == nil && v != "" {
		return v
	}
	if tag := s.o.Images["tag"]; tag != "" {
		return tag
	}
	return ""
}

func newDBCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "db",
		Short: "Operate on the hub database",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newResetSchemaCmd())
	return cmd
}

func newResetSchemaCmd() *cobra.Command {
	var (
		f  day2Flags
		db dbFlagsDay2
		o  schemareset.Options
	)
	cmd := &cobra.Command{
		Use:   "reset-schema --stack S",
		Short: "Recreate the hub database schema (guarded: snapshot and confirmation first) and re-register every trust",
		Long: "The documented schema recreation for schema-changing FLIP releases: DROP SCHEMA public\n" +
			"CASCADE; CREATE SCHEMA public; in one transaction through the SSM tunnel, then a restart of\n" +
			"flip-api over SSM, a wait for its tables, and the registration of every trust again.\n\n" +
			"Guards: the stack name typed back at the prompt (or --yes-i-understand S); on prod a manual\n" +
			"RDS snapshot taken first and waited for, or --snapshot ID of one taken within the last hour.\n" +
			"--dry-run says what would happen and changes nothing.\n\n" +
			"Each trust is registered again with its previous id and FL kit slot, so kits stay valid.\n\n" +
			"Exit code 0 when done, 1 on failure, 2 for a bad command line, 4 when a guard refused.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runResetSchema(cmd, f, db, o) },
	}
	f.register(cmd)
	db.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&o.Snapshot, "snapshot", "", "rely on this manual RDS snapshot (taken within the last hour) instead of taking one")
	fl.BoolVar(&o.TakeSnapshot, "take-snapshot", false, "take a snapshot first on a non-production hub too")
	fl.StringVar(&o.Confirm, "yes-i-understand", "", "confirm without the prompt by naming the stack")
	fl.BoolVar(&o.DryRun, "dry-run", false, "say what would be done; change nothing")
	fl.DurationVar(&o.SnapshotTimeout, "snapshot-timeout", schemareset.DefaultSnapshotTimeout, "how long to wait for the snapshot to become available")
	fl.DurationVar(&o.TablesTimeout, "tables-timeout", schemareset.DefaultTablesTimeout, "how long to wait for flip-api to recreate its tables")
	fl.DurationVar(&o.SnapshotPoll, "snapshot-poll", schemareset.DefaultSnapshotPoll, "first delay between snapshot status calls")
	_ = fl.MarkHidden("snapshot-poll")
	return cmd
}

// stackTrust is one trust of the stack, with what the stack last recorded of its registration.
type stackTrust struct {
	trust      registrar.Trust
	oldID      string
	oldSlot    string
	oldSlotNum int
}

// stackTrusts reads the trusts from the stack config (names, regions) and the `trusts` output (key
// hashes and registrations), ordered by their previous slot number so each gets its slot back.
func stackTrusts(dir string, s *day2Stack) ([]stackTrust, config.Environment, error) {
	raw, err := plan.LoadStackConfig(dir, s.name)
	if err != nil {
		return nil, "", withCode(exitUsage, fmt.Errorf("stack config: %w", err))
	}
	cfg, err := config.Parse(s.name, config.MapSource(raw.Values))
	if err != nil {
		return nil, "", withCode(exitUsage, fmt.Errorf("stack config of %s: %w", s.name, err))
	}
	if s.isMasked(&hub.Out.Trusts) {
		return nil, "", withCode(exitUsage, errors.New("the trusts output is masked: the outputs file must come from `hubctl outputs --show-secrets`"))
	}
	var out []stackTrust
	var missing []string
	for _, t := range cfg.Trusts {
		entry := s.o.Trusts[t.Code]
		hash, _ := entry[trusts.KeyAPIKeyHash].(string)
		if hash == "" {
			missing = append(missing, t.Code)
			continue
		}
		st := stackTrust{trust: registrar.Trust{Code: t.Code, Name: t.Name, Region: t.Region, APIKeyHash: hash}}
		st.oldID, _ = entry[trusts.KeyTrustID].(string)
		st.oldSlot, _ = entry[trusts.KeySlotName].(string)
		// Registered again after a reset, the trust keeps its id and slot, so its kit stays true.
		st.trust.ID, st.trust.Slot = st.oldID, st.oldSlot
		switch n := entry[trusts.KeySlotNumber].(type) {
		case float64:
			st.oldSlotNum = int(n)
		case string:
			st.oldSlotNum, _ = strconv.Atoi(n)
		}
		out = append(out, st)
	}
	if len(missing) > 0 {
		return nil, "", withCode(int(release.Failed), fmt.Errorf("trust(s) %s have no key hash in the stack's trusts output: "+
			"run `hubctl up` first so every trust in the config has its keys", strings.Join(missing, ", ")))
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].oldSlotNum, out[j].oldSlotNum
		switch {
		case a > 0 && b > 0:
			return a < b
		default:
			return a > 0 && b == 0
		}
	})
	return out, cfg.Environment, nil
}

func runResetSchema(cmd *cobra.Command, f day2Flags, db dbFlagsDay2, o schemareset.Options) error {
	ctx := cmd.Context()
	s, err := f.load(cmd, true) // the trusts output is secret: it holds the key hashes
	if err != nil {
		return err
	}
	dir, _ := cmd.Flags().GetString("dir")
	ts, env, err := stackTrusts(dir, s)
	if err != nil {
		return err
	}
	prod, err := s.prod(ctx)
	if err != nil {
		return err
	}
	o.Prod = prod || env == config.Prod
	o.Stack, o.DBInstanceID, o.DBName = s.name, s.o.DBInstanceID, s.o.DBName
	db.explicitOnly = true
	o.Target, err = db.target(s)
	if err != nil {
		return err
	}
	o.Prompt, o.Out = cmd.InOrStdin(), cmd.OutOrStdout()
	for _, t := range ts {
		o.Trusts = append(o.Trusts, t.trust)
	}
	var log io.Writer
	if f.verbose {
		log = cmd.ErrOrStderr()
	}
	connect, err := db.connector(s, log)
	if err != nil {
		return err
	}
	instance := s.o.HubInstanceID
	ssmc := ssm.NewFromConfig(s.aws)
	deps := schemareset.Deps{
		RDS:     rds.NewFromConfig(s.aws),
		Connect: func(ctx context.Context) (schemareset.DB, error) { return connect(ctx) },
		RestartAPI: func(ctx context.Context) error {
			if instance == "" {
				return errors.New("stack output hubInstanceId missing")
			}
			r := &ssmrun.Runner{API: ssmc, Timeout: 5 * time.Minute, Out: log}
			_, err := r.Run(ctx, instance, ssmrun.Script(deploy.ComposeCommand("restart "+deploy.ServiceFlipAPI)),
				ssmrun.Options{Comment: "hubctl db reset-schema: restart flip-api", ExecutionTimeout: 5 * time.Minute})
			return err
		},
	}
	res, err := schemareset.Run(ctx, o, deps)
	if errors.Is(err, schemareset.ErrRefused) {
		return withCode(int(release.Refused), fmt.Errorf("db reset-schema: %w", err))
	}
	if err != nil {
		return withCode(int(release.Failed), fmt.Errorf("db reset-schema: %w", err))
	}
	if o.DryRun {
		return nil
	}
	return reportReset(cmd.OutOrStdout(), s.name, ts, res)
}

// reportReset prints each trust's old and new registration, and what the operator must do about
// the changed ids (and any changed slot).
func reportReset(w io.Writer, stack string, ts []stackTrust, res schemareset.Result) error {
	fmt.Fprintf(w, "\nreset of %s done: schema of database %s recreated", stack, res.Database)
	if res.Snapshot != "" {
		fmt.Fprintf(w, " (snapshot %s)", res.Snapshot)
	}
	fmt.Fprintln(w)
	if len(res.Registered) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TRUST\tOLD ID\tNEW ID\tOLD SLOT\tNEW SLOT")
	old := map[string]stackTrust{}
	for _, t := range ts {
		old[t.trust.Code] = t
	}
	var moved []string
	for _, r := range res.Registered {
		o := old[r.Code]
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Code, dashIfEmpty(o.oldID), r.TrustID, dashIfEmpty(o.oldSlot), r.SlotName)
		if (o.oldSlot != "" && o.oldSlot != r.SlotName) || (o.oldID != "" && o.oldID != r.TrustID) {
			moved = append(moved, r.Code)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(moved) > 0 {
		return withCode(int(release.Failed), fmt.Errorf("db reset-schema: trust(s) %s did not get their previous id and FL kit slot back; "+
			"run `hubctl up --stack %s` (the register commands record the new ones), then `hubctl kits --stack %s` and send those trusts their kits",
			strings.Join(moved, ", "), stack, stack))
	}
	fmt.Fprintln(w, "\nEvery trust kept its id and FL kit slot: the stack outputs and the trusts' kits stay valid.")
	return nil
}

func newForwardCmd() *cobra.Command {
	var (
		f     day2Flags
		ports map[string]int
		cli   string
		ready time.Duration
	)
	cmd := &cobra.Command{
		Use:   "forward --stack S [service...]",
		Short: "Forward local ports to the hub's services over SSM (flip-api, fl-server, db) until Ctrl+C",
		Long: "Opens one SSM port-forwarding session per service (all of them by default) and prints the\n" +
			"local URLs: flip-api (the hub host's port 8000) on 127.0.0.1:18000, fl-server (the FL port)\n" +
			"on 127.0.0.1:<port+10000>, and the RDS database, through the hub host, on 127.0.0.1:15432.\n" +
			"Change a local port with --port NAME=PORT (0 picks a free one). Ctrl+C closes every session.\n" +
			"Needs the AWS CLI v2 and the session-manager-plugin.",
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := f.load(cmd, false)
			if err != nil {
				return err
			}
			hubTargets := forward.Hub(forward.HubOptions{
				APIPort: deploy.APIPort, FLPort: flPort(s),
				DBHost: s.o.DBAddress, DBPort: s.o.DBPort, DBName: s.o.DBName, DBSecretARN: s.o.DBMasterSecretARN,
			})
			targets, err := forward.Select(hubTargets, args, ports)
			if err != nil {
				return withCode(exitUsage, err)
			}
			o := forward.Options{InstanceID: s.o.HubInstanceID, Region: s.region, AWSCLI: cli, ReadyTimeout: ready}
			if f.verbose {
				o.Log = cmd.ErrOrStderr()
			}
			if err := forward.Run(cmd.Context(), o, targets, cmd.OutOrStdout()); err != nil {
				return withCode(int(release.Failed), err)
			}
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().StringToIntVar(&ports, "port", nil, "local port of a service, NAME=PORT (repeatable; 0 picks a free port)")
	cmd.Flags().StringVar(&cli, "aws-cli", forward.DefaultAWSCLI, "aws command that starts the sessions (needs the session-manager-plugin)")
	cmd.Flags().DurationVar(&ready, "ready-timeout", forward.DefaultReadyTimeout, "how long each session may take to open its port")
	return cmd
}

// flPort is the FL server's port: the flPort output, else the port of flEndpoint.
func flPort(s *day2Stack) int {
	if p := s.o.FLPort; p > 0 {
		return p
	}
	if _, port, err := net.SplitHostPort(s.o.FLEndpoint); err == nil {
		p, _ := strconv.Atoi(port)
		return p
	}
	return 0
}

func dashIfEmpty(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
