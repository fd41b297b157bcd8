package trusthost

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/secretsmanager"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ssm"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/vpc"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/internal/ec2host"
	"github.com/londonaicentre/flip-hub/internal/iamdoc"
	"github.com/londonaicentre/flip-hub/internal/kit"
	"github.com/londonaicentre/flip-hub/internal/namer"
	"github.com/londonaicentre/flip-hub/internal/trustdeploy"
)

// amiParameter is AWS's public SSM parameter for Canonical's current Ubuntu 24.04 LTS amd64 image
// with a gp3 root volume, the one upstream's trust host boots. [modules/trust_ec2/main.tf @0a13d3f]
const amiParameter = "/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id"

// credentialBytes is the entropy of each minted trust-local credential: 24 bytes, 32 URL-safe
// characters.
const credentialBytes = 24

type builder struct {
	ctx    *pulumi.Context
	args   Args
	c      *TrustHost
	parent pulumi.ResourceOrInvokeOption
	nm     namer.Namer

	sg      *ec2.SecurityGroup
	logs    []*cloudwatch.LogGroup
	secret  *secretsmanager.Secret
	version *secretsmanager.SecretVersion
	// kitDigest changes whenever the kit does (see KitDigest).
	kitDigest pulumi.StringOutput
	profile   *iam.InstanceProfile
	roleARN   pulumi.StringOutput
	ready     []pulumi.Resource
	instance  *ec2.Instance
}

// Egress is one rule of the trust host's group: all it may reach. Nothing may reach it.
type Egress struct {
	Kind        string
	Port        int
	Description string
}

// EgressRules are the trust host's outbound rules, to anywhere (its traffic leaves through the
// hub's NAT gateways): HTTPS for AWS APIs, the image registries and the hub's API; HTTP for Ubuntu's
// archive (apt verifies signatures); the hub's FL port, which the FL client reaches at NLB_SUBDOMAIN.
func EgressRules(flPort int) []Egress {
	return []Egress{
		{"out-https", 443, "HTTPS to AWS APIs, the image registries and the hub API"},
		{"out-http", 80, "HTTP to Ubuntu archive mirrors for security updates (apt checks signatures)"},
		{"out-fl", flPort, "The hub FL server at its public FL endpoint"},
	}
}

func (b *builder) securityGroup() error {
	a := b.args
	sg, err := ec2.NewSecurityGroup(b.ctx, ResourceName(a.Code, "host"), &ec2.SecurityGroupArgs{
		Name:                pulumi.String(b.nm.Bounded(255, "host")),
		Description:         pulumi.String("Trust host " + a.Code + ": no ingress (operators use SSM), egress for updates, images, the hub API and FL"),
		VpcId:               a.VPCID,
		RevokeRulesOnDelete: pulumi.Bool(true),
		Tags:                pulumi.StringMap{"Name": pulumi.String(b.nm.Name("host"))},
	}, b.parent)
	if err != nil {
		return fmt.Errorf("security group: %w", err)
	}
	b.sg = sg
	for _, r := range EgressRules(a.FLPort) {
		name := ResourceName(a.Code, r.Kind)
		if _, err := vpc.NewSecurityGroupEgressRule(b.ctx, name, &vpc.SecurityGroupEgressRuleArgs{
			SecurityGroupId: sg.ID(),
			Description:     pulumi.String(r.Description),
			IpProtocol:      pulumi.String("tcp"),
			FromPort:        pulumi.Int(r.Port),
			ToPort:          pulumi.Int(r.Port),
			CidrIpv4:        pulumi.String("0.0.0.0/0"),
			Tags:            pulumi.StringMap{"Name": pulumi.String(name)},
		}, b.parent); err != nil {
			return fmt.Errorf("security group rule %s: %w", name, err)
		}
	}
	return nil
}

func (b *builder) logGroups() error {
	a := b.args
	names := LogGroupNames(a.Prefix, a.Code)
	for _, g := range []struct{ kind, name string }{
		{"containers", names.Containers}, {"system", names.System}, {"deploy", names.Deploy},
	} {
		lg, err := cloudwatch.NewLogGroup(b.ctx, ResourceName(a.Code, g.kind), &cloudwatch.LogGroupArgs{
			Name:            pulumi.String(g.name),
			RetentionInDays: pulumi.Int(a.LogRetentionDays),
			KmsKeyId:        a.KMSKeyARN,
			Tags:            pulumi.StringMap{"Name": pulumi.String(g.name)},
		}, b.parent)
		if err != nil {
			return fmt.Errorf("log group %s: %w", g.kind, err)
		}
		b.logs = append(b.logs, lg)
	}
	return nil
}

