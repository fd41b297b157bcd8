package network

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/internal/iamdoc"
	"github.com/londonaicentre/flip-hub/internal/namer"
)

// TypeToken is the component's Pulumi type.
const TypeToken = "flip:network:Network"

// APIPort is the port flip-api listens on inside the hub host.
const APIPort = 8000

// cloudFrontOriginFacing is AWS's managed prefix list of CloudFront's origin-facing
// addresses, which includes the VPC-origin side that reaches the internal ALB.
const cloudFrontOriginFacing = "com.amazonaws.global.cloudfront.origin-facing"

// interfaceEndpoints are the AWS services the private hub host reaches without the NAT:
// SSM (agent, sessions, messages), CloudWatch Logs, Secrets Manager and KMS.
var interfaceEndpoints = []string{"ssm", "ssmmessages", "ec2messages", "logs", "secretsmanager", "kms"}

// TrustCIDR is one egress network of one partner trust, admitted to the FL port.
type TrustCIDR struct {
	Code string
	CIDR string
}

// Args configures the network. All values are decided by the caller.
type Args struct {
	// Prefix starts every physical name, e.g. "flip-stag".
	Prefix            string
	Region            string
	CIDR              string
	AvailabilityZones []string
	// NATGateways is 1 (shared) or len(AvailabilityZones) (one per zone).
	NATGateways int
	// FLPort is the federated-learning port the NLB forwards to the hub host.
	FLPort int
	// TrustIngress lists the networks admitted to the FL port: the entries of one prefix list.
	TrustIngress []TrustCIDR
	// AWSHostedTrusts are the codes of the trusts whose hosts run in this VPC: their FL traffic
	// leaves through the NAT gateways, so each gateway's address joins the prefix list for them.
	AWSHostedTrusts  []string
	LogRetentionDays int
	// LogKMSKeyARN encrypts the flow-log group.
	LogKMSKeyARN pulumi.StringInput
	AccountID    pulumi.StringInput
	Partition    pulumi.StringInput
}

// Network is the VPC component.
type Network struct {
	pulumi.ResourceState

	VPCID                   pulumi.IDOutput
	VPCCIDR                 pulumi.StringOutput
	PublicSubnetIDs         pulumi.StringArrayOutput
	PrivateSubnetIDs        pulumi.StringArrayOutput
	PrivateRouteTableIDs    pulumi.StringArrayOutput
	ALBSecurityGroupID      pulumi.IDOutput
	HostSecurityGroupID     pulumi.IDOutput
	RDSSecurityGroupID      pulumi.IDOutput
	NLBSecurityGroupID      pulumi.IDOutput
	EndpointSecurityGroupID pulumi.IDOutput
	FlowLogGroupName        pulumi.StringOutput
	// NATPublicIPs are the NAT gateways' Elastic IPs: the egress address of every private host.
	NATPublicIPs pulumi.StringArrayOutput
	// Ready are what a private host needs to reach the outside on boot: the NAT gateways,
	// the private routes and their associations, and the VPC endpoints. Depend on these,
	// not on the component (a component expands only to the children registered so far).
	Ready []pulumi.Resource
}

