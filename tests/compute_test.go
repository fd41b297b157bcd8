package tests

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/londonaicentre/flip-hub/compute"
	"github.com/londonaicentre/flip-hub/config"
	"github.com/londonaicentre/flip-hub/data"
	"github.com/londonaicentre/flip-hub/internal/deploy"
	"github.com/londonaicentre/flip-hub/internal/iamdoc"
	"github.com/londonaicentre/flip-hub/internal/plan"
	"github.com/londonaicentre/flip-hub/internal/ssmrun"
)

const (
	compTypeInstance   = "aws:ec2/instance:Instance"
	compTypeAlarm      = "aws:cloudwatch/metricAlarm:MetricAlarm"
	compTypeAttachment = "aws:lb/targetGroupAttachment:TargetGroupAttachment"
	compTypeCommand    = "command:local:Command"
	compTypeLogGroup   = "aws:cloudwatch/logGroup:LogGroup"
	compTypeTG         = "aws:lb/targetGroup:TargetGroup"
	compTypeProfile    = "aws:iam/instanceProfile:InstanceProfile"
	compTypeAttachPol  = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
	compTypeKMSKey     = "aws:kms/key:Key"
	compTypeSubnet     = "aws:ec2/subnet:Subnet"
	compTypeSG         = "aws:ec2/securityGroup:SecurityGroup"
	compTypeRDS        = "aws:rds/instance:Instance"
	compTypeSecretVer  = "aws:secretsmanager/secretVersion:SecretVersion"
	compTypeRolePolicy = "aws:iam/rolePolicy:RolePolicy"
	compRegistryToken  = "ghp_computeplantoken0123456789abcdefXYZ"
)

// compSecrets are every secret value a plan of g can hold, in a form ssmrun.CheckNoSecrets
// searches for verbatim and in base64, base64url and hex: the raw bytes of every random
// resource (so the FLIP_API AES key and the URL-safe internal service key are covered), every
// random password, and the fakes of every secret config key.
func compSecrets(g *plan.Graph, extra ...string) []string {
	secrets := append([]string{}, extra...)
	for _, r := range g.ByType("random:index/randomBytes:RandomBytes") {
		secrets = append(secrets, string(plan.FakeRandomBytes(r.Name, int(r.Number("length")))))
	}
	for _, r := range g.ByType("random:index/randomPassword:RandomPassword") {
		secrets = append(secrets, plan.FakeRandomPassword(r.Name, int(r.Number("length"))))
	}
	for _, k := range []string{config.KeyFlipAPIAESKey, config.KeyFlipAPIInternalServiceKey, config.KeyRegistryToken} {
		secrets = append(secrets, plan.FakeSecret(k))
	}
	return secrets
}

