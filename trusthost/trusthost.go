package trusthost

import (
	"fmt"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/internal/awsid"
	"github.com/londonaicentre/flip-hub/internal/flip"
	"github.com/londonaicentre/flip-hub/internal/kit"
	"github.com/londonaicentre/flip-hub/internal/namer"
)

// TypeToken is the component's Pulumi type.
const TypeToken = "flip:trusthost:TrustHost"

// Upstream's trust host: the root module passes t3.xlarge, and the root volume is 100 GB gp3,
// encrypted, sized for the FL client image, XNAT, Orthanc, OMOP and the imaging archive.
// [deploy/providers/AWS/modules/trust_ec2/main.tf @0a13d3f; deploy/providers/AWS/main.tf module call]
const (
	DefaultInstanceType = "t3.xlarge"
	DefaultRootVolumeGB = 100
	// DefaultDeployTimeout bounds one trust deploy: the bootstrap, pulling every image (the FL
	// client's alone is several GB) and the services' start.
	DefaultDeployTimeout = 45 * time.Minute
	// DefaultPingTimeout bounds the wait for a new host's SSM agent to register.
	DefaultPingTimeout = 15 * time.Minute
)

// IMDSHopLimit is the trust host's IMDSv2 PUT response hop limit: 2, as upstream sets it, because
// a containerised SDK call reaches IMDS through the Docker bridge, one hop more.
// [deploy/providers/AWS/modules/trust_ec2/main.tf @0a13d3f metadata_options (FLIP#1058)]
const IMDSHopLimit = 2

// ManagedPolicies are the AWS managed policies of the trust host role, as of the hub host's:
// the SSM agent (the only way in) and the CloudWatch agent.
var ManagedPolicies = []string{"AmazonSSMManagedInstanceCore", "CloudWatchAgentServerPolicy"}

// KitKeys are the trust's values from the trusts layer: its keys (secret) and its registration.
type KitKeys struct {
	APIKey, InternalServiceKey pulumi.StringInput
	TrustID, SlotName          pulumi.StringInput
	SlotNumber                 pulumi.IntInput
}

// Args configures one trust host. Every value is decided by the caller.
type Args struct {
	// Prefix starts every physical name, e.g. "flip-stag".
	Prefix string
	Region string
	// Code, Name and TrustRegion are the trust's identity.
	Code, Name, TrustRegion string
	// Env is the kit environment word: stag or production.
	Env     string
	Backend flip.Backend
	KitDate string

	InstanceType       string
	RootVolumeGB       int
	DetailedMonitoring bool
	// Protect keeps the host (and the trust's imaging data on its root volume) from being deleted:
	// EC2 termination protection and pulumi protect (prod).
	Protect bool
	// SecretRecoveryWindowDays is how long a deleted kit secret can be restored.
	SecretRecoveryWindowDays int

	Partition, AccountID pulumi.StringInput
	// KMSKeyARN is the stack key: root volume, log groups, kit secret; the kits bucket's objects.
	KMSKeyARN pulumi.StringInput
	VPCID     pulumi.StringInput
	// SubnetID is the private subnet the host runs in; its traffic leaves through the hub's NAT.
	SubnetID pulumi.StringInput
	// FLPort is the hub's FL port the FL client connects to.
	FLPort int
	// UserData is the host bootstrap (the hub host's: Docker, the CloudWatch agent, the AWS CLI),
	// shipping to the log groups LogGroupNames names. It holds no secret.
	UserData         string
	LogRetentionDays int
	// KitsBucket is the bucket of the FL participant kits.
	KitsBucket pulumi.StringInput

	Keys KitKeys
	// AESKeyBase64 is the hub's AES key (secret), for the kit's hub-shared block.
	AESKeyBase64 pulumi.StringInput
	// Hub holds the other hub-shared values (its AESKeyBase64 is ignored).
	Hub kit.Hub

	// HostDependsOn are what the host's bootstrap needs (NAT routes, VPC endpoints).
	HostDependsOn []pulumi.Resource
	// DeployDependsOn are what the deploy must wait for (the hub deploy).
	DeployDependsOn []pulumi.Resource
	HubctlPath      string
	DeployTimeout   time.Duration
}

// TrustHost is one AWS-hosted trust.
type TrustHost struct {
	pulumi.ResourceState

	InstanceID pulumi.StringOutput
	PrivateIP  pulumi.StringOutput
	// SecurityGroupID is the host's own group.
	SecurityGroupID pulumi.IDOutput
	// RoleARN is the instance role.
	RoleARN pulumi.StringOutput
	// KitSecretARN is the secret holding the trust's kit file.
	KitSecretARN pulumi.StringOutput
	// DeployHash and DeployCommandID identify the last trust deploy.
	DeployHash      pulumi.StringOutput
	DeployCommandID pulumi.StringOutput
	// LogGroupNames are the host's log groups: containers, system, deploy.
	LogGroupNames pulumi.StringArrayOutput
}

// LogGroups names a trust host's CloudWatch log groups.
type LogGroups struct {
	Containers, System, Deploy string
}

