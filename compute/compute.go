package compute

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/internal/awsid"
	"github.com/londonaicentre/flip-hub/internal/deploy"
	"github.com/londonaicentre/flip-hub/internal/namer"
)

// TypeToken is the component's Pulumi type.
const TypeToken = "flip:compute:Compute"

// Defaults for zero Args fields.
const (
	// DefaultHubctl is how the deploy command invokes hubctl: the binary on PATH. The release
	// pipeline and operators already build hubctl to run `hubctl up`, so it is there; `go run
	// ./cmd/hubctl` would recompile the CLI inside every deploy (minutes on a small runner) and
	// needs the source tree and a Go toolchain wherever Pulumi runs. A path that changes also
	// changes the command text, so it should stay a stable name, not an absolute build path.
	DefaultHubctl = "hubctl"
	// DefaultDeployTimeout bounds one deploy on the host: waiting for the first-boot bootstrap,
	// pulling the images, and flip-api's health.
	DefaultDeployTimeout = 30 * time.Minute
	// DefaultPingTimeout bounds the wait for a new host's SSM agent to register.
	DefaultPingTimeout = 15 * time.Minute
	// DefaultAPIPort is flip-api's port on the host.
	DefaultAPIPort = deploy.APIPort
)

// IMDSHopLimit is the hub host's IMDSv2 PUT response hop limit. flip-api and the FL services
// run in containers on Docker's bridge network and call Cognito, SES, S3 and Secrets Manager
// with the instance role, so they must reach IMDS: the bridge adds one hop, and with the limit
// at 1 the token response dies on the way to the container and the SDKs fail to find
// credentials. 2 is the smallest limit that serves them (AWS's documented value for containers
// on EC2). Host networking would avoid the hop but expose every container port on the host
// address and remove the per-service network; a higher limit would hand tokens to anything
// one more hop away.
const IMDSHopLimit = 2

// amiParameter is AWS's public SSM parameter for Canonical's current Ubuntu 24.04 LTS server
// image with a gp3 root volume, per architecture.
const amiParameter = "/aws/service/canonical/ubuntu/server/24.04/stable/current/%s/hvm/ebs-gp3/ami-id"

// AMIParameter returns the SSM parameter holding the current Ubuntu 24.04 LTS AMI for arch.
func AMIParameter(arch string) string { return fmt.Sprintf(amiParameter, arch) }

// instanceTypeRE splits an EC2 instance type into family (letters), generation, attributes.
var instanceTypeRE = regexp.MustCompile(`^([a-z]+)([0-9]+)([a-z-]*)\.([a-z0-9]+)$`)

// Arch returns the Debian architecture an instance type runs: arm64 for Graviton types (a "g"
// among the attributes after the generation: t4g, m7g, c7gn, r8gd), amd64 otherwise.
func Arch(instanceType string) (string, error) {
	m := instanceTypeRE.FindStringSubmatch(instanceType)
	if m == nil {
		return "", fmt.Errorf("instance type %q is not an EC2 instance type such as t3.large", instanceType)
	}
	if strings.Contains(m[3], "g") {
		return "arm64", nil
	}
	return "amd64", nil
}

// Deploy is what the hub deploy renders from: plain settings decided by the caller and the
// upstream outputs it needs. No field is a secret value; secrets are named by ARN and read on
// the host.
type Deploy struct {
	Backend           deploy.Backend
	Images            deploy.Images
	LogLevel          string
	EnforceMFA        bool
	TrustAPIKeyHeader string
	SESAdminEmail     string
	SESSenderEmail    string
	KitDate           string
	KitSlotNames      []string
	MinClients        int
	DBUser            string
	RegistryUser      string
	HealthTimeout     time.Duration

	UserPoolID        pulumi.StringInput
	AppClientID       pulumi.StringInput
	DBAddress         pulumi.StringInput
	DBPort            pulumi.IntInput
	DBName            pulumi.StringInput
	DBMasterSecretARN pulumi.StringInput
	FlipAPISecretName pulumi.StringInput
	FlipAPISecretARN  pulumi.StringInput
	// RegistryTokenSecretARN is "" or nil when images are public.
	RegistryTokenSecretARN pulumi.StringInput
	// BucketNames maps each deploy.BucketPurposes entry to its bucket.
	BucketNames pulumi.StringMapInput
	// FLServerRoleARN is the results-only role fl-server's credentials come from.
	FLServerRoleARN pulumi.StringInput
}