func compConfig(t *testing.T, stack string, mutate mutation) *config.Config {
	t.Helper()
	c := Config(t, stack).Clone()
	if mutate != nil {
		mutate(t, c)
	}
	cfg, err := config.Parse(stack, config.MapSource(c.Values))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestComputeHost(t *testing.T) {
	t.Parallel()
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			g := Plan(t, stack)
			cfg := compConfig(t, stack, nil)
			l := layerOf(t, g, compute.TypeToken)
			inst := l.one(t, compTypeInstance)

			keys := ByTypeIn(g, compTypeKMSKey, "flip:data:Key")
			if len(keys) != 1 {
				t.Fatalf("%d stack keys", len(keys))
			}
			stackKey := fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", cfg.Region, cfg.AllowedAccountIDs[0], plan.FakeIDFor(compTypeKMSKey, keys[0].Name))
			profiles := ByTypeIn(g, compTypeProfile, "flip:identity:Identity")
			if len(profiles) != 1 {
				t.Fatalf("%d host instance profiles", len(profiles))
			}
			var hostSG string
			for _, sg := range g.ByType(compTypeSG) {
				if sg.Name == "hub-host" {
					hostSG = plan.FakeIDFor(compTypeSG, sg.Name)
				}
			}
			firstPrivate := plan.FakeIDFor(compTypeSubnet, "private-"+cfg.Network.AvailabilityZones[0])

			checks := []struct {
				path string
				want any
			}{
				{"instanceType", cfg.Host.InstanceType},
				{"subnetId", firstPrivate},
				{"associatePublicIpAddress", false},
				{"iamInstanceProfile", profiles[0].String("name")},
				{"monitoring", cfg.Host.DetailedMonitoring},
				{"ebsOptimized", true},
				{"metadataOptions.httpTokens", "required"},
				{"metadataOptions.httpEndpoint", "enabled"},
				{"metadataOptions.httpPutResponseHopLimit", float64(2)},
				{"rootBlockDevice.volumeType", "gp3"},
				{"rootBlockDevice.encrypted", true},
				{"rootBlockDevice.kmsKeyId", stackKey},
				{"rootBlockDevice.volumeSize", float64(cfg.Host.RootVolumeGB)},
			}
			for _, c := range checks {
				if got, _ := inst.Lookup(c.path); got != c.want {
					t.Errorf("host %s = %v, want %v", c.path, got, c.want)
				}
			}
			if got := fmt.Sprint(inst.Inputs["vpcSecurityGroupIds"]); got != "["+hostSG+"]" {
				t.Errorf("host security groups %s, want [%s]", got, hostSG)
			}
			if v, ok := inst.Inputs["keyName"]; ok && v != nil && v != "" {
				t.Errorf("host has key pair %v", v)
			}
			if (stack == "prod") != cfg.Host.DetailedMonitoring {
				t.Errorf("detailed monitoring %v in %s; want it in prod only", cfg.Host.DetailedMonitoring, stack)
			}
			if !strings.HasPrefix(inst.String("ami"), "ami-") || !slices.Contains(inst.IgnoreChanges, "ami") {
				t.Errorf("ami %q ignoreChanges %v: want the SSM-resolved AMI, ignored after creation", inst.String("ami"), inst.IgnoreChanges)
			}
			amiFromSSM := false
			for _, inv := range g.Invokes {
				amiFromSSM = amiFromSSM || inv.Token == "aws:ssm/getParameter:getParameter"
			}
			if !amiFromSSM {
				t.Error("the AMI is not resolved from an SSM public parameter")
			}

			alarm := l.one(t, compTypeAlarm)
			want := fmt.Sprintf("[arn:aws:automate:%s:ec2:recover]", cfg.Region)
			if alarm.String("metricName") != "StatusCheckFailed_System" || fmt.Sprint(alarm.Inputs["alarmActions"]) != want ||
				alarm.String("dimensions.InstanceId") != plan.FakeIDFor(compTypeInstance, inst.Name) {
				t.Errorf("alarm %s on %s actions %v; want StatusCheckFailed_System on the host, %s",
					alarm.String("metricName"), alarm.String("dimensions.InstanceId"), alarm.Inputs["alarmActions"], want)
			}

			tgName := map[string]string{}
			for _, tg := range ByTypeIn(g, compTypeTG, "flip:edge:Edge") {
				tgName[tg.Name] = tg.String("name")
			}
			got := map[string]float64{}
			for _, a := range l.byType[compTypeAttachment] {
				if a.String("targetId") != plan.FakeIDFor(compTypeInstance, inst.Name) {
					t.Errorf("%s registers %q, not the host", a.Name, a.String("targetId"))
				}
				for name, physical := range tgName {
					if strings.Contains(a.String("targetGroupArn"), ":targetgroup/"+physical+"/") {
						got[name] = a.Number("port")
					}
				}
			}
			if w := map[string]float64{"api": 8000, "fl": float64(cfg.FL.Port)}; fmt.Sprint(got) != fmt.Sprint(w) {
				t.Errorf("host registered in %v; want %v", got, w)
			}

			for _, lg := range l.byType[compTypeLogGroup] {
				if lg.Number("retentionInDays") != float64(cfg.LogRetentionDays) || lg.String("kmsKeyId") != stackKey {
					t.Errorf("log group %s: retention %v key %q; want %d days on the stack key", lg.String("name"), lg.Number("retentionInDays"), lg.String("kmsKeyId"), cfg.LogRetentionDays)
				}
			}
			if len(l.byType[compTypeLogGroup]) != 3 {
				t.Errorf("%d host log groups; want containers, system, deploy", len(l.byType[compTypeLogGroup]))
			}

			// The bootstrap waits for the network (NAT routes, VPC endpoints).
			natRoute := false
			for _, dep := range inst.Dependencies {
				natRoute = natRoute || strings.Contains(dep, "aws:ec2/route:Route::private-default-")
			}
			if !natRoute {
				t.Error("the host does not wait for the private subnets' NAT routes its bootstrap needs")
			}
		})
	}
}