// KitSecretName is the Secrets Manager name of a trust's kit.
func KitSecretName(prefix, code string) string {
	return namer.New(prefix).Name("trust", code, "kit")
}

// kitSecret mints the trust-local credentials and stores the whole kit file in the trust's own
// secret, which only its host role may read.
func (b *builder) kitSecret() error {
	a := b.args
	n := len(trustdeploy.LocalSecretKeys)
	raw, err := random.NewRandomBytes(b.ctx, ResourceName(a.Code, "credentials"), &random.RandomBytesArgs{
		Length: pulumi.Int(n * credentialBytes),
	}, b.parent)
	if err != nil {
		return fmt.Errorf("trust-local credentials: %w", err)
	}
	secret, err := secretsmanager.NewSecret(b.ctx, ResourceName(a.Code, "kit"), &secretsmanager.SecretArgs{
		Name:                 pulumi.String(KitSecretName(a.Prefix, a.Code)),
		Description:          pulumi.String("Kit file of the AWS-hosted trust " + a.Code + ", read by its host alone"),
		KmsKeyId:             a.KMSKeyARN,
		RecoveryWindowInDays: pulumi.Int(a.SecretRecoveryWindowDays),
		Tags:                 pulumi.StringMap{"Name": pulumi.String(KitSecretName(a.Prefix, a.Code))},
	}, b.parent)
	if err != nil {
		return fmt.Errorf("kit secret: %w", err)
	}
	id := trustdeploy.Identity{Name: a.Name, Code: a.Code, Region: a.TrustRegion}
	hub := a.Hub
	k := a.Keys
	content := pulumi.All(raw.Base64, k.APIKey, k.InternalServiceKey, k.TrustID, k.SlotName, k.SlotNumber, a.AESKeyBase64).
		ApplyT(func(in []any) (string, error) {
			local, err := SplitCredentials(in[0].(string), n)
			if err != nil {
				return "", err
			}
			h := hub
			h.AESKeyBase64 = kit.Secret(in[6].(string))
			out, err := trustdeploy.Kit(id, local, kit.Trust{
				APIKey:             kit.Secret(in[1].(string)),
				InternalServiceKey: kit.Secret(in[2].(string)),
				TrustID:            in[3].(string),
				SlotName:           in[4].(string),
				SlotNumber:         in[5].(int),
			}, h)
			return string(out), err
		}).(pulumi.StringOutput)
	version, err := secretsmanager.NewSecretVersion(b.ctx, ResourceName(a.Code, "kit"), &secretsmanager.SecretVersionArgs{
		SecretId:     secret.Arn,
		SecretString: pulumi.ToSecret(content).(pulumi.StringOutput),
	}, b.parent, pulumi.DeletedWith(secret))
	if err != nil {
		return fmt.Errorf("kit secret value: %w", err)
	}
	b.secret, b.version = secret, version
	b.kitDigest = pulumi.Unsecret(content.ApplyT(KitDigest)).(pulumi.StringOutput)
	return nil
}

// KitDigest fingerprints a kit for the deploy's triggers, so any change of the kit re-runs the
// deploy whatever the secret version's ID does. It is no secret: the kit holds several 256-bit
// random keys, so its digest gives nothing to guess against, and it authenticates nothing.
func KitDigest(kit string) string {
	sum := sha256.Sum256([]byte("flip-hub trust kit\x00" + kit))
	return hex.EncodeToString(sum[:])
}

// SplitCredentials re-encodes n*24 random bytes (standard base64, as RandomBytes gives them) as n
// URL-safe credentials of 32 characters. Too few bytes is an error that shows no value.
func SplitCredentials(stdBase64 string, n int) ([]string, error) {
	raw, err := base64.StdEncoding.DecodeString(stdBase64)
	if err != nil || len(raw) < n*credentialBytes {
		return nil, fmt.Errorf("trust-local credentials: want %d random bytes", n*credentialBytes)
	}
	out := make([]string, n)
	for i := range n {
		out[i] = base64.RawURLEncoding.EncodeToString(raw[i*credentialBytes : (i+1)*credentialBytes])
	}
	return out, nil
}

