package compute_test

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-command/sdk/go/command"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/compute"
	"github.com/londonaicentre/flip-hub/internal/deploy"
	"github.com/londonaicentre/flip-hub/internal/plan"
)

const (
	typeInstance   = "aws:ec2/instance:Instance"
	typeAlarm      = "aws:cloudwatch/metricAlarm:MetricAlarm"
	typeAttachment = "aws:lb/targetGroupAttachment:TargetGroupAttachment"
	typeLogGroup   = "aws:cloudwatch/logGroup:LogGroup"
	typeCommand    = "command:local:Command"
	keyARN         = "arn:aws:kms:eu-west-2:111111111111:key/0000-stack"
	apiTG          = "arn:aws:elasticloadbalancing:eu-west-2:111111111111:targetgroup/api/1"
	flTG           = "arn:aws:elasticloadbalancing:eu-west-2:111111111111:targetgroup/fl/2"
)

func secretARN(name string) string {
	return "arn:aws:secretsmanager:eu-west-2:111111111111:secret:" + name + "-AbCdEf"
}

// fixtureArgs is a known-good set of Args; upstream is a stand-in for the layers the host and
// the deploy wait for.
func fixtureArgs(upstream pulumi.Resource) compute.Args {
	buckets := pulumi.StringMap{}
	for _, p := range deploy.BucketPurposes {
		buckets[p] = pulumi.String("flip-test-" + p)
	}
	return compute.Args{
		Prefix: "flip-test", Region: "eu-west-2", AccountID: pulumi.String("123456789012"),
		InstanceType: "t3.large", RootVolumeGB: 50,
		KMSKeyARN:           pulumi.String(keyARN),
		SubnetID:            pulumi.String("subnet-private-a"),
		SecurityGroupID:     pulumi.String("sg-host"),
		InstanceProfileName: pulumi.String("flip-test-hub-host"),
		APITargetGroupARN:   pulumi.String(apiTG),
		FLTargetGroupARN:    pulumi.String(flTG),
		FLPort:              8002,
		LogRetentionDays:    30,
		HostDependsOn:       []pulumi.Resource{upstream},
		DeployDependsOn:     []pulumi.Resource{upstream},
		Deploy: compute.Deploy{
			Backend: deploy.NVFlare,
			Images: deploy.Images{Registry: "ghcr.io/londonaicentre/", Tag: "sha-1a2b3c4",
				FLRegistry: "ghcr.io/londonaicentre/", FLTag: "sha-4c3b2a1"},
			EnforceMFA: true, SESAdminEmail: "admin@example.org", SESSenderEmail: "noreply@example.org",
			KitDate: "2025-06-01", KitSlotNames: []string{"Trust_1"}, MinClients: 1, DBUser: "flip_admin",
			UserPoolID:             pulumi.String("eu-west-2_Pool"),
			AppClientID:            pulumi.String("appclient"),
			DBAddress:              pulumi.String("db.example.org"),
			DBPort:                 pulumi.Int(5432),
			DBName:                 pulumi.String("flip"),
			DBMasterSecretARN:      pulumi.String(secretARN("rds!db-1")),
			FlipAPISecretName:      pulumi.String("flip-test/flip-api"),
			FlipAPISecretARN:       pulumi.String(secretARN("flip-test/flip-api")),
			RegistryTokenSecretARN: pulumi.String(secretARN("flip-test/registry-token")),
			BucketNames:            buckets,
			FLServerRoleARN:        pulumi.String("arn:aws:iam::123456789012:role/flip-test-fl-server"),
		},
	}
}

// planCompute runs one compute component, with mutate applied to the fixture, under the
// recording mocks.
func planCompute(t *testing.T, mutate func(*compute.Args)) (*plan.Graph, error) {
	t.Helper()
	program := func(ctx *pulumi.Context) error {
		awsP, err := aws.NewProvider(ctx, "aws", &aws.ProviderArgs{Region: pulumi.String("eu-west-2")})
		if err != nil {
			return err
		}
		cmdP, err := command.NewProvider(ctx, "command", &command.ProviderArgs{})
		if err != nil {
			return err
		}
		upstream, err := cloudwatch.NewLogGroup(ctx, "upstream", &cloudwatch.LogGroupArgs{}, pulumi.Provider(awsP))
		if err != nil {
			return err
		}
		args := fixtureArgs(upstream)
		if mutate != nil {
			mutate(&args)
		}
		_, err = compute.New(ctx, "compute", args, pulumi.Providers(awsP, cmdP))
		return err
	}
	return plan.Run(plan.Options{
		Stack:   "test",
		Program: program,
		Config: &plan.StackConfig{Values: map[string]string{
			"aws:region": "eu-west-2", "aws:allowedAccountIds": `["111111111111"]`,
		}},
	})
}