func TestComputeDeploy(t *testing.T) {
	t.Parallel()
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			g := Plan(t, stack)
			cfg := compConfig(t, stack, nil)
			l := layerOf(t, g, compute.TypeToken)
			inst := l.one(t, compTypeInstance)
			cmd := l.one(t, compTypeCommand)

			if cmd.DeletedWith != inst.URN {
				t.Errorf("deploy deletedWith %q; want the host", cmd.DeletedWith)
			}
			triggers, _ := cmd.Inputs["triggers"].([]any)
			for _, want := range []string{cfg.Images.Tag, cfg.Images.FLTag, plan.FakeIDFor(compTypeInstance, inst.Name)} {
				if !slices.Contains(triggers, any(want)) {
					t.Errorf("triggers %v lack %q", triggers, want)
				}
			}
			stdin := cmd.String("stdin")
			hash := deployHash(t, stdin)
			if !slices.Contains(triggers, any(hash)) {
				t.Errorf("triggers %v lack the content hash %s", triggers, hash)
			}
			create := cmd.String("create")
			if !strings.Contains(create, "host run --instance") || !strings.HasSuffix(create, "--script - --protocol 1") || strings.Contains(create, "\n") {
				t.Errorf("create %q: want one hubctl host run line reading the script from stdin", create)
			}
			// Hub and FL images deploy together, in this one command.
			for _, img := range []string{cfg.Images.Registry + "flip-api:" + cfg.Images.Tag, cfg.Images.FLRegistry + "flare-fl-server:" + cfg.Images.FLTag} {
				if !strings.Contains(stdin, "image: "+img+"\n") {
					t.Errorf("deploy does not run %s", img)
				}
			}
			if n := len(l.byType[compTypeCommand]); n != 1 {
				t.Errorf("%d deploy commands; hub and FL images must ship in one", n)
			}
			for _, want := range []string{
				"AWS_SECRET_NAME='" + data.FlipAPISecretName("flip-"+string(cfg.Environment)) + "'",
				// The server kit where FLIP's NVFLARE provisioning leaves it (ecs_efs_provision.tf @08a2ee9).
				"stage_kit 'fl-flare-participant-kits/" + cfg.FL.KitDate + "/net-1/services/fl-server-net-1/startup'",
				fmt.Sprintf("- %d:8002", cfg.FL.Port),
				"ENFORCE_MFA='true'",
			} {
				if !strings.Contains(stdin, want) {
					t.Errorf("deploy script lacks %q", want)
				}
			}
			if !strings.Contains(stdin, "readonly REGISTRY_TOKEN_SECRET_ARN=''") {
				t.Errorf("%s has no registry token; the deploy must pull anonymously", stack)
			}

			// The deploy waits for the database, the FLIP_API secret's value and the host's policy.
			for _, need := range []struct{ layer, typ string }{
				{"flip:data:Data", compTypeRDS}, {"flip:data:Data", compTypeSecretVer}, {"flip:identity:Identity", compTypeRolePolicy},
			} {
				rs := ByTypeIn(g, need.typ, need.layer)
				if len(rs) == 0 || !slices.Contains(cmd.Dependencies, rs[0].URN) {
					t.Errorf("deploy does not wait for %s", need.typ)
				}
			}
		})
	}
}

