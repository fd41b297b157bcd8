package status

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// LogsAPI is what the log group check needs from CloudWatch Logs; *cloudwatchlogs.Client satisfies it.
type LogsAPI interface {
	FilterLogEvents(ctx context.Context, in *cloudwatchlogs.FilterLogEventsInput, optFns ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.FilterLogEventsOutput, error)
	DescribeLogGroups(ctx context.Context, in *cloudwatchlogs.DescribeLogGroupsInput, optFns ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeLogGroupsOutput, error)
}

var _ LogsAPI = (*cloudwatchlogs.Client)(nil)

// DefaultLogWindow is how recent a log group's latest event must be.
const DefaultLogWindow = time.Hour

// LogGroup checks that group received at least one event in the last window. A window of zero only
// checks that the group exists (for groups written now and then, such as the deploy log).
func LogGroup(c LogsAPI, group string, window time.Duration, now func() time.Time) Check {
	if now == nil {
		now = time.Now
	}
	const agentFix = "the CloudWatch agent on the hub host ships these logs: check it runs (systemctl status " +
		"amazon-cloudwatch-agent through `hubctl host run`) and that the host role may logs:PutLogEvents on the group"
	return &Func{
		CheckName: "log-group " + group,
		Fix:       "check your role may logs:FilterLogEvents and logs:DescribeLogGroups",
		Fn: func(ctx context.Context) (string, error) {
			if window <= 0 {
				return groupExists(ctx, c, group)
			}
			in := &cloudwatchlogs.FilterLogEventsInput{
				LogGroupName: aws.String(group),
				StartTime:    aws.Int64(now().Add(-window).UnixMilli()),
				Limit:        aws.Int32(1),
			}
			// A filter over a busy group can return empty pages with a token; follow them until an
			// event turns up, the pages end, or the check's timeout passes.
			for {
				out, err := c.FilterLogEvents(ctx, in)
				var nf *types.ResourceNotFoundException
				if errors.As(err, &nf) {
					return "", problem("run `hubctl up` for this stack: it creates the log groups", nil, "log group %s does not exist", group)
				}
				if err != nil {
					return "", fmt.Errorf("filter log events of %s: %w", group, err)
				}
				if len(out.Events) > 0 {
					at := time.UnixMilli(aws.ToInt64(out.Events[0].Timestamp))
					return fmt.Sprintf("an event at %s, within the last %s", at.UTC().Format(time.RFC3339), window), nil
				}
				if aws.ToString(out.NextToken) == "" {
					return "", problem(agentFix, nil, "no event in the last %s", window)
				}
				in.NextToken = out.NextToken
			}
		},
	}
}

func groupExists(ctx context.Context, c LogsAPI, group string) (string, error) {
	in := &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(group)}
	for {
		out, err := c.DescribeLogGroups(ctx, in)
		if err != nil {
			return "", fmt.Errorf("describe log group %s: %w", group, err)
		}
		for _, g := range out.LogGroups {
			if aws.ToString(g.LogGroupName) == group {
				detail := "exists (written only when something happens, so not checked for recent events)"
				if g.RetentionInDays != nil {
					detail += fmt.Sprintf("; retention %d days", aws.ToInt32(g.RetentionInDays))
				}
				return detail, nil
			}
		}
		if aws.ToString(out.NextToken) == "" {
			return "", problem("run `hubctl up` for this stack: it creates the log groups", nil, "log group %s does not exist", group)
		}
		in.NextToken = out.NextToken
	}
}