func mustPlan(t *testing.T, mutate func(*compute.Args)) *plan.Graph {
	t.Helper()
	g, err := planCompute(t, mutate)
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	return g
}

func one(t *testing.T, g *plan.Graph, typ string) plan.Resource {
	t.Helper()
	rs := g.ByType(typ)
	if len(rs) != 1 {
		t.Fatalf("%d %s; want 1", len(rs), typ)
	}
	return rs[0]
}

func TestHost(t *testing.T) {
	t.Parallel()
	for _, monitoring := range []bool{false, true} {
		t.Run(fmt.Sprintf("detailed monitoring %v", monitoring), func(t *testing.T) {
			t.Parallel()
			g := mustPlan(t, func(a *compute.Args) { a.DetailedMonitoring = monitoring })
			inst := one(t, g, typeInstance)
			upstream, _ := g.Get(typeLogGroup, "upstream")
			checks := []struct {
				path string
				want any
			}{
				{"instanceType", "t3.large"},
				{"subnetId", "subnet-private-a"},
				{"associatePublicIpAddress", false},
				{"iamInstanceProfile", "flip-test-hub-host"},
				{"monitoring", monitoring},
				{"ebsOptimized", true},
				{"metadataOptions.httpEndpoint", "enabled"},
				{"metadataOptions.httpTokens", "required"},
				{"metadataOptions.httpPutResponseHopLimit", float64(compute.IMDSHopLimit)},
				{"rootBlockDevice.volumeType", "gp3"},
				{"rootBlockDevice.volumeSize", float64(50)},
				{"rootBlockDevice.encrypted", true},
				{"rootBlockDevice.kmsKeyId", keyARN},
				{"rootBlockDevice.deleteOnTermination", true},
				{"maintenanceOptions.autoRecovery", "default"},
			}
			for _, c := range checks {
				if got, _ := inst.Lookup(c.path); got != c.want {
					t.Errorf("instance %s = %v, want %v", c.path, got, c.want)
				}
			}
			if compute.IMDSHopLimit != 2 {
				t.Errorf("IMDS hop limit %d; the containers need exactly one extra hop", compute.IMDSHopLimit)
			}
			for _, absent := range []string{"keyName", "keyPair", "publicIp"} {
				if v, ok := inst.Inputs[absent]; ok && v != "" && v != nil {
					t.Errorf("instance sets %s = %v", absent, v)
				}
			}
			if got := inst.Inputs["vpcSecurityGroupIds"]; fmt.Sprint(got) != "[sg-host]" {
				t.Errorf("security groups %v", got)
			}
			if !strings.HasPrefix(inst.String("ami"), "ami-") {
				t.Errorf("ami %q is not resolved from the SSM parameter", inst.String("ami"))
			}
			if !slices.Equal(inst.IgnoreChanges, []string{"ami", "userData"}) {
				t.Errorf("ignoreChanges %v, want [ami userData]", inst.IgnoreChanges)
			}
			if !slices.Contains(inst.Dependencies, upstream.URN) {
				t.Errorf("host does not wait for HostDependsOn (%v)", inst.Dependencies)
			}
			if inst.Parent == "" || !strings.Contains(inst.Parent, compute.TypeToken) {
				t.Errorf("host parent %q", inst.Parent)
			}
			params := 0
			for _, inv := range g.Invokes {
				if inv.Token == "aws:ssm/getParameter:getParameter" {
					params++
				}
			}
			if params != 1 {
				t.Errorf("%d SSM parameter lookups; want the AMI's", params)
			}
		})
	}
}

