package identity

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/internal/iamdoc"
	"github.com/londonaicentre/flip-hub/internal/namer"
)

// FLServerSessionSeconds is the longest session the fl-server role gives: role chaining (the host
// role assuming it) is capped at one hour by STS whatever the role allows.
const FLServerSessionSeconds = 3600

// FLServerGrants are the exact resources fl-server's scoped credentials may use.
type FLServerGrants struct {
	Region string
	// Objects are the object ARN patterns fl-server writes: aggregated results.
	Objects []string
	// KMSKey encrypts the results bucket (SSE-KMS).
	KMSKey string
}

// FLServerPolicy is the fl-server role's inline policy: write results, and use the stack key
// through S3 only for that. Nothing else: fl-server runs researchers' job code, so it gets no
// secret, no database and no bucket read.
func FLServerPolicy(g FLServerGrants) (string, error) {
	if len(g.Objects) == 0 || g.KMSKey == "" || g.Region == "" {
		return "", fmt.Errorf("fl-server policy: objects, key and region are all required")
	}
	return iamdoc.JSON(
		iamdoc.Statement{
			// s3:PutObject also covers the parts of a multipart upload (upload_file).
			Sid:      "WriteResults",
			Effect:   iamdoc.Allow,
			Action:   []string{"s3:PutObject", "s3:AbortMultipartUpload"},
			Resource: g.Objects,
		},
		iamdoc.Statement{
			// SSE-KMS: a PutObject needs a data key, a multipart upload also Decrypt.
			Sid:       "EncryptResultsWithStackKey",
			Effect:    iamdoc.Allow,
			Action:    []string{"kms:GenerateDataKey", "kms:Decrypt"},
			Resource:  []string{g.KMSKey},
			Condition: map[string]map[string]any{"StringEquals": {"kms:ViaService": fmt.Sprintf("s3.%s.amazonaws.com", g.Region)}},
		},
	)
}

// FLServerTrustPolicy lets the hub host role alone assume the fl-server role.
func FLServerTrustPolicy(hostRoleARN string) (string, error) {
	if hostRoleARN == "" {
		return "", fmt.Errorf("fl-server trust policy: no host role")
	}
	return iamdoc.JSON(iamdoc.Statement{
		Effect:    iamdoc.Allow,
		Principal: map[string]any{"AWS": hostRoleARN},
		Action:    []string{"sts:AssumeRole"},
	})
}

// newFLServerRole is the role the host assumes to hand fl-server scoped credentials.
// Its inline policy joins ready: the deploy assumes the role.
func newFLServerRole(ctx *pulumi.Context, nm namer.Namer, args Args, host *iam.Role, id *Identity) (*iam.Role, error) {
	parent := pulumi.Parent(id)
	trust := host.Arn.ApplyT(FLServerTrustPolicy).(pulumi.StringOutput)
	role, err := iam.NewRole(ctx, "fl-server", &iam.RoleArgs{
		Name:               pulumi.String(nm.Bounded(64, "fl-server")),
		Description:        pulumi.String("FLIP fl-server container: write FL results only (assumed by the hub host)"),
		AssumeRolePolicy:   trust,
		MaxSessionDuration: pulumi.Int(FLServerSessionSeconds),
		Tags:               pulumi.StringMap{"Name": pulumi.String(nm.Name("fl-server"))},
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("fl-server role: %w", err)
	}
	policy := pulumi.All(args.FLServerObjects, args.KMSKeyARN).ApplyT(func(in []any) (string, error) {
		return FLServerPolicy(FLServerGrants{Region: args.Region, Objects: in[0].([]string), KMSKey: in[1].(string)})
	}).(pulumi.StringOutput)
	inline, err := iam.NewRolePolicy(ctx, "fl-server", &iam.RolePolicyArgs{
		Role:   role.ID(),
		Name:   pulumi.String("fl-server-results-only"),
		Policy: policy,
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("fl-server inline policy: %w", err)
	}
	id.Ready = append(id.Ready, inline)
	return role, nil
}
