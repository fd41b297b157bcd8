package compute

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/internal/namer"
)

type logGroups struct {
	containers, system, deploy *cloudwatch.LogGroup
}

// LogGroupNames are the names of a stack's host log groups.
func LogGroupNames(nm namer.Namer) LogGroups {
	return LogGroups{
		Containers: "/" + nm.Name("hub", "containers"),
		System:     "/" + nm.Name("hub", "system"),
		Deploy:     "/" + nm.Name("hub", "deploy"),
	}
}

// newLogGroups creates the host's log groups, so their retention and encryption come from the
// stack (the CloudWatch agent would otherwise create them with neither).
func newLogGroups(ctx *pulumi.Context, nm namer.Namer, args Args, c *Compute) (*logGroups, error) {
	names := LogGroupNames(nm)
	group := func(logical, name string) (*cloudwatch.LogGroup, error) {
		g, err := cloudwatch.NewLogGroup(ctx, logical, &cloudwatch.LogGroupArgs{
			Name:            pulumi.String(name),
			RetentionInDays: pulumi.Int(args.LogRetentionDays),
			KmsKeyId:        args.KMSKeyARN,
			Tags:            pulumi.StringMap{"Name": pulumi.String(name)},
		}, pulumi.Parent(c))
		if err != nil {
			return nil, fmt.Errorf("log group %s: %w", logical, err)
		}
		return g, nil
	}
	var (
		l   logGroups
		err error
	)
	if l.containers, err = group("hub-containers", names.Containers); err != nil {
		return nil, err
	}
	if l.system, err = group("hub-system", names.System); err != nil {
		return nil, err
	}
	if l.deploy, err = group("hub-deploy", names.Deploy); err != nil {
		return nil, err
	}
	return &l, nil
}