// Args configures the compute layer. Every value is decided by the caller.
type Args struct {
	// Prefix starts every physical name, e.g. "flip-stag".
	Prefix string
	Region string
	// Partition is the AWS partition (default "aws"), for the recover action's ARN.
	Partition pulumi.StringInput
	// AccountID is the stack's account: EventBridge may act for it only.
	AccountID pulumi.StringInput

	InstanceType string
	RootVolumeGB int
	// DetailedMonitoring turns on 1-minute EC2 metrics (prod).
	DetailedMonitoring bool
	// KMSKeyARN is the stack key: the root volume and the log groups.
	KMSKeyARN pulumi.StringInput
	// SubnetID is the private subnet the host runs in.
	SubnetID            pulumi.StringInput
	SecurityGroupID     pulumi.StringInput
	InstanceProfileName pulumi.StringInput
	// APITargetGroupARN (the ALB's flip-api group) and FLTargetGroupARN (the NLB's FL group)
	// receive the host on APIPort and FLPort.
	APITargetGroupARN pulumi.StringInput
	FLTargetGroupARN  pulumi.StringInput
	APIPort           int
	FLPort            int
	LogRetentionDays  int
	// HostDependsOn are resources the host must wait for (the network's NAT routes and VPC
	// endpoints, which its bootstrap needs but its inputs do not reference).
	HostDependsOn []pulumi.Resource

	Deploy Deploy
	// DeployDependsOn are resources the deploy must wait for (the database, the FLIP_API secret
	// value, the host role's policies).
	DeployDependsOn []pulumi.Resource
	// HubctlPath is the hubctl the deploy command runs (default DefaultHubctl).
	HubctlPath string
	// DeployTimeout bounds one deploy (default DefaultDeployTimeout).
	DeployTimeout time.Duration
	// Triggers are extra values whose change re-runs the deploy.
	Triggers pulumi.Array
}

// Compute is the hub host component.
//
// The instance allows IMDSv2 only, boots from an encrypted gp3 root volume under the stack key and
// carries the identity layer's instance profile; an alarm recovers it when the EC2 system status
// check fails. It is registered in the ALB (flip-api) and NLB (FL) target groups, and its first
// boot installs Docker Engine with the compose plugin, the CloudWatch agent and the AWS CLI. User
// data and the deploy script name secrets by ARN; the host reads them with its instance role.
type Compute struct {
	pulumi.ResourceState

	InstanceID pulumi.StringOutput
	PrivateIP  pulumi.StringOutput
	// AMIID is the image the host was launched from (later AMI releases are ignored).
	AMIID pulumi.StringOutput
	// DeployHash is the content hash of the last rendered deploy.
	DeployHash pulumi.StringOutput
	// DeployCommandID is the SSM command ID of the last deploy, read from hubctl's output.
	DeployCommandID pulumi.StringOutput
	// LogGroupNames are the host's log groups: containers, system, deploy.
	LogGroupNames pulumi.StringArrayOutput
	// Deploy is the hub deploy command itself, for what must run after the hub is up
	// (naming the resource, not the component, keeps the dependency exact: a component
	// expands only to the children registered by the time it is read).
	Deploy pulumi.Resource
}

func (a *Args) defaults() {
	if a.APIPort == 0 {
		a.APIPort = DefaultAPIPort
	}
	if a.HubctlPath == "" {
		a.HubctlPath = DefaultHubctl
	}
	if a.DeployTimeout == 0 {
		a.DeployTimeout = DefaultDeployTimeout
	}
	if a.Partition == nil {
		a.Partition = pulumi.String("aws")
	}
}