// Grants are the exact resources a trust host may use.
type Grants struct {
	Partition, Region string
	KitSecret, KMSKey string
	KitsBucket        string
	// ListPrefix is the key prefix the host may list; Objects the object ARNs (or ARN patterns)
	// it may read.
	ListPrefix string
	Objects    []string
}

// KitGrants are what a slot's FL material is, in the kits bucket: NVFLARE's participant directory
// of the slot, or Flower's CA certificate and the slot's own SuperNode key (listing the release's
// net-1 prefix, which `aws s3 sync --include` filters on the host).
// [trust/deploy/ansible/roles/flip_fl_kit/tasks/s3.yml]
func KitGrants(g Grants, backend, kitDate, slot string, slotNumber int) Grants {
	arn := fmt.Sprintf("arn:%s:s3:::%s/", g.Partition, g.KitsBucket)
	if backend == "flower" {
		prefix := flowerPrefix(kitDate)
		g.ListPrefix = prefix + "/"
		g.Objects = []string{arn + prefix + "/certificates/ca.crt", arn + prefix + "/keys/" + flowerCredential(slotNumber)}
		return g
	}
	prefix := flarePrefix(kitDate, slot)
	g.ListPrefix = prefix + "/"
	g.Objects = []string{arn + prefix + "/*"}
	return g
}

// Policy is the trust host role's inline policy: its own kit secret, the stack key through Secrets
// Manager and S3 only, and reading its own slot's FL material. No action and no resource is a
// wildcard; nothing else of the hub is named.
func Policy(g Grants) (string, error) {
	switch {
	case g.KitSecret == "" || g.KMSKey == "" || g.KitsBucket == "" || g.ListPrefix == "" || len(g.Objects) == 0:
		return "", fmt.Errorf("trust host policy: want the kit secret, the key, the kits bucket and the slot's objects")
	case strings.Contains(g.ListPrefix, "*"):
		return "", fmt.Errorf("trust host policy: prefix %q holds a wildcard", g.ListPrefix)
	}
	return iamdoc.JSON(
		iamdoc.Statement{
			Sid:      "ReadOwnKit",
			Effect:   iamdoc.Allow,
			Action:   []string{"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"},
			Resource: []string{g.KitSecret},
		},
		iamdoc.Statement{
			Sid:       "DecryptThroughSecretsAndS3",
			Effect:    iamdoc.Allow,
			Action:    []string{"kms:Decrypt"},
			Resource:  []string{g.KMSKey},
			Condition: map[string]map[string]any{"StringEquals": {"kms:ViaService": []string{"secretsmanager." + g.Region + ".amazonaws.com", "s3." + g.Region + ".amazonaws.com"}}},
		},
		iamdoc.Statement{
			Sid:       "ListOwnSlotKit",
			Effect:    iamdoc.Allow,
			Action:    []string{"s3:ListBucket"},
			Resource:  []string{fmt.Sprintf("arn:%s:s3:::%s", g.Partition, g.KitsBucket)},
			Condition: map[string]map[string]any{"StringLike": {"s3:prefix": []string{g.ListPrefix, g.ListPrefix + "*"}}},
		},
		iamdoc.Statement{
			Sid:      "ReadOwnSlotKit",
			Effect:   iamdoc.Allow,
			Action:   []string{"s3:GetObject"},
			Resource: g.Objects,
		},
	)
}

// TrustPolicy lets EC2 alone assume the role.
func TrustPolicy() (string, error) {
	return iamdoc.JSON(iamdoc.Statement{
		Effect:    iamdoc.Allow,
		Principal: map[string]any{"Service": "ec2.amazonaws.com"},
		Action:    []string{"sts:AssumeRole"},
	})
}

