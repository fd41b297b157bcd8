package status

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// EC2API is what the instance check needs from EC2; *ec2.Client satisfies it.
type EC2API interface {
	DescribeInstances(ctx context.Context, in *ec2.DescribeInstancesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error)
}

// SSMPingAPI is what the instance check needs from SSM; *ssm.Client satisfies it.
type SSMPingAPI interface {
	DescribeInstanceInformation(ctx context.Context, in *ssm.DescribeInstanceInformationInput, optFns ...func(*ssm.Options)) (*ssm.DescribeInstanceInformationOutput, error)
}

var (
	_ EC2API     = (*ec2.Client)(nil)
	_ SSMPingAPI = (*ssm.Client)(nil)
)

const ssmAgentFix = "the SSM agent must be running on the host, its instance profile must grant " +
	"AmazonSSMManagedInstanceCore, and it must reach SSM (VPC endpoints for ssm, ssmmessages and " +
	"ec2messages, or a NAT route); look at the instance's console output (aws ec2 get-console-output)"

// Instance checks that the hub host is running in EC2 and that its SSM agent reports Online: without
// SSM nothing can reach the host (it has no SSH).
func Instance(ec2c EC2API, ssmc SSMPingAPI, instanceID string) Check {
	return &Func{
		CheckName: "instance",
		Fix:       "check your AWS credentials and region; the hub host is the stack output hubInstanceId",
		Fn: func(ctx context.Context) (string, error) {
			state, typ, err := instanceState(ctx, ec2c, instanceID)
			if err != nil {
				return "", err
			}
			if state != ec2types.InstanceStateNameRunning {
				return "", problem(fmt.Sprintf("start it (aws ec2 start-instances --instance-ids %s) and run status again; "+
					"if it stops by itself, read its console output", instanceID), nil,
					"instance %s is %s, not running", instanceID, state)
			}
			ping, agent, last, err := pingStatus(ctx, ssmc, instanceID)
			if err != nil {
				return "", err
			}
			if ping != ssmtypes.PingStatusOnline {
				what := "is not registered with SSM"
				if ping != "" {
					what = "reports SSM ping status " + string(ping)
				}
				return "", problem(ssmAgentFix, nil, "instance %s is running but %s", instanceID, what)
			}
			detail := fmt.Sprintf("%s (%s) running; SSM agent Online", instanceID, typ)
			if agent != "" {
				detail += ", agent " + agent
			}
			if !last.IsZero() {
				detail += fmt.Sprintf(", last ping %s ago", time.Since(last).Round(time.Second))
			}
			return detail, nil
		},
	}
}

func instanceState(ctx context.Context, c EC2API, id string) (ec2types.InstanceStateName, string, error) {
	out, err := c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
	if errorCode(err) == "InvalidInstanceID.NotFound" {
		return "", "", problem("the hub host is gone: run `hubctl up` for this stack to recreate it", nil,
			"instance %s does not exist", id)
	}
	if err != nil {
		return "", "", fmt.Errorf("describe instance %s: %w", id, err)
	}
	for _, r := range out.Reservations {
		for _, inst := range r.Instances {
			if aws.ToString(inst.InstanceId) == id && inst.State != nil {
				return inst.State.Name, string(inst.InstanceType), nil
			}
		}
	}
	return "", "", problem("the hub host is gone: run `hubctl up` for this stack to recreate it", nil,
		"instance %s does not exist", id)
}

func pingStatus(ctx context.Context, c SSMPingAPI, id string) (ssmtypes.PingStatus, string, time.Time, error) {
	out, err := c.DescribeInstanceInformation(ctx, &ssm.DescribeInstanceInformationInput{
		Filters: []ssmtypes.InstanceInformationStringFilter{{Key: aws.String("InstanceIds"), Values: []string{id}}},
	})
	if err != nil {
		return "", "", time.Time{}, fmt.Errorf("ssm instance information for %s: %w", id, err)
	}
	for _, info := range out.InstanceInformationList {
		if aws.ToString(info.InstanceId) == id {
			return info.PingStatus, aws.ToString(info.AgentVersion), aws.ToTime(info.LastPingDateTime), nil
		}
	}
	return "", "", time.Time{}, nil
}