func (a Args) validate() error {
	switch {
	case a.Prefix == "" || !awsid.Region(a.Region):
		return fmt.Errorf("want a prefix and an AWS region, got %q and %q", a.Prefix, a.Region)
	case a.RootVolumeGB < 20 || a.RootVolumeGB > 16384:
		return fmt.Errorf("root volume %d GB: want 20-16384", a.RootVolumeGB)
	case a.KMSKeyARN == nil || a.SubnetID == nil || a.SecurityGroupID == nil || a.InstanceProfileName == nil:
		return fmt.Errorf("want the stack key, a subnet, a security group and an instance profile")
	case a.APITargetGroupARN == nil || a.FLTargetGroupARN == nil:
		return fmt.Errorf("want the API and FL target groups")
	case a.AccountID == nil:
		return fmt.Errorf("want the account ID")
	case a.FLPort < 1 || a.FLPort > 65535 || a.FLPort == 22 || a.FLPort == 3389 || a.FLPort == a.APIPort:
		return fmt.Errorf("fl port %d: want 1-65535, not 22, 3389 or the API port %d", a.FLPort, a.APIPort)
	case a.LogRetentionDays < 1:
		return fmt.Errorf("log retention %d days: want at least 1", a.LogRetentionDays)
	case a.DeployTimeout < time.Minute:
		return fmt.Errorf("deploy timeout %s: want at least a minute", a.DeployTimeout)
	case strings.ContainsAny(a.HubctlPath, "\n\r\x00"):
		return fmt.Errorf("hubctl path %q holds a control character", a.HubctlPath)
	}
	d := a.Deploy
	switch {
	case d.UserPoolID == nil || d.AppClientID == nil:
		return fmt.Errorf("deploy: want the user pool and app client")
	case d.DBAddress == nil || d.DBPort == nil || d.DBName == nil || d.DBMasterSecretARN == nil:
		return fmt.Errorf("deploy: want the database address, port, name and master secret")
	case d.FlipAPISecretName == nil || d.FlipAPISecretARN == nil || d.BucketNames == nil:
		return fmt.Errorf("deploy: want the FLIP_API secret and the bucket names")
	case d.FLServerRoleARN == nil:
		return fmt.Errorf("deploy: want the fl-server role")
	}
	return nil
}

// New builds the hub host, its log groups and alarm, its load balancer registrations and the
// hub deploy.
//
// The deploy command runs hubctl from PATH by default (DefaultHubctl): build it first with
// `go build -o "$(go env GOPATH)/bin/hubctl" ./cmd/hubctl`, or set Args.HubctlPath.
func New(ctx *pulumi.Context, name string, args Args, opts ...pulumi.ResourceOption) (*Compute, error) {
	args.defaults()
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("compute %s: %w", name, err)
	}
	arch, err := Arch(args.InstanceType)
	if err != nil {
		return nil, fmt.Errorf("compute %s: %w", name, err)
	}
	c := &Compute{}
	if err := ctx.RegisterComponentResource(TypeToken, name, c, opts...); err != nil {
		return nil, fmt.Errorf("compute %s: %w", name, err)
	}
	nm := namer.New(args.Prefix)

	logs, err := newLogGroups(ctx, nm, args, c)
	if err != nil {
		return nil, err
	}
	h, err := newHost(ctx, nm, args, arch, logs, c)
	if err != nil {
		return nil, err
	}
	cmd, err := newDeploy(ctx, args, h, logs, c)
	if err != nil {
		return nil, err
	}
	if err := newRotationRestart(ctx, nm, args, h, c); err != nil {
		return nil, err
	}

	c.InstanceID = h.instance.ID().ToStringOutput()
	c.PrivateIP = h.instance.PrivateIp
	c.AMIID = h.instance.Ami
	c.DeployHash = cmd.hash
	c.Deploy = cmd.cmd
	c.DeployCommandID = cmd.commandID
	c.LogGroupNames = pulumi.StringArray{logs.containers.Name, logs.system.Name, logs.deploy.Name}.ToStringArrayOutput()
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{
		"instanceId":      c.InstanceID,
		"privateIp":       c.PrivateIP,
		"amiId":           c.AMIID,
		"deployHash":      c.DeployHash,
		"deployCommandId": c.DeployCommandID,
		"logGroupNames":   c.LogGroupNames,
	}); err != nil {
		return nil, fmt.Errorf("compute outputs: %w", err)
	}
	return c, nil
}