func deployHash(t *testing.T, script string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^readonly DEPLOY_HASH='([0-9a-f]{64})'$`).FindStringSubmatch(script)
	if m == nil {
		t.Fatal("deploy script has no DEPLOY_HASH")
	}
	return m[1]
}

// TestComputeCarriesNoSecret: no input of any compute resource (user data, the deploy command,
// its script) holds a secret value or is a secret, with and without a registry token.
func TestComputeCarriesNoSecret(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		stack  string
		mutate mutation
	}{
		{"stag", "stag", nil},
		{"prod", "prod", nil},
		{"stag with a registry token", "stag", secret(config.KeyRegistryToken, compRegistryToken)},
		{"prod adopting existing FLIP_API keys", "prod", func(tb testing.TB, c plan.StackConfig) {
			secret(config.KeyFlipAPIAESKey, plan.FakeSecret(config.KeyFlipAPIAESKey))(tb, c)
			secret(config.KeyFlipAPIInternalServiceKey, plan.FakeSecret(config.KeyFlipAPIInternalServiceKey))(tb, c)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g := MustPlanWith(t, tc.stack, tc.mutate)
			l := layerOf(t, g, compute.TypeToken)
			secrets := compSecrets(g, compRegistryToken)
			// The list must catch the values in the form the stack uses them.
			if tc.mutate == nil {
				raw := plan.FakeRandomBytes(data.InternalServiceKeyResource, data.KeyBytes)
				key, err := data.URLSafeKey(base64.StdEncoding.EncodeToString(raw))
				if err != nil {
					t.Fatal(err)
				}
				aes := base64.StdEncoding.EncodeToString(plan.FakeRandomBytes(data.AESKeyResource, data.KeyBytes))
				for _, v := range []string{key, aes} {
					if ssmrun.CheckNoSecrets("INTERNAL_SERVICE_KEY='"+v+"'", secrets...) == nil {
						t.Fatal("the secret list misses a FLIP_API value; this test could not fail")
					}
				}
			}
			checked := 0
			for _, rs := range l.byType {
				for _, r := range rs {
					if len(r.SecretInputs) != 0 {
						t.Errorf("%s %s has secret inputs %v", r.Type, r.Name, r.SecretInputs)
					}
					b, err := json.Marshal(r.Inputs)
					if err != nil {
						t.Fatal(err)
					}
					// JSON escapes would hide a value; the script and user data are checked raw too.
					texts := []string{string(b), r.String("stdin"), r.String("userData"), r.String("create")}
					for _, text := range texts {
						if err := ssmrun.CheckNoSecrets(text, secrets...); err != nil {
							t.Errorf("%s %s: %v", r.Type, r.Name, err)
						}
					}
					checked++
				}
			}
			if checked < 8 {
				t.Fatalf("checked %d resources; the layer is missing", checked)
			}
			if tc.mutate != nil && strings.Contains(tc.name, "registry token") {
				stdin := l.one(t, compTypeCommand).String("stdin")
				if !regexp.MustCompile(`readonly REGISTRY_TOKEN_SECRET_ARN='arn:aws:secretsmanager:[^']+'`).MatchString(stdin) {
					t.Error("with a registry token the deploy does not read it from Secrets Manager")
				}
			}
		})
	}
}

func TestComputeFlowerBackend(t *testing.T) {
	t.Parallel()
	g := MustPlanWith(t, "stag", func(tb testing.TB, c plan.StackConfig) {
		SetField(tb, c, config.KeyFL, "backend", "flower")
		SetField(tb, c, config.KeyFL, "port", 9092)
	})
	l := layerOf(t, g, compute.TypeToken)
	ports := []float64{}
	for _, a := range l.byType[compTypeAttachment] {
		ports = append(ports, a.Number("port"))
	}
	slices.Sort(ports)
	if !slices.Equal(ports, []float64{8000, 9092}) {
		t.Errorf("registered ports %v, want [8000 9092]", ports)
	}
	stdin := l.one(t, compTypeCommand).String("stdin")
	for _, want := range []string{"flower-superlink:sha-", "- 9092:9092", "wait 'register-supernode-keys-net-1'", "FL_BACKEND='flower'"} {
		if !strings.Contains(stdin, want) {
			t.Errorf("flower deploy lacks %q", want)
		}
	}
}

