package status

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/londonaicentre/flip-hub/hub"
	"github.com/londonaicentre/flip-hub/internal/deploy"
	"github.com/londonaicentre/flip-hub/internal/deployed"
	"github.com/londonaicentre/flip-hub/internal/outcome"
	"github.com/londonaicentre/flip-hub/internal/ssmrun"
)

// CheckNames are the names `hubctl status --skip` takes: each names a group of checks.
var CheckNames = []string{"outputs", "drift", "instance", "database", "database-query", "secrets", "https",
	"certificate", "fl-endpoint", "fl-apps", "containers", "os-updates", "host-resources", "buckets", "user-pool",
	"network", "logs", "trusts"}

// Settings tune the checks of one hub.
type Settings struct {
	// Skip names the check groups not to run (each one of CheckNames).
	Skip []string
	// Timeout bounds each check; DriftTimeout the drift check (a refresh preview).
	Timeout, DriftTimeout time.Duration
	// LogWindow: a log group is healthy when it received an event this recently.
	LogWindow time.Duration
	// CertDays: the certificate must stay valid this many more days.
	CertDays int
}

// Validate checks the settings: known check names, positive durations. Its errors are usage errors.
func (s Settings) Validate() error {
	for _, n := range s.Skip {
		if !slices.Contains(CheckNames, n) {
			return outcome.Errorf(outcome.Usage, "--skip %s: no such check; want one of %s", n, strings.Join(CheckNames, ", "))
		}
	}
	if s.Timeout <= 0 || s.DriftTimeout <= 0 || s.LogWindow <= 0 || s.CertDays < 0 {
		return outcome.Errorf(outcome.Usage, "--timeout, --drift-timeout and --log-window must be positive, --min-cert-days not negative")
	}
	return nil
}