// LogGroupNames are the names of a trust host's log groups.
func LogGroupNames(prefix, code string) LogGroups {
	nm := namer.New(prefix)
	return LogGroups{
		Containers: "/" + nm.Name("trust", code, "containers"),
		System:     "/" + nm.Name("trust", code, "system"),
		Deploy:     "/" + nm.Name("trust", code, "deploy"),
	}
}

// ResourceName is the logical name of a trust's resource of a kind ("host", "deploy", ...).
func ResourceName(code, kind string) string { return "trust-" + code + "-" + kind }

func (a *Args) defaults() {
	if a.InstanceType == "" {
		a.InstanceType = DefaultInstanceType
	}
	if a.RootVolumeGB == 0 {
		a.RootVolumeGB = DefaultRootVolumeGB
	}
	if a.HubctlPath == "" {
		a.HubctlPath = "hubctl"
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
	case !flip.ValidTrustCode(a.Code):
		return fmt.Errorf("trust code %q: want %s", a.Code, flip.TrustCodeRule)
	case a.Name == "":
		return fmt.Errorf("trust %s: want its name", a.Code)
	case a.Env != flip.KitEnvStag && a.Env != flip.KitEnvProduction:
		return fmt.Errorf("kit environment %q: want %s or %s", a.Env, flip.KitEnvStag, flip.KitEnvProduction)
	case !flip.ValidBackend(string(a.Backend)):
		return fmt.Errorf("fl backend %q: want nvflare or flower", a.Backend)
	case a.KitDate == "":
		return fmt.Errorf("want the FL kit date")
	case a.RootVolumeGB < 50 || a.RootVolumeGB > 16384:
		return fmt.Errorf("root volume %d GB: want 50-16384 (imaging data lives on it)", a.RootVolumeGB)
	case a.FLPort < 1 || a.FLPort > 65535 || a.FLPort == 22 || a.FLPort == 3389:
		return fmt.Errorf("fl port %d: want 1-65535, not 22 or 3389", a.FLPort)
	case a.LogRetentionDays < 1:
		return fmt.Errorf("log retention %d days: want at least 1", a.LogRetentionDays)
	case a.UserData == "":
		return fmt.Errorf("want the host bootstrap (user data)")
	case a.KMSKeyARN == nil || a.VPCID == nil || a.SubnetID == nil || a.KitsBucket == nil || a.AccountID == nil:
		return fmt.Errorf("want the stack key, the VPC, a subnet, the kits bucket and the account")
	case a.Keys.APIKey == nil || a.Keys.InternalServiceKey == nil || a.Keys.TrustID == nil ||
		a.Keys.SlotName == nil || a.Keys.SlotNumber == nil || a.AESKeyBase64 == nil:
		return fmt.Errorf("want the trust's keys and registration and the hub's AES key")
	case a.DeployTimeout < time.Minute:
		return fmt.Errorf("deploy timeout %s: want at least a minute", a.DeployTimeout)
	case strings.ContainsAny(a.HubctlPath, "\n\r\x00"):
		return fmt.Errorf("hubctl path %q holds a control character", a.HubctlPath)
	}
	return nil
}

// New builds one AWS-hosted trust: its security group, role, log groups, kit secret, host and
// deploy.
func New(ctx *pulumi.Context, name string, args Args, opts ...pulumi.ResourceOption) (*TrustHost, error) {
	args.defaults()
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("trust host %s: %w", name, err)
	}
	c := &TrustHost{}
	if err := ctx.RegisterComponentResource(TypeToken, name, c, opts...); err != nil {
		return nil, fmt.Errorf("trust host %s: %w", name, err)
	}
	b := &builder{ctx: ctx, args: args, c: c, parent: pulumi.Parent(c), nm: namer.New(args.Prefix, "trust", args.Code)}
	for _, step := range []func() error{b.securityGroup, b.logGroups, b.kitSecret, b.role, b.host, b.deploy} {
		if err := step(); err != nil {
			return nil, fmt.Errorf("trust host %s: %w", args.Code, err)
		}
	}
	c.InstanceID = b.instance.ID().ToStringOutput()
	c.PrivateIP = b.instance.PrivateIp
	c.SecurityGroupID = b.sg.ID()
	c.RoleARN = b.roleARN
	c.KitSecretARN = b.secret.Arn
	c.LogGroupNames = pulumi.StringArray{b.logs[0].Name, b.logs[1].Name, b.logs[2].Name}.ToStringArrayOutput()
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{
		"instanceId":      c.InstanceID,
		"privateIp":       c.PrivateIP,
		"securityGroupId": c.SecurityGroupID,
		"roleArn":         c.RoleARN,
		"kitSecretArn":    c.KitSecretARN,
		"deployHash":      c.DeployHash,
		"deployCommandId": c.DeployCommandID,
		"logGroupNames":   c.LogGroupNames,
	}); err != nil {
		return nil, fmt.Errorf("trust host outputs: %w", err)
	}
	return c, nil
}
