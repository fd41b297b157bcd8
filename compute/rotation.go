package compute

import (
	"encoding/json"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/internal/deploy"
	"github.com/londonaicentre/flip-hub/internal/iamdoc"
	"github.com/londonaicentre/flip-hub/internal/namer"
)

// RotationEventName is the Secrets Manager event of a finished rotation, as EventBridge receives
// it (AWS Secrets Manager User Guide, "Match Secrets Manager events with EventBridge").
const RotationEventName = "RotationSucceeded"

// RunShellScriptDocument is the SSM document the restart runs through.
const RunShellScriptDocument = "AWS-RunShellScript"

// newRotationRestart makes a rotation of the RDS master password harmless: the compose-path
// flip-api reads the password once, at start-up (FLIP#556), so when Secrets Manager reports the
// rotation of that secret, EventBridge runs `docker compose restart flip-api` on the hub host
// through SSM, and flip-api reconnects with the new password. No human, and no secret in the
// command (flip-api reads the secret itself).
func newRotationRestart(ctx *pulumi.Context, nm namer.Namer, args Args, h *host, c *Compute) error {
	parent := pulumi.Parent(c)
	secret := args.Deploy.DBMasterSecretARN
	pattern := pulumi.All(secret).ApplyT(func(in []any) (string, error) {
		b, err := json.Marshal(map[string]any{
			"source":      []string{"aws.secretsmanager"},
			"detail-type": []string{"AWS Service Event via CloudTrail"},
			"detail": map[string]any{
				"eventSource":         []string{"secretsmanager.amazonaws.com"},
				"eventName":           []string{RotationEventName},
				"additionalEventData": map[string]any{"SecretId": []string{in[0].(string)}},
			},
		})
		return string(b), err
	}).(pulumi.StringOutput)
	rule, err := cloudwatch.NewEventRule(ctx, "db-password-rotated", &cloudwatch.EventRuleArgs{
		Name:         pulumi.String(nm.Bounded(64, "db-password-rotated")),
		Description:  pulumi.String("Restarts flip-api on the hub host when RDS rotates the master password it read at start-up"),
		EventPattern: pattern,
	}, parent)
	if err != nil {
		return fmt.Errorf("rotation rule: %w", err)
	}

	document := pulumi.Sprintf("arn:%s:ssm:%s::document/%s", args.Partition, args.Region, RunShellScriptDocument)
	trust := pulumi.All(args.AccountID).ApplyT(func(in []any) (string, error) {
		return iamdoc.JSON(iamdoc.Statement{
			Effect:    iamdoc.Allow,
			Principal: map[string]any{"Service": "events.amazonaws.com"},
			Action:    []string{"sts:AssumeRole"},
			Condition: map[string]map[string]any{"StringEquals": {"aws:SourceAccount": in[0].(string)}},
		})
	}).(pulumi.StringOutput)
	role, err := iam.NewRole(ctx, "db-password-rotated", &iam.RoleArgs{
		Name:             pulumi.String(nm.Bounded(64, "db-password-rotated")),
		Description:      pulumi.String("Lets EventBridge run the flip-api restart on the hub host only, through AWS-RunShellScript"),
		AssumeRolePolicy: trust,
	}, parent)
	if err != nil {
		return fmt.Errorf("rotation role: %w", err)
	}
	policy := pulumi.All(document, h.instance.Arn).ApplyT(func(in []any) (string, error) {
		return iamdoc.JSON(iamdoc.Statement{
			Sid:      "RestartFlipAPIOnTheHubHost",
			Effect:   iamdoc.Allow,
			Action:   []string{"ssm:SendCommand"},
			Resource: []string{in[0].(string), in[1].(string)},
		})
	}).(pulumi.StringOutput)
	if _, err := iam.NewRolePolicy(ctx, "db-password-rotated", &iam.RolePolicyArgs{
		Name:   pulumi.String("send-flip-api-restart"),
		Role:   role.Name,
		Policy: policy,
	}, parent); err != nil {
		return fmt.Errorf("rotation role policy: %w", err)
	}
	input, err := json.Marshal(map[string][]string{
		"commands":         {deploy.RestartFlipAPICommand()},
		"executionTimeout": {"600"},
	})
	if err != nil {
		return fmt.Errorf("rotation command: %w", err)
	}
	if _, err := cloudwatch.NewEventTarget(ctx, "db-password-rotated", &cloudwatch.EventTargetArgs{
		Rule:    rule.Name,
		Arn:     document,
		RoleArn: role.Arn,
		Input:   pulumi.String(string(input)),
		RunCommandTargets: cloudwatch.EventTargetRunCommandTargetArray{
			&cloudwatch.EventTargetRunCommandTargetArgs{
				Key:    pulumi.String("InstanceIds"),
				Values: pulumi.StringArray{h.instance.ID().ToStringOutput()},
			},
		},
	}, parent); err != nil {
		return fmt.Errorf("rotation target: %w", err)
	}
	return nil
}