func TestComputeTagBumpRedeploys(t *testing.T) {
	t.Parallel()
	base := layerOf(t, Plan(t, "stag"), compute.TypeToken).one(t, compTypeCommand)
	bumped := layerOf(t, MustPlanWith(t, "stag", field(config.KeyImages, "flTag", "sha-abcdef1")), compute.TypeToken).one(t, compTypeCommand)
	bt, nt := base.Inputs["triggers"].([]any), bumped.Inputs["triggers"].([]any)
	if fmt.Sprint(bt[0]) != fmt.Sprint(nt[0]) || fmt.Sprint(bt[1]) == fmt.Sprint(nt[1]) || fmt.Sprint(bt[2]) == fmt.Sprint(nt[2]) {
		t.Errorf("an FL tag bump changed triggers %v -> %v; want the FL tag and the hash to move, the hub tag not", bt, nt)
	}
	if !strings.Contains(bumped.String("stdin"), "flare-fl-api:sha-abcdef1") {
		t.Error("the bumped deploy does not run the new FL image")
	}
	if got := layerOf(t, MustPlanWith(t, "stag", nil), compute.TypeToken).one(t, compTypeCommand); fmt.Sprint(got.Inputs["triggers"]) != fmt.Sprint(bt) {
		t.Error("planning the same config twice gives different triggers")
	}
}

// The compliance rules for the hub host, each a function over one recorded instance that
// returns why it fails ("" when it passes). ec2Rules apply to every stack; CKV_AWS_126
// (detailed monitoring) is a prod rule, because stag turns it off on purpose (config).
type ec2Rule struct {
	id    string
	check func(g *plan.Graph, r plan.Resource, secrets []string) string
	// breakIt mutates a copy of a passing instance so the rule must fail.
	breakIt func(in map[string]any)
}

var ec2Rules = []ec2Rule{
	{"CKV_AWS_8 (EBS encrypted)", func(_ *plan.Graph, r plan.Resource, _ []string) string {
		if !r.Bool("rootBlockDevice.encrypted") {
			return "root volume not encrypted"
		}
		if v, ok := r.Inputs["ebsBlockDevices"].([]any); ok {
			for i := range v {
				if !r.Bool(fmt.Sprintf("ebsBlockDevices[%d].encrypted", i)) {
					return "an EBS volume is not encrypted"
				}
			}
		}
		return ""
	}, func(in map[string]any) { in["rootBlockDevice"].(map[string]any)["encrypted"] = false }},
	{"CKV_AWS_46 (no secrets in user data)", func(_ *plan.Graph, r plan.Resource, secrets []string) string {
		ud := r.String("userData")
		if regexp.MustCompile(`(AKIA|ASIA)[A-Z0-9]{16}|(?i)aws_secret_access_key`).MatchString(ud) {
			return "user data holds AWS credentials"
		}
		if err := ssmrun.CheckNoSecrets(ud, secrets...); err != nil {
			return err.Error()
		}
		return ""
	}, func(in map[string]any) {
		in["userData"] = in["userData"].(string) + "\nexport AWS_ACCESS_KEY_ID=AKIAABCDEFGHIJKLMNOP\n"
	}},
	{"CKV_AWS_79 / EC2.8 (IMDSv2 only)", func(_ *plan.Graph, r plan.Resource, _ []string) string {
		if r.String("metadataOptions.httpTokens") != "required" && r.String("metadataOptions.httpEndpoint") != "disabled" {
			return "IMDSv1 allowed"
		}
		return ""
	}, func(in map[string]any) { in["metadataOptions"].(map[string]any)["httpTokens"] = "optional" }},
	{"CKV_AWS_88 / EC2.9 (no public IP)", func(_ *plan.Graph, r plan.Resource, _ []string) string {
		if v, ok := r.Lookup("associatePublicIpAddress"); !ok || v != false {
			return "public IP not explicitly refused"
		}
		return ""
	}, func(in map[string]any) { in["associatePublicIpAddress"] = true }},
	{"CKV_AWS_135 (EBS optimized)", func(_ *plan.Graph, r plan.Resource, _ []string) string {
		if !r.Bool("ebsOptimized") {
			return "not EBS optimized"
		}
		return ""
	}, func(in map[string]any) { delete(in, "ebsOptimized") }},
	{"CKV2_AWS_41 (IAM role attached)", func(_ *plan.Graph, r plan.Resource, _ []string) string {
		if r.String("iamInstanceProfile") == "" {
			return "no instance profile"
		}
		return ""
	}, func(in map[string]any) { delete(in, "iamInstanceProfile") }},
	{"SSM.1 (managed by Systems Manager)", func(g *plan.Graph, r plan.Resource, _ []string) string {
		for _, p := range g.ByType(compTypeProfile) {
			if p.String("name") != r.String("iamInstanceProfile") {
				continue
			}
			for _, a := range g.ByType(compTypeAttachPol) {
				if a.String("role") == p.String("role") && strings.HasSuffix(a.String("policyArn"), ":policy/AmazonSSMManagedInstanceCore") {
					return ""
				}
			}
		}
		return "the instance profile's role lacks AmazonSSMManagedInstanceCore"
	}, func(in map[string]any) { in["iamInstanceProfile"] = "some-other-profile" }},
}