// HubChecks builds every check of a deployed hub from its outputs. A check whose outputs are
// missing fails without running and says so; connect opens the hub database.
//
// They cover the stack outputs, drift, the hub instance (running and Online in SSM), RDS (available
// and answering SELECT 1), the secrets (readable and well-formed), HTTPS on the hub domain and a
// certificate not about to expire, the FL endpoint accepting TCP, the FL base application, the
// containers, OS updates, host resources, the buckets, the user pool, the network, and the log
// groups receiving events.
func HubChecks(h *deployed.Hub, set Settings, connect Connector) []Check {
	var checks []Check
	add := func(group string, c Check) {
		if slices.Contains(set.Skip, group) {
			c = Skip(c.Name(), "skipped with --skip "+group)
		}
		checks = append(checks, WithTimeout(c, set.Timeout))
	}
	// need adds a failing check when any output is missing and reports whether all are there.
	need := func(group, name string, fields ...any) bool {
		var missing []string
		for _, field := range fields {
			if !h.Out.Has(field) {
				missing = append(missing, hub.OutputKey(field))
			}
		}
		if len(missing) == 0 {
			return true
		}
		add(group, Fail(name, "stack output(s) "+strings.Join(missing, ", ")+" missing",
			"deploy the stack (`hubctl up`); the output appears once its layer exists"))
		return false
	}
	o := h.Out

	add("outputs", Outputs(h.Raw, deployed.RequiredOutputs()))
	if h.Stack == nil {
		add("drift", Skip("drift", "outputs read from --outputs-file: no stack to refresh"))
	} else {
		add("drift", Drift(h.Name, driftFunc(h.Stack.Refresh), set.DriftTimeout))
	}

	ssmc := ssm.NewFromConfig(h.AWS)
	if need("instance", "instance", &hub.Out.HubInstanceID) {
		add("instance", Instance(ec2.NewFromConfig(h.AWS), ssmc, o.HubInstanceID))
	}
	if need("database", "database", &hub.Out.DBInstanceID) {
		add("database", DBInstance(rds.NewFromConfig(h.AWS), o.DBInstanceID))
	}
	if need("database-query", "database-query", &hub.Out.HubInstanceID, &hub.Out.DBAddress, &hub.Out.DBPort, &hub.Out.DBName, &hub.Out.DBMasterSecretARN) {
		add("database-query", DBQuery(connect))
	}
	sm := secretsmanager.NewFromConfig(h.AWS)
	if need("secrets", "secret flip-api", &hub.Out.FlipAPISecretARN) {
		add("secrets", Secret(sm, SecretSpec{Label: "flip-api", ID: o.FlipAPISecretARN, Keys: FlipAPISecretKeys, Validate: ValidateFlipAPISecret}))
	}
	if need("secrets", "secret db-master", &hub.Out.DBMasterSecretARN) {
		add("secrets", Secret(sm, SecretSpec{Label: "db-master", ID: o.DBMasterSecretARN, Keys: DBMasterSecretKeys}))
	}

	client := &http.Client{}
	if need("https", "https /", &hub.Out.Domain) {
		base := "https://" + o.Domain
		add("https", HTTPStatus(client, "https /", base+"/", http.StatusOK,
			"CloudFront serves the UI from the UI bucket: deploy it with `hubctl deploy-ui` if the bucket is empty, "+
				"and check the domain's DNS points at the distribution (stack output distributionDomainName)"))
		add("https", HTTPStatus(client, "https /api/health", base+deploy.HealthPath, http.StatusOK,
			"/api goes CloudFront → VPC origin → internal ALB → flip-api on the hub host: check the containers check, "+
				"the ALB target group health (stack output apiTargetGroupArn) and flip-api's logs"))
		add("certificate", Certificate(client, base+"/", time.Duration(set.CertDays)*24*time.Hour, nil))
	}
	if need("fl-endpoint", "fl-endpoint", &hub.Out.FLEndpoint) {
		add("fl-endpoint", TCP(&net.Dialer{}, "fl-endpoint", o.FLEndpoint,
			"the FL load balancer admits only the trusts' egress CIDRs: from anywhere else this check cannot connect "+
				"(--skip fl-endpoint, or run it from an allowed network); otherwise check the FL target group health "+
				"(stack output flTargetGroupArn) and the fl-server container"))
	}
	if need("fl-apps", "fl base application", &hub.Out.FLBackend) {
		if b := o.BucketNames[deploy.BucketAppBundles]; b == "" {
			add("fl-apps", Fail("fl base application", "stack output bucketNames lacks "+deploy.BucketAppBundles,
				"deploy the stack with this release (`hubctl up`)"))
		} else {
			add("fl-apps", BaseApplication(h.S3(), b, o.FLBackend, h.Name))
		}
	}
	// One SSM runner for the read-only commands on the host.
	runner := &ssmrun.Runner{API: ssmc, Poll: 2 * time.Second, PingTimeout: 15 * time.Second, Timeout: time.Minute}
	if need("containers", "containers", &hub.Out.HubInstanceID) {
		add("containers", Containers(runner, o.HubInstanceID, []string{deploy.ServiceFlipAPI, deploy.ServiceFLAPI, deploy.ServiceFLServer}))
	}
	if need("os-updates", "os updates", &hub.Out.HubInstanceID) {
		add("os-updates", OSUpdateStatus(runner, o.HubInstanceID))
	}
	if need("host-resources", "host resources", &hub.Out.HubInstanceID) {
		add("host-resources", HostResources(runner, o.HubInstanceID))
	}
	if need("buckets", "buckets", &hub.Out.BucketNames) {
		add("buckets", Buckets(h.S3(), o.BucketNames))
	}
	if need("user-pool", "user pool", &hub.Out.UserPoolID, &hub.Out.UserPoolClientID) {
		add("user-pool", UserPool(cognitoidentityprovider.NewFromConfig(h.AWS), o.UserPoolID, o.UserPoolClientID))
	}
	if need("network", "network", &hub.Out.VPCID, &hub.Out.PrivateSubnetIDs, &hub.Out.PublicSubnetIDs) {
		add("network", Network(ec2.NewFromConfig(h.AWS), o.VPCID, append(slices.Clone(o.PrivateSubnetIDs), o.PublicSubnetIDs...)))
	}
	if need("logs", "logs", &hub.Out.HubLogGroupNames) {
		logs := cloudwatchlogs.NewFromConfig(h.AWS)
		for _, g := range o.HubLogGroupNames {
			window := set.LogWindow
			if strings.HasSuffix(g, "deploy") {
				window = 0 // written only by deploys: existence is all that can be expected
			}
			add("logs", LogGroup(logs, g, window, nil))
		}
		if g := o.FlowLogGroupName; g != "" {
			add("logs", LogGroup(logs, g, set.LogWindow, nil))
		}
	}
	// Each AWS-hosted trust, as upstream's status checks its trust EC2 and its log group.
	for _, t := range TrustHosts(o) {
		for _, c := range TrustChecks(t, ec2.NewFromConfig(h.AWS), ssmc, runner) {
			add("trusts", c)
		}
		for _, g := range t.LogGroups {
			window := set.LogWindow
			if strings.HasSuffix(g, "deploy") {
				window = 0 // written only by deploys
			}
			add("trusts", Renamed("trust "+t.Code+" log-group "+g, LogGroup(cloudwatchlogs.NewFromConfig(h.AWS), g, window, nil)))
		}
	}
	return checks
}

// driftFunc turns a release refresh into the drift check's function: a refresh preview, whose
// ChangesPending outcome is drift.
func driftFunc(refresh func(ctx context.Context, expectNoChanges bool) error) func(context.Context) error {
	return func(ctx context.Context) error {
		err := refresh(ctx, true)
		if outcome.CodeOf(err) == outcome.ChangesPending {
			return fmt.Errorf("%w: %w", ErrDrift, err)
		}
		return err
	}
}