func (b *builder) role() error {
	a := b.args
	trust, err := TrustPolicy()
	if err != nil {
		return err
	}
	role, err := iam.NewRole(b.ctx, ResourceName(a.Code, "host"), &iam.RoleArgs{
		Name:               pulumi.String(b.nm.Bounded(64, "host")),
		Description:        pulumi.String("FLIP trust host " + a.Code + ": SSM, CloudWatch agent, its own kit secret and FL kit slot, nothing else of the hub"),
		AssumeRolePolicy:   pulumi.String(trust),
		MaxSessionDuration: pulumi.Int(3600),
		Tags:               pulumi.StringMap{"Name": pulumi.String(b.nm.Name("host"))},
	}, b.parent)
	if err != nil {
		return fmt.Errorf("role: %w", err)
	}
	for _, p := range ManagedPolicies {
		att, err := iam.NewRolePolicyAttachment(b.ctx, ResourceName(a.Code, strings.ToLower(p)), &iam.RolePolicyAttachmentArgs{
			Role:      role.Name,
			PolicyArn: pulumi.Sprintf("arn:%s:iam::aws:policy/%s", a.Partition, p),
		}, b.parent)
		if err != nil {
			return fmt.Errorf("role policy %s: %w", p, err)
		}
		b.ready = append(b.ready, att)
	}
	doc := pulumi.All(a.Partition, b.secret.Arn, a.KMSKeyARN, a.KitsBucket, a.Keys.SlotName, a.Keys.SlotNumber).
		ApplyT(func(in []any) (string, error) {
			g := Grants{Partition: in[0].(string), Region: a.Region, KitSecret: in[1].(string), KMSKey: in[2].(string), KitsBucket: in[3].(string)}
			return Policy(KitGrants(g, string(a.Backend), a.KitDate, in[4].(string), in[5].(int)))
		}).(pulumi.StringOutput)
	pol, err := iam.NewRolePolicy(b.ctx, ResourceName(a.Code, "host"), &iam.RolePolicyArgs{
		Role:   role.ID(),
		Name:   pulumi.String("trust-kit-read"),
		Policy: doc,
	}, b.parent)
	if err != nil {
		return fmt.Errorf("role policy: %w", err)
	}
	b.ready = append(b.ready, pol)
	profile, err := iam.NewInstanceProfile(b.ctx, ResourceName(a.Code, "host"), &iam.InstanceProfileArgs{
		Name: pulumi.String(b.nm.Bounded(128, "host")),
		Role: role.Name,
		Tags: pulumi.StringMap{"Name": pulumi.String(b.nm.Name("host"))},
	}, b.parent)
	if err != nil {
		return fmt.Errorf("instance profile: %w", err)
	}
	b.profile, b.roleARN = profile, role.Arn
	return nil
}

func (b *builder) host() error {
	a := b.args
	ami := ssm.LookupParameterOutput(b.ctx, ssm.LookupParameterOutputArgs{
		Name:           pulumi.String(amiParameter),
		WithDecryption: pulumi.Bool(false),
	}, b.parent).InsecureValue()
	opts := []pulumi.ResourceOption{
		b.parent,
		// As upstream and the hub host: a new Canonical image must not replace the host and its
		// data; user data runs once, on first boot. [modules/trust_ec2/main.tf ignore_changes = [ami]]
		pulumi.IgnoreChanges([]string{"ami", "userData"}),
		pulumi.DependsOn(a.HostDependsOn),
		pulumi.DependsOn([]pulumi.Resource{b.logs[0], b.logs[1]}),
		pulumi.DependsOn(b.ready),
	}
	if a.Protect {
		opts = append(opts, pulumi.Protect(true))
	}
	name := b.nm.Name("host")
	inst, err := ec2.NewInstance(b.ctx, ResourceName(a.Code, "host"), &ec2.InstanceArgs{
		Ami:                      ami,
		InstanceType:             pulumi.String(a.InstanceType),
		SubnetId:                 a.SubnetID,
		VpcSecurityGroupIds:      pulumi.StringArray{b.sg.ID()},
		IamInstanceProfile:       b.profile.Name,
		AssociatePublicIpAddress: pulumi.Bool(false),
		UserData:                 pulumi.String(a.UserData),
		Monitoring:               pulumi.Bool(a.DetailedMonitoring),
		EbsOptimized:             pulumi.Bool(true),
		DisableApiTermination:    pulumi.Bool(a.Protect),
		MetadataOptions:          ec2host.MetadataOptions(IMDSHopLimit),
		RootBlockDevice:          ec2host.RootVolume(a.RootVolumeGB, a.KMSKeyARN, name),
		MaintenanceOptions:       &ec2.InstanceMaintenanceOptionsArgs{AutoRecovery: pulumi.String("default")},
		Tags:                     pulumi.StringMap{"Name": pulumi.String(name), "flip:trust": pulumi.String(a.Code)},
	}, opts...)
	if err != nil {
		return fmt.Errorf("host: %w", err)
	}
	b.instance = inst
	return nil
}