// New builds the network.
func New(ctx *pulumi.Context, name string, args Args, opts ...pulumi.ResourceOption) (*Network, error) {
	if len(args.AvailabilityZones) < 2 {
		return nil, fmt.Errorf("network %s: want at least 2 availability zones, got %d", name, len(args.AvailabilityZones))
	}
	if args.NATGateways != 1 && args.NATGateways != len(args.AvailabilityZones) {
		return nil, fmt.Errorf("network %s: want 1 NAT gateway or one per zone, got %d", name, args.NATGateways)
	}
	layout, err := Carve(args.CIDR, len(args.AvailabilityZones))
	if err != nil {
		return nil, fmt.Errorf("network %s: %w", name, err)
	}

	n := &Network{}
	if err := ctx.RegisterComponentResource(TypeToken, name, n, opts...); err != nil {
		return nil, fmt.Errorf("network %s: %w", name, err)
	}
	parent := pulumi.Parent(n)
	nm := namer.New(args.Prefix)
	tags := func(role string) pulumi.StringMap { return pulumi.StringMap{"Name": pulumi.String(nm.Name(role))} }

	v, err := ec2.NewVpc(ctx, "vpc", &ec2.VpcArgs{
		CidrBlock:          pulumi.String(args.CIDR),
		EnableDnsSupport:   pulumi.Bool(true),
		EnableDnsHostnames: pulumi.Bool(true),
		Tags:               tags("vpc"),
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("vpc: %w", err)
	}
	// Adopting the default security group with no rules strips AWS's allow-all defaults.
	if _, err := ec2.NewDefaultSecurityGroup(ctx, "default-sg", &ec2.DefaultSecurityGroupArgs{
		VpcId: v.ID(),
		Tags:  tags("default-deny"),
	}, parent); err != nil {
		return nil, fmt.Errorf("default security group: %w", err)
	}

	igw, err := ec2.NewInternetGateway(ctx, "igw", &ec2.InternetGatewayArgs{VpcId: v.ID(), Tags: tags("igw")}, parent)
	if err != nil {
		return nil, fmt.Errorf("internet gateway: %w", err)
	}

	var public, private pulumi.StringArray
	var publicSubnets []*ec2.Subnet
	var privateSubnets []*ec2.Subnet
	for i, az := range args.AvailabilityZones {
		pub, err := ec2.NewSubnet(ctx, "public-"+az, &ec2.SubnetArgs{
			VpcId:               v.ID(),
			CidrBlock:           pulumi.String(layout.Public[i].String()),
			AvailabilityZone:    pulumi.String(az),
			MapPublicIpOnLaunch: pulumi.Bool(false),
			Tags:                tags("public-" + az),
		}, parent)
		if err != nil {
			return nil, fmt.Errorf("public subnet %s: %w", az, err)
		}
		priv, err := ec2.NewSubnet(ctx, "private-"+az, &ec2.SubnetArgs{
			VpcId:               v.ID(),
			CidrBlock:           pulumi.String(layout.Private[i].String()),
			AvailabilityZone:    pulumi.String(az),
			MapPublicIpOnLaunch: pulumi.Bool(false),
			Tags:                tags("private-" + az),
		}, parent)
		if err != nil {
			return nil, fmt.Errorf("private subnet %s: %w", az, err)
		}
		publicSubnets = append(publicSubnets, pub)
		privateSubnets = append(privateSubnets, priv)
		public = append(public, pub.ID().ToStringOutput())
		private = append(private, priv.ID().ToStringOutput())
	}

	publicRT, err := ec2.NewRouteTable(ctx, "public", &ec2.RouteTableArgs{VpcId: v.ID(), Tags: tags("public")}, parent)
	if err != nil {
		return nil, fmt.Errorf("public route table: %w", err)
	}
	if _, err := ec2.NewRoute(ctx, "public-default", &ec2.RouteArgs{
		RouteTableId:         publicRT.ID(),
		DestinationCidrBlock: pulumi.String("0.0.0.0/0"),
		GatewayId:            igw.ID(),
	}, parent); err != nil {
		return nil, fmt.Errorf("public default route: %w", err)
	}
	for i, az := range args.AvailabilityZones {
		if _, err := ec2.NewRouteTableAssociation(ctx, "public-"+az, &ec2.RouteTableAssociationArgs{
			SubnetId:     publicSubnets[i].ID(),
			RouteTableId: publicRT.ID(),
		}, parent); err != nil {
			return nil, fmt.Errorf("public route association %s: %w", az, err)
		}
	}

	var (
		nats   []*ec2.NatGateway
		natIPs pulumi.StringArray
	)
	for i := range args.NATGateways {
		az := args.AvailabilityZones[i]
		eip, err := ec2.NewEip(ctx, "nat-"+az, &ec2.EipArgs{Domain: pulumi.String("vpc"), Tags: tags("nat-" + az)},
			parent, pulumi.DependsOn([]pulumi.Resource{igw}))
		if err != nil {
			return nil, fmt.Errorf("nat eip %s: %w", az, err)
		}
		nat, err := ec2.NewNatGateway(ctx, "nat-"+az, &ec2.NatGatewayArgs{
			AllocationId:     eip.ID(),
			SubnetId:         publicSubnets[i].ID(),
			ConnectivityType: pulumi.String("public"),
			Tags:             tags("nat-" + az),
		}, parent)
		if err != nil {
			return nil, fmt.Errorf("nat gateway %s: %w", az, err)
		}
		nats = append(nats, nat)
		natIPs = append(natIPs, eip.PublicIp)
		n.Ready = append(n.Ready, nat)
	}

	var privateRTs pulumi.StringArray
	for i, az := range args.AvailabilityZones {
		rt, err := ec2.NewRouteTable(ctx, "private-"+az, &ec2.RouteTableArgs{VpcId: v.ID(), Tags: tags("private-" + az)}, parent)
		if err != nil {
			return nil, fmt.Errorf("private route table %s: %w", az, err)
		}
		// A private subnet leaves the VPC only through a NAT gateway: its own zone's
		// where there is one per zone, the shared one otherwise.
		nat := nats[min(i, len(nats)-1)]
		route, err := ec2.NewRoute(ctx, "private-default-"+az, &ec2.RouteArgs{
			RouteTableId:         rt.ID(),
			DestinationCidrBlock: pulumi.String("0.0.0.0/0"),
			NatGatewayId:         nat.ID(),
		}, parent)
		if err != nil {
			return nil, fmt.Errorf("private default route %s: %w", az, err)
		}
		assoc, err := ec2.NewRouteTableAssociation(ctx, "private-"+az, &ec2.RouteTableAssociationArgs{
			SubnetId:     privateSubnets[i].ID(),
			RouteTableId: rt.ID(),
		}, parent)
		if err != nil {
			return nil, fmt.Errorf("private route association %s: %w", az, err)
		}
		n.Ready = append(n.Ready, route, assoc)
		privateRTs = append(privateRTs, rt.ID().ToStringOutput())
	}

	flowLogGroup, err := newFlowLogs(ctx, nm, v, args, parent)
	if err != nil {
		return nil, err
	}

	n.NATPublicIPs = natIPs.ToStringArrayOutput()
	sgs, err := newSecurityGroups(ctx, nm, v, args, n)
	if err != nil {
		return nil, err
	}

	s3Endpoint, err := ec2.NewVpcEndpoint(ctx, "s3", &ec2.VpcEndpointArgs{
		VpcId:           v.ID(),
		ServiceName:     pulumi.Sprintf("com.amazonaws.%s.s3", args.Region),
		VpcEndpointType: pulumi.String("Gateway"),
		RouteTableIds:   privateRTs,
		Tags:            tags("s3"),
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("s3 gateway endpoint: %w", err)
	}
	n.Ready = append(n.Ready, s3Endpoint)
	for _, svc := range interfaceEndpoints {
		ep, err := ec2.NewVpcEndpoint(ctx, svc, &ec2.VpcEndpointArgs{
			VpcId:             v.ID(),
			ServiceName:       pulumi.Sprintf("com.amazonaws.%s.%s", args.Region, svc),
			VpcEndpointType:   pulumi.String("Interface"),
			PrivateDnsEnabled: pulumi.Bool(true),
			SubnetIds:         private,
			SecurityGroupIds:  pulumi.StringArray{sgs.endpoints.ID()},
			Tags:              tags(svc),
		}, parent)
		if err != nil {
			return nil, fmt.Errorf("%s interface endpoint: %w", svc, err)
		}
		n.Ready = append(n.Ready, ep)
	}

	n.VPCID = v.ID()
	n.VPCCIDR = v.CidrBlock
	n.PublicSubnetIDs = public.ToStringArrayOutput()
	n.PrivateSubnetIDs = private.ToStringArrayOutput()
	n.PrivateRouteTableIDs = privateRTs.ToStringArrayOutput()
	n.ALBSecurityGroupID = sgs.alb.ID()
	n.HostSecurityGroupID = sgs.host.ID()
	n.RDSSecurityGroupID = sgs.rds.ID()
	n.NLBSecurityGroupID = sgs.nlb.ID()
	n.EndpointSecurityGroupID = sgs.endpoints.ID()
	n.FlowLogGroupName = flowLogGroup.Name
	if err := ctx.RegisterResourceOutputs(n, pulumi.Map{
		"vpcId":            n.VPCID,
		"publicSubnetIds":  n.PublicSubnetIDs,
		"privateSubnetIds": n.PrivateSubnetIDs,
		"flowLogGroupName": n.FlowLogGroupName,
	}); err != nil {
		return nil, fmt.Errorf("network outputs: %w", err)
	}
	return n, nil
}

func newFlowLogs(ctx *pulumi.Context, nm namer.Namer, v *ec2.Vpc, args Args, parent pulumi.ResourceOption) (*cloudwatch.LogGroup, error) {
	group, err := cloudwatch.NewLogGroup(ctx, "flow-logs", &cloudwatch.LogGroupArgs{
		Name:            pulumi.String("/" + nm.Name("vpc", "flow-logs")),
		RetentionInDays: pulumi.Int(args.LogRetentionDays),
		KmsKeyId:        args.LogKMSKeyARN,
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("flow log group: %w", err)
	}
	trust := pulumi.All(args.AccountID, args.Partition, args.Region).ApplyT(func(in []any) (string, error) {
		account, partition := in[0].(string), in[1].(string)
		return iamdoc.JSON(iamdoc.Statement{
			Effect:    iamdoc.Allow,
			Principal: map[string]any{"Service": "vpc-flow-logs.amazonaws.com"},
			Action:    []string{"sts:AssumeRole"},
			Condition: map[string]map[string]any{
				"StringEquals": {"aws:SourceAccount": account},
				"ArnLike":      {"aws:SourceArn": fmt.Sprintf("arn:%s:ec2:%s:%s:vpc-flow-log/*", partition, in[2], account)},
			},
		})
	}).(pulumi.StringOutput)
	role, err := iam.NewRole(ctx, "flow-logs", &iam.RoleArgs{
		Name:             pulumi.String(nm.Bounded(64, "vpc-flow-logs")),
		Description:      pulumi.String("Lets VPC Flow Logs deliver to the flow-log group of this VPC only."),
		AssumeRolePolicy: trust,
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("flow log role: %w", err)
	}
	write := group.Arn.ApplyT(func(arn string) (string, error) {
		return iamdoc.JSON(iamdoc.Statement{
			Effect:   iamdoc.Allow,
			Action:   []string{"logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"},
			Resource: []string{arn, arn + ":log-stream:*"},
		})
	}).(pulumi.StringOutput)
	if _, err := iam.NewRolePolicy(ctx, "flow-logs", &iam.RolePolicyArgs{
		Role:   role.ID(),
		Name:   pulumi.String("write-flow-log-group"),
		Policy: write,
	}, parent); err != nil {
		return nil, fmt.Errorf("flow log role policy: %w", err)
	}
	if _, err := ec2.NewFlowLog(ctx, "vpc", &ec2.FlowLogArgs{
		VpcId:                  v.ID(),
		TrafficType:            pulumi.String("ALL"),
		LogDestinationType:     pulumi.String("cloud-watch-logs"),
		LogDestination:         group.Arn,
		IamRoleArn:             role.Arn,
		MaxAggregationInterval: pulumi.Int(60),
		Tags:                   pulumi.StringMap{"Name": pulumi.String(nm.Name("vpc-flow-logs"))},
	}, parent); err != nil {
		return nil, fmt.Errorf("flow log: %w", err)
	}
	return group, nil
}