func TestRecoverAlarmAndTargets(t *testing.T) {
	t.Parallel()
	g := mustPlan(t, nil)
	alarm := one(t, g, typeAlarm)
	checks := []struct {
		path string
		want any
	}{
		{"namespace", "AWS/EC2"},
		{"metricName", "StatusCheckFailed_System"},
		{"dimensions.InstanceId", plan.FakeIDFor(typeInstance, "hub-host")},
		{"comparisonOperator", "GreaterThanOrEqualToThreshold"},
		{"threshold", float64(1)},
		{"evaluationPeriods", float64(2)},
		{"period", float64(60)},
		{"statistic", "Maximum"},
	}
	for _, c := range checks {
		if got, _ := alarm.Lookup(c.path); got != c.want {
			t.Errorf("alarm %s = %v, want %v", c.path, got, c.want)
		}
	}
	if got := fmt.Sprint(alarm.Inputs["alarmActions"]); got != "[arn:aws:automate:eu-west-2:ec2:recover]" {
		t.Errorf("alarm actions %s, want the EC2 recover action", got)
	}
	if alarm.DeletedWith != "" {
		t.Errorf("alarm deletedWith %q; CloudWatch keeps alarms of terminated instances, so it must be deleted itself", alarm.DeletedWith)
	}

	ports := map[string]float64{}
	for _, a := range g.ByType(typeAttachment) {
		if a.String("targetId") != plan.FakeIDFor(typeInstance, "hub-host") {
			t.Errorf("%s targets %q", a.Name, a.String("targetId"))
		}
		ports[a.String("targetGroupArn")] = a.Number("port")
	}
	if want := map[string]float64{apiTG: 8000, flTG: 8002}; fmt.Sprint(ports) != fmt.Sprint(want) {
		t.Errorf("target group registrations %v, want %v", ports, want)
	}
}

func TestLogGroups(t *testing.T) {
	t.Parallel()
	g := mustPlan(t, func(a *compute.Args) { a.LogRetentionDays = 365 })
	var names []string
	for _, lg := range g.ByType(typeLogGroup) {
		if lg.Name == "upstream" {
			continue
		}
		names = append(names, lg.String("name"))
		if lg.Number("retentionInDays") != 365 || lg.String("kmsKeyId") != keyARN {
			t.Errorf("%s retention %v key %q; want 365 days on the stack key", lg.Name, lg.Number("retentionInDays"), lg.String("kmsKeyId"))
		}
	}
	slices.Sort(names)
	if want := []string{"/flip-test-hub-containers", "/flip-test-hub-deploy", "/flip-test-hub-system"}; !slices.Equal(names, want) {
		t.Errorf("log groups %v, want %v", names, want)
	}
	ud := one(t, g, typeInstance).String("userData")
	for _, n := range []string{"/flip-test-hub-containers", "/flip-test-hub-system"} {
		if !strings.Contains(ud, n) {
			t.Errorf("the CloudWatch agent config does not ship to %s", n)
		}
	}
}

func TestDeployCommand(t *testing.T) {
	t.Parallel()
	g := mustPlan(t, nil)
	inst := one(t, g, typeInstance)
	cmd := one(t, g, typeCommand)
	upstream, _ := g.Get(typeLogGroup, "upstream")
	instanceID := plan.FakeIDFor(typeInstance, "hub-host")

	if cmd.DeletedWith != inst.URN {
		t.Errorf("deploy deletedWith %q, want the host %s", cmd.DeletedWith, inst.URN)
	}
	if !slices.Contains(cmd.Dependencies, upstream.URN) {
		t.Errorf("deploy does not wait for DeployDependsOn: %v", cmd.Dependencies)
	}
	if len(cmd.SecretInputs) != 0 {
		t.Errorf("deploy inputs %v hold a secret", cmd.SecretInputs)
	}
	create := cmd.String("create")
	for _, want := range []string{"'hubctl' host run", "--instance '" + instanceID + "'", "--region 'eu-west-2'", "--log-group '/flip-test-hub-deploy'", "--script -", "--timeout 30m0s"} {
		if !strings.Contains(create, want) {
			t.Errorf("create %q lacks %q", create, want)
		}
	}
	stdin := cmd.String("stdin")
	if strings.Contains(create, "#!/bin/bash") || !strings.HasPrefix(stdin, "#!/bin/bash\n") {
		t.Errorf("the script must reach hubctl on stdin, not the command line")
	}
	for _, img := range []string{"ghcr.io/londonaicentre/flip-api:sha-1a2b3c4", "ghcr.io/londonaicentre/flare-fl-server:sha-4c3b2a1", "ghcr.io/londonaicentre/flare-fl-api:sha-4c3b2a1"} {
		if !strings.Contains(stdin, img) {
			t.Errorf("the one deploy command does not deploy %s", img)
		}
	}
	triggers, _ := cmd.Inputs["triggers"].([]any)
	if len(triggers) != 4 || triggers[0] != "sha-1a2b3c4" || triggers[1] != "sha-4c3b2a1" || triggers[3] != instanceID {
		t.Fatalf("triggers %v, want [tag flTag hash instance]", triggers)
	}
	hash, _ := triggers[2].(string)
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(hash) || !strings.Contains(stdin, "readonly DEPLOY_HASH='"+hash+"'") {
		t.Errorf("trigger %v is not the hash of the script's content", triggers[2])
	}
}

