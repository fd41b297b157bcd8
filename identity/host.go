package identity

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/internal/iamdoc"
	"github.com/londonaicentre/flip-hub/internal/namer"
)

// HostService is the one service that may assume the hub host role.
const HostService = "ec2.amazonaws.com"

// ManagedPolicies are the AWS managed policies attached to the hub host role, by name:
//   - AmazonSSMManagedInstanceCore lets the SSM agent register, run commands and carry
//     Session Manager sessions, the only way in (port 22 is closed).
//   - CloudWatchAgentServerPolicy lets the CloudWatch agent ship host logs and metrics.
//     It is used as AWS maintains it rather than copied, because AWS keeps it in step with
//     the agent, and its broad parts cannot be narrowed anyway: cloudwatch:PutMetricData,
//     ec2:DescribeTags and ec2:DescribeVolumes support no resource-level permissions.
//
// Both grant some actions on "*" because the SSM, SSM-messages, EC2-messages and
// CloudWatch metric APIs have no narrower resource; the role's own statements never do.
var ManagedPolicies = []string{"AmazonSSMManagedInstanceCore", "CloudWatchAgentServerPolicy"}

// UserPoolActions are the Cognito admin calls flip-api makes on the hub's pool (from its
// identity provider): list and look up users, create (invite), delete, enable and
// disable them, reset their MFA and sign them out everywhere, and read the app client's
// callback URLs (its CORS origins). Roles live in flip-api's database, so no group
// calls; password setting stays with operators.
var UserPoolActions = []string{
	"cognito-idp:ListUsers",
	"cognito-idp:AdminGetUser",
	"cognito-idp:AdminCreateUser",
	"cognito-idp:AdminDeleteUser",
	"cognito-idp:AdminEnableUser",
	"cognito-idp:AdminDisableUser",
	"cognito-idp:AdminSetUserMFAPreference",
	"cognito-idp:AdminUserGlobalSignOut",
	"cognito-idp:DescribeUserPoolClient",
}

// KMSViaServices are the services through which the host may use the stack key.
var KMSViaServices = []string{"secretsmanager", "s3", "ssm"}

// HostGrants are the exact resources the hub host may use.
type HostGrants struct {
	Partition, Region, Account string
	// Secrets are the ARNs of the secrets the host reads ("" entries are skipped).
	Secrets []string
	KMSKey  string
	// Buckets are the application bucket ARNs; ReadWriteObjects and ReadOnlyObjects the object
	// ARN patterns the host writes, and only reads.
	Buckets                           []string
	ReadWriteObjects, ReadOnlyObjects []string
	// Sender is the From address the host may send as; SESResources are the identity,
	// configuration set and template ARNs it sends through.
	Sender       string
	SESResources []string
	UserPool     string
	// ParameterPath is the SSM path the host reads, e.g. /flip.
	ParameterPath string
	// FLServerRole is the role the host assumes to hand fl-server scoped credentials.
	FLServerRole string
}

// HostPolicy is the hub host role's inline policy: one statement per thing the host does,
// each naming the exact resources. No action and no resource is a wildcard.
func HostPolicy(g HostGrants) (string, error) {
	var secrets []string
	for _, s := range g.Secrets {
		if s != "" {
			secrets = append(secrets, s)
		}
	}
	switch {
	case len(secrets) == 0:
		return "", fmt.Errorf("host policy: no secrets to read")
	case len(g.Buckets) == 0 || len(g.ReadWriteObjects) == 0 || len(g.ReadOnlyObjects) == 0:
		return "", fmt.Errorf("host policy: no application buckets or object grants")
	case g.KMSKey == "" || g.UserPool == "" || g.Sender == "" || len(g.SESResources) == 0 || g.FLServerRole == "":
		return "", fmt.Errorf("host policy: key, user pool, sender, SES resources and the fl-server role are all required")
	}
	via := make([]string, len(KMSViaServices))
	for i, s := range KMSViaServices {
		via[i] = fmt.Sprintf("%s.%s.amazonaws.com", s, g.Region)
	}
	params := fmt.Sprintf("arn:%s:ssm:%s:%s:parameter/%s", g.Partition, g.Region, g.Account, strings.Trim(g.ParameterPath, "/"))
	return iamdoc.JSON(
		iamdoc.Statement{
			Sid:      "ReadHubSecrets",
			Effect:   iamdoc.Allow,
			Action:   []string{"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"},
			Resource: secrets,
		},
		iamdoc.Statement{
			// Secrets, SSE-KMS objects and SecureString parameters are encrypted with the
			// stack key; the host may use it only through those services.
			Sid:       "UseStackKeyThroughHubServices",
			Effect:    iamdoc.Allow,
			Action:    []string{"kms:Decrypt", "kms:GenerateDataKey"},
			Resource:  []string{g.KMSKey},
			Condition: map[string]map[string]any{"StringEquals": {"kms:ViaService": via}},
		},
		iamdoc.Statement{
			Sid:      "ListAppBuckets",
			Effect:   iamdoc.Allow,
			Action:   []string{"s3:ListBucket"},
			Resource: g.Buckets,
		},
		iamdoc.Statement{
			// Only under the prefixes FLIP's services write: uploads, results, job bundles.
			Sid:      "ReadWriteAppObjects",
			Effect:   iamdoc.Allow,
			Action:   []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject"},
			Resource: g.ReadWriteObjects,
		},
		iamdoc.Statement{
			// The base application and the FL kits are published by operators: read only.
			Sid:      "ReadAppObjects",
			Effect:   iamdoc.Allow,
			Action:   []string{"s3:GetObject"},
			Resource: g.ReadOnlyObjects,
		},
		iamdoc.Statement{
			// SES v2 SendEmail authorizes the identity, the configuration set and the
			// template; the sender address is pinned as well.
			Sid:       "SendAsHubSender",
			Effect:    iamdoc.Allow,
			Action:    []string{"ses:SendEmail", "ses:SendTemplatedEmail"},
			Resource:  g.SESResources,
			Condition: map[string]map[string]any{"StringEquals": {"ses:FromAddress": g.Sender}},
		},
		iamdoc.Statement{
			Sid:      "ManageHubUsers",
			Effect:   iamdoc.Allow,
			Action:   UserPoolActions,
			Resource: []string{g.UserPool},
		},
		iamdoc.Statement{
			// GetParametersByPath is authorized on the path itself, the others on each name.
			Sid:      "ReadHubParameters",
			Effect:   iamdoc.Allow,
			Action:   []string{"ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"},
			Resource: []string{params, params + "/*"},
		},
		iamdoc.Statement{
			// fl-server's credentials (deploy.CredentialsScript): the host assumes the
			// results-only role and hands the container that, never its own.
			Sid:      "AssumeFLServerRole",
			Effect:   iamdoc.Allow,
			Action:   []string{"sts:AssumeRole"},
			Resource: []string{g.FLServerRole},
		},
	)
}

