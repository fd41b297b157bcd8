package compute

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lb"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ssm"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/internal/ec2host"
	"github.com/londonaicentre/flip-hub/internal/namer"
)

// RecoverMetric is the EC2 status check whose failure (a fault of the underlying hardware or
// network) makes the alarm recover the host onto healthy hardware, keeping its ID, private IP,
// EBS volumes and target group registrations.
const RecoverMetric = "StatusCheckFailed_System"

type host struct {
	instance *ec2.Instance
}

func newHost(ctx *pulumi.Context, nm namer.Namer, args Args, arch string, logs *logGroups, c *Compute) (*host, error) {
	parent := pulumi.Parent(c)
	userData, err := UserData(UserDataArgs{Region: args.Region, Arch: arch, LogGroups: LogGroupNames(nm)})
	if err != nil {
		return nil, fmt.Errorf("hub host: %w", err)
	}
	// insecureValue: the provider marks value sensitive whatever the parameter's type, which
	// would make a public AMI ID a secret.
	ami := ssm.LookupParameterOutput(ctx, ssm.LookupParameterOutputArgs{
		Name:           pulumi.String(AMIParameter(arch)),
		WithDecryption: pulumi.Bool(false),
	}, parent).InsecureValue()

	hostName := nm.Name("hub-host")
	instanceOpts := []pulumi.ResourceOption{
		parent,
		// Canonical publishes a new AMI every few weeks. Following it would replace the hub
		// host (and its FL runtime state) on an ordinary `up`; the running host takes security
		// updates in place instead. User data runs once, on first boot, so a changed bootstrap
		// would only stop and start the host without effect. Replacing the host is an explicit
		// action: `hubctl up --replace <urn>` (with --allow-replace on prod).
		pulumi.IgnoreChanges([]string{"ami", "userData"}),
		// The bootstrap needs the NAT routes and VPC endpoints, which no input references.
		pulumi.DependsOn(args.HostDependsOn),
		// The log groups exist before the agent starts shipping into them.
		pulumi.DependsOn([]pulumi.Resource{logs.containers, logs.system}),
	}
	inst, err := ec2.NewInstance(ctx, "hub-host", &ec2.InstanceArgs{
		Ami:                 ami,
		InstanceType:        pulumi.String(args.InstanceType),
		SubnetId:            args.SubnetID,
		VpcSecurityGroupIds: pulumi.StringArray{args.SecurityGroupID},
		IamInstanceProfile:  args.InstanceProfileName,
		// No public address and no key pair: operators reach the host through SSM only.
		AssociatePublicIpAddress: pulumi.Bool(false),
		UserData:                 pulumi.String(userData),
		Monitoring:               pulumi.Bool(args.DetailedMonitoring),
		EbsOptimized:             pulumi.Bool(true),
		MetadataOptions:          ec2host.MetadataOptions(IMDSHopLimit),
		RootBlockDevice:          ec2host.RootVolume(args.RootVolumeGB, args.KMSKeyARN, hostName),
		// EC2's simplified automatic recovery, alongside the explicit alarm below.
		MaintenanceOptions: &ec2.InstanceMaintenanceOptionsArgs{AutoRecovery: pulumi.String("default")},
		Tags:               pulumi.StringMap{"Name": pulumi.String(hostName)},
	}, instanceOpts...)
	if err != nil {
		return nil, fmt.Errorf("hub host: %w", err)
	}

	recoverARN := pulumi.Sprintf("arn:%s:automate:%s:ec2:recover", args.Partition, args.Region)
	if _, err := cloudwatch.NewMetricAlarm(ctx, "hub-host-recover", &cloudwatch.MetricAlarmArgs{
		Name:               pulumi.String(nm.Bounded(255, "hub-host", "system-check-recover")),
		AlarmDescription:   pulumi.String("Recovers the FLIP hub host onto healthy hardware when the EC2 system status check fails for 2 minutes"),
		Namespace:          pulumi.String("AWS/EC2"),
		MetricName:         pulumi.String(RecoverMetric),
		Dimensions:         pulumi.StringMap{"InstanceId": inst.ID().ToStringOutput()},
		Statistic:          pulumi.String("Maximum"),
		Period:             pulumi.Int(60),
		EvaluationPeriods:  pulumi.Int(2),
		Threshold:          pulumi.Float64(1),
		ComparisonOperator: pulumi.String("GreaterThanOrEqualToThreshold"),
		TreatMissingData:   pulumi.String("missing"),
		AlarmActions:       pulumi.Array{recoverARN},
		Tags:               pulumi.StringMap{"Name": pulumi.String(hostName + "-recover")},
		// Not deletedWith the host: CloudWatch keeps an alarm after its instance terminates, so
		// skipping the delete would orphan it in the account.
	}, parent); err != nil {
		return nil, fmt.Errorf("hub host recover alarm: %w", err)
	}

	for _, tg := range []struct {
		name string
		arn  pulumi.StringInput
		port int
	}{
		{"api", args.APITargetGroupARN, args.APIPort},
		{"fl", args.FLTargetGroupARN, args.FLPort},
	} {
		if _, err := lb.NewTargetGroupAttachment(ctx, "hub-host-"+tg.name, &lb.TargetGroupAttachmentArgs{
			TargetGroupArn: tg.arn,
			TargetId:       inst.ID().ToStringOutput(),
			Port:           pulumi.Int(tg.port),
		}, parent); err != nil {
			return nil, fmt.Errorf("hub host %s target group attachment: %w", tg.name, err)
		}
	}
	return &host{instance: inst}, nil
}