// TestDeployTriggers proves the hash trigger moves with the rendered content and nothing else.
func TestDeployTriggers(t *testing.T) {
	t.Parallel()
	trigger := func(mutate func(*compute.Args)) (hash, stdin string) {
		cmd := one(t, mustPlan(t, mutate), typeCommand)
		return cmd.Inputs["triggers"].([]any)[2].(string), cmd.String("stdin")
	}
	baseHash, baseStdin := trigger(nil)
	cases := []struct {
		name    string
		mutate  func(*compute.Args)
		changes bool
	}{
		{"same inputs", func(*compute.Args) {}, false},
		// How the deploy is run is not what it deploys: the hash stays (the command text
		// changes, so such an edit re-runs the idempotent deploy once).
		{"hubctl path", func(a *compute.Args) { a.HubctlPath = "/usr/local/bin/hubctl" }, false},
		{"deploy timeout", func(a *compute.Args) { a.DeployTimeout = time.Hour }, false},
		{"hub tag", func(a *compute.Args) { a.Deploy.Images.Tag = "sha-7777777" }, true},
		{"fl tag", func(a *compute.Args) { a.Deploy.Images.FLTag = "sha-7777777" }, true},
		{"database address (an upstream output)", func(a *compute.Args) { a.Deploy.DBAddress = pulumi.String("db2.example.org") }, true},
		{"kit date", func(a *compute.Args) { a.Deploy.KitDate = "2025-07-01" }, true},
		{"fl port", func(a *compute.Args) { a.FLPort = 8443 }, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			hash, stdin := trigger(tc.mutate)
			if (hash != baseHash) != tc.changes || (stdin != baseStdin) != tc.changes {
				t.Errorf("hash changed %v, script changed %v; want %v", hash != baseHash, stdin != baseStdin, tc.changes)
			}
		})
	}
}

func TestArgsRejected(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		mutate func(*compute.Args)
		want   string
	}{
		{"tiny root volume", func(a *compute.Args) { a.RootVolumeGB = 8 }, "root volume 8 GB"},
		{"no profile", func(a *compute.Args) { a.InstanceProfileName = nil }, "instance profile"},
		{"no target groups", func(a *compute.Args) { a.FLTargetGroupARN = nil }, "target groups"},
		{"fl port 22", func(a *compute.Args) { a.FLPort = 22 }, "fl port 22"},
		{"no retention", func(a *compute.Args) { a.LogRetentionDays = 0 }, "log retention"},
		{"bad instance type", func(a *compute.Args) { a.InstanceType = "large" }, `instance type "large"`},
		{"no bucket names", func(a *compute.Args) { a.Deploy.BucketNames = nil }, "bucket names"},
		{"no fl-server role", func(a *compute.Args) { a.Deploy.FLServerRoleARN = nil }, "fl-server role"},
		{"missing kits bucket", func(a *compute.Args) {
			a.Deploy.BucketNames = pulumi.StringMap{"uploaded-model-files": pulumi.String("b")}
		}, "no bucket for"},
		{"latest tag", func(a *compute.Args) { a.Deploy.Images.Tag = "latest" }, "tag latest is not pinned"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := planCompute(t, tc.mutate)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one naming %q", err, tc.want)
			}
		})
	}
}

func TestArch(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"t3.large": "amd64", "m7i.xlarge": "amd64", "g5.xlarge": "amd64", "c5n.large": "amd64",
		"t4g.large": "arm64", "m7g.xlarge": "arm64", "c7gn.large": "arm64", "r8gd.2xlarge": "arm64", "g5g.xlarge": "arm64",
	}
	for typ, want := range cases {
		if got, err := compute.Arch(typ); err != nil || got != want {
			t.Errorf("Arch(%q) = %q, %v; want %q", typ, got, err, want)
		}
	}
	for _, bad := range []string{"", "large", "t3", "T3.large"} {
		if _, err := compute.Arch(bad); err == nil {
			t.Errorf("Arch(%q) accepted", bad)
		}
	}
	if got := compute.AMIParameter("arm64"); got != "/aws/service/canonical/ubuntu/server/24.04/stable/current/arm64/hvm/ebs-gp3/ami-id" {
		t.Errorf("AMIParameter = %q", got)
	}
}

func TestGravitonHostUsesArmImage(t *testing.T) {
	t.Parallel()
	g := mustPlan(t, func(a *compute.Args) { a.InstanceType = "m7g.large" })
	ud := one(t, g, typeInstance).String("userData")
	if !strings.Contains(ud, "readonly ARCH='arm64'") {
		t.Error("a Graviton host's bootstrap does not install arm64 packages")
	}
}