// HostTrustPolicy lets EC2 alone assume the role, for the hub host's instance profile.
func HostTrustPolicy() (string, error) {
	return iamdoc.JSON(iamdoc.Statement{
		Effect:    iamdoc.Allow,
		Principal: map[string]any{"Service": HostService},
		Action:    []string{"sts:AssumeRole"},
	})
}

type hostRole struct {
	role     *iam.Role
	profile  *iam.InstanceProfile
	flServer *iam.Role
}

func newHostRole(ctx *pulumi.Context, nm namer.Namer, args Args, m *mail, u *users, id *Identity) (*hostRole, error) {
	parent := pulumi.Parent(id)
	trust, err := HostTrustPolicy()
	if err != nil {
		return nil, fmt.Errorf("hub host trust policy: %w", err)
	}
	role, err := iam.NewRole(ctx, "hub-host", &iam.RoleArgs{
		Name:               pulumi.String(nm.Bounded(64, "hub-host")),
		Description:        pulumi.String("FLIP hub host: SSM access, CloudWatch agent, and the hub's own secrets, key, buckets, mail, users and /flip parameters"),
		AssumeRolePolicy:   pulumi.String(trust),
		MaxSessionDuration: pulumi.Int(3600),
		Tags:               pulumi.StringMap{"Name": pulumi.String(nm.Name("hub-host"))},
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("hub host role: %w", err)
	}
	for _, p := range ManagedPolicies {
		att, err := iam.NewRolePolicyAttachment(ctx, "hub-host-"+strings.ToLower(p), &iam.RolePolicyAttachmentArgs{
			Role:      role.Name,
			PolicyArn: pulumi.Sprintf("arn:%s:iam::aws:policy/%s", args.Partition, p),
		}, parent)
		if err != nil {
			return nil, fmt.Errorf("hub host policy %s: %w", p, err)
		}
		id.Ready = append(id.Ready, att)
	}

	flServer, err := newFLServerRole(ctx, nm, args, role, id)
	if err != nil {
		return nil, err
	}
	registry := args.RegistryTokenSecretARN
	if registry == nil {
		registry = pulumi.String("")
	}
	templates := make(pulumi.StringArray, len(m.templates))
	for i, t := range m.templates {
		templates[i] = t.Arn
	}
	policy := pulumi.All(
		args.Partition, args.AccountID, args.KMSKeyARN,
		args.FlipAPISecretARN, args.DBMasterSecretARN, registry,
		args.AppBucketARNs, m.identity.Arn, m.configSet.Arn, templates, u.pool.Arn,
		args.AppObjectsReadWrite, args.AppObjectsReadOnly, flServer.Arn,
	).ApplyT(func(in []any) (string, error) {
		ses := append([]string{in[7].(string), in[8].(string)}, in[9].([]string)...)
		return HostPolicy(HostGrants{
			Partition:        in[0].(string),
			Region:           args.Region,
			Account:          in[1].(string),
			KMSKey:           in[2].(string),
			Secrets:          []string{in[3].(string), in[4].(string), in[5].(string)},
			Buckets:          in[6].([]string),
			ReadWriteObjects: in[11].([]string),
			ReadOnlyObjects:  in[12].([]string),
			Sender:           args.SenderEmail,
			SESResources:     ses,
			UserPool:         in[10].(string),
			ParameterPath:    args.ParameterPath,
			FLServerRole:     in[13].(string),
		})
	}).(pulumi.StringOutput)
	inline, err := iam.NewRolePolicy(ctx, "hub-host", &iam.RolePolicyArgs{
		Role:   role.ID(),
		Name:   pulumi.String("hub-host-least-privilege"),
		Policy: policy,
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("hub host inline policy: %w", err)
	}
	id.Ready = append(id.Ready, inline)
	profile, err := iam.NewInstanceProfile(ctx, "hub-host", &iam.InstanceProfileArgs{
		Name: pulumi.String(nm.Bounded(128, "hub-host")),
		Role: role.Name,
		Tags: pulumi.StringMap{"Name": pulumi.String(nm.Name("hub-host"))},
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("hub host instance profile: %w", err)
	}
	id.Ready = append(id.Ready, profile)
	return &hostRole{role: role, profile: profile, flServer: flServer}, nil
}
