package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/spf13/cobra"

	"github.com/londonaicentre/flip-hub/hub"
	"github.com/londonaicentre/flip-hub/internal/deploy"
	"github.com/londonaicentre/flip-hub/internal/release"
	"github.com/londonaicentre/flip-hub/internal/ssmrun"
	"github.com/londonaicentre/flip-hub/internal/status"
)

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
	"certificate", "fl-endpoint", "containers", "os-updates", "host-resources", "buckets", "user-pool", "network", "logs"}

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
	// One SSM runner for the read-only commands on the host.
	runner := &ssmrun.Runner{API: ssmc, Poll: 2 * time.Second, PingTimeout: 15 * time.Second, Timeout: time.Minute}
	if need("containers", "containers", &hub.Out.HubInstanceID) {
		add("containers", status.Containers(runner, s.o.HubInstanceID,
			[]string{deploy.ServiceFlipAPI, deploy.ServiceFLAPI, deploy.ServiceFLServer}))
	}
	if need("os-updates", "os updates", &hub.Out.HubInstanceID) {
		add("os-updates", status.OSUpdateStatus(runner, s.o.HubInstanceID))
	}
	if need("host-resources", "host resources", &hub.Out.HubInstanceID) {
		add("host-resources", status.HostResources(runner, s.o.HubInstanceID))
	}
	if need("buckets", "buckets", &hub.Out.BucketNames) {
		add("buckets", status.Buckets(s.s3Client(), s.o.BucketNames))
	}
	if need("user-pool", "user pool", &hub.Out.UserPoolID, &hub.Out.UserPoolClientID) {
		add("user-pool", status.UserPool(cognitoidentityprovider.NewFromConfig(s.aws), s.o.UserPoolID, s.o.UserPoolClientID))
	}
	if need("network", "network", &hub.Out.VPCID, &hub.Out.PrivateSubnetIDs, &hub.Out.PublicSubnetIDs) {
		add("network", status.Network(ec2.NewFromConfig(s.aws), s.o.VPCID, append(append([]string{}, s.o.PrivateSubnetIDs...), s.o.PublicSubnetIDs...)))
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