var prodEC2Rules = []ec2Rule{
	{"CKV_AWS_126 (detailed monitoring)", func(_ *plan.Graph, r plan.Resource, _ []string) string {
		if !r.Bool("monitoring") {
			return "detailed monitoring off"
		}
		return ""
	}, func(in map[string]any) { in["monitoring"] = false }},
}

// copyResource deep-copies a resource's inputs through JSON, so a mutation cannot leak.
func copyResource(t *testing.T, r plan.Resource) plan.Resource {
	t.Helper()
	b, err := json.Marshal(r.Inputs)
	if err != nil {
		t.Fatal(err)
	}
	out := r
	out.Inputs = nil
	if err := json.Unmarshal(b, &out.Inputs); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestComputeCompliance reviews every EC2 instance of the whole graph of both stacks against
// the rules, and proves each rule can fail by breaking a copy of a passing instance.
func TestComputeCompliance(t *testing.T) {
	t.Parallel()
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			g := Plan(t, stack)
			secrets := compSecrets(g)
			rules := ec2Rules
			if stack == "prod" {
				rules = append(slices.Clone(ec2Rules), prodEC2Rules...)
			}
			instances := g.ByType(compTypeInstance)
			if len(instances) == 0 {
				t.Fatal("no EC2 instance in the graph")
			}
			for _, r := range instances {
				for _, rule := range rules {
					if why := rule.check(g, r, secrets); why != "" {
						t.Errorf("%s %s fails %s: %s", r.Type, r.Name, rule.id, why)
					}
					broken := copyResource(t, r)
					rule.breakIt(broken.Inputs)
					if rule.check(g, broken, secrets) == "" {
						t.Errorf("%s cannot fail: it passed a broken copy of %s", rule.id, r.Name)
					}
				}
			}
			if stack == "stag" {
				if why := prodEC2Rules[0].check(g, instances[0], secrets); why == "" {
					t.Error("stag has detailed monitoring; config turns it off there on purpose (cost), update this test if that changed")
				}
			}
		})
	}
}

// TestDeployBucketPurposes: every bucket the deploy names is one the data layer creates.
func TestDeployBucketPurposes(t *testing.T) {
	t.Parallel()
	for _, p := range deploy.BucketPurposes {
		if !slices.Contains(config.AppBuckets, p) {
			t.Errorf("deploy needs bucket %q, which config.AppBuckets does not create", p)
		}
	}
}

// A rotation of the RDS master password must not take flip-api down: the compose-path image reads
// the password once, at start-up (FLIP#556). EventBridge matches the rotation of exactly that
// secret and has SSM run the restart of flip-api, in the deploy's compose project, on the hub
// host only.
func TestComputeRestartsFlipAPIOnRotation(t *testing.T) {
	t.Parallel()
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			g := Plan(t, stack)
			l := layerOf(t, g, compute.TypeToken)
			inst := l.one(t, compTypeInstance)
			// The secret flip-api reads its password from, as the deploy renders it.
			stdin := l.one(t, compTypeCommand).String("stdin")
			m := regexp.MustCompile(`\nPOSTGRES_SECRET_ARN='([^']+)'\n`).FindStringSubmatch(stdin)
			if m == nil {
				t.Fatal("the deploy renders no POSTGRES_SECRET_ARN")
			}
			secretARN := m[1]
			rule := l.one(t, "aws:cloudwatch/eventRule:EventRule")
			var pattern struct {
				Source     []string `json:"source"`
				DetailType []string `json:"detail-type"`
				Detail     struct {
					EventSource         []string            `json:"eventSource"`
					EventName           []string            `json:"eventName"`
					AdditionalEventData map[string][]string `json:"additionalEventData"`
				} `json:"detail"`
			}
			if err := json.Unmarshal([]byte(rule.String("eventPattern")), &pattern); err != nil {
				t.Fatalf("event pattern: %v", err)
			}
			if fmt.Sprint(pattern.Source, pattern.Detail.EventName, pattern.Detail.EventSource) != "[aws.secretsmanager] [RotationSucceeded] [secretsmanager.amazonaws.com]" {
				t.Errorf("pattern %+v; want Secrets Manager's RotationSucceeded", pattern)
			}
			if ids := pattern.Detail.AdditionalEventData["SecretId"]; len(ids) != 1 || secretARN == "" || ids[0] != secretARN {
				t.Errorf("pattern matches secrets %v; want only the secret flip-api reads, %s", ids, secretARN)
			}
			target := l.one(t, "aws:cloudwatch/eventTarget:EventTarget")
			if !strings.HasSuffix(target.String("arn"), ":document/AWS-RunShellScript") {
				t.Errorf("target %s; want the AWS-RunShellScript document", target.String("arn"))
			}
			if target.String("runCommandTargets[0].key") != "InstanceIds" || target.String("runCommandTargets[0].values[0]") != plan.FakeIDFor(compTypeInstance, inst.Name) {
				t.Errorf("run command targets %v; want the hub host", target.Inputs["runCommandTargets"])
			}
			var input map[string][]string
			if err := json.Unmarshal([]byte(target.String("input")), &input); err != nil {
				t.Fatal(err)
			}
			want := "docker compose --project-name flip --project-directory /opt/flip --file /opt/flip/compose.yaml restart flip-api"
			if len(input["commands"]) != 1 || input["commands"][0] != want {
				t.Errorf("commands %v; want %q", input["commands"], want)
			}
			// The same compose project the deploy script manages.
			if !strings.Contains(stdin, `compose() { docker compose --project-name 'flip' --project-directory "${FLIP_DIR}" --file "${FLIP_DIR}/compose.yaml"`) ||
				!strings.Contains(stdin, "readonly FLIP_DIR='/opt/flip'") {
				t.Error("the deploy script's compose project differs from the restart's")
			}
			pol := l.one(t, "aws:iam/rolePolicy:RolePolicy")
			var doc iamdoc.Document
			if err := json.Unmarshal([]byte(pol.String("policy")), &doc); err != nil {
				t.Fatal(err)
			}
			if len(doc.Statement) != 1 || fmt.Sprint(doc.Statement[0].Action) != "[ssm:SendCommand]" || len(doc.Statement[0].Resource) != 2 ||
				!strings.HasSuffix(doc.Statement[0].Resource[0], ":document/AWS-RunShellScript") || !strings.Contains(doc.Statement[0].Resource[1], ":instance/") {
				t.Errorf("restart role may %v; want ssm:SendCommand of AWS-RunShellScript on the hub host only", doc.Statement)
			}
		})
	}
}
