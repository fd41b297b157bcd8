package edge

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/internal/bucket"
	"github.com/londonaicentre/flip-hub/internal/iamdoc"
)

// Where the edge's logs land in the stack's log bucket.
const (
	// ALBLogPrefix is the ALB access-log prefix; ELB appends AWSLogs/<account>/….
	ALBLogPrefix = "alb"
	// CloudFrontLogPrefix is the prefix of CloudFront standard (legacy) logs.
	CloudFrontLogPrefix = "cloudfront/"
)

// ELBLogDeliveryPrincipal is the service that writes ALB access logs.
const ELBLogDeliveryPrincipal = "logdelivery.elasticloadbalancing.amazonaws.com"

// Sids of the log-bucket statements the edge needs.
const (
	SidALBAccessLogs      = "EdgeALBAccessLogDelivery"
	SidUIBucketAccessLogs = "EdgeUIBucketAccessLogDelivery"
)

// LogDeliveryArgs names what the log bucket must admit for the edge's log deliveries.
type LogDeliveryArgs struct {
	// Prefix is the stack prefix the edge is built with (the UI bucket's name follows it).
	Prefix    string
	AccountID pulumi.StringInput
	Partition pulumi.StringInput
}

// LogDeliveryGrants are the statements the stack's log bucket needs so the edge can log
// into it: ALB access logs under ALBLogPrefix/AWSLogs/<account>/, delivered by ELB's
// log-delivery service principal (region-independent, unlike the per-region ELB accounts
// of older regions) on behalf of this account only; and S3 server access logs of the UI
// bucket under its own s3-access/ prefix. CloudFront standard logging needs
// no statement: it writes through the bucket ACL (the log bucket keeps ACLs enabled). The
// caller (hub) hands them to the data layer, which owns the log bucket's single policy.
func LogDeliveryGrants(a LogDeliveryArgs) []bucket.Grant {
	values := pulumi.StringMap{"account": a.AccountID, "partition": a.Partition}
	prefix := a.Prefix
	return []bucket.Grant{{
		Values: values,
		Statements: func(logARN string, v map[string]string) ([]iamdoc.Statement, error) {
			return logDeliveryStatements(prefix, logARN, v)
		},
	}}
}

func logDeliveryStatements(prefix, logARN string, v map[string]string) ([]iamdoc.Statement, error) {
	account, partition := v["account"], v["partition"]
	if account == "" || partition == "" {
		return nil, fmt.Errorf("edge log delivery: want the account and partition, got %q and %q", account, partition)
	}
	ui, err := uiBucketName(prefix, account)
	if err != nil {
		return nil, err
	}
	return []iamdoc.Statement{
		{
			Sid:       SidALBAccessLogs,
			Effect:    iamdoc.Allow,
			Principal: map[string]any{"Service": ELBLogDeliveryPrincipal},
			Action:    []string{"s3:PutObject"},
			Resource:  []string{fmt.Sprintf("%s/%s/AWSLogs/%s/*", logARN, ALBLogPrefix, account)},
			Condition: map[string]map[string]any{"StringEquals": {"aws:SourceAccount": account}},
		},
		{
			Sid:       SidUIBucketAccessLogs,
			Effect:    iamdoc.Allow,
			Principal: map[string]any{"Service": "logging.s3.amazonaws.com"},
			Action:    []string{"s3:PutObject"},
			Resource:  []string{logARN + "/" + bucket.AccessLogPrefix(UIBucketPurpose) + "*"},
			Condition: map[string]map[string]any{
				"StringEquals": {"aws:SourceAccount": account},
				"ArnLike":      {"aws:SourceArn": fmt.Sprintf("arn:%s:s3:::%s", partition, ui)},
			},
		},
	}, nil
}

// uiBucketName is the UI bucket's physical name, the same in the edge and in its
// log-delivery grant.
func uiBucketName(prefix, account string) (string, error) {
	return bucket.PhysicalName(prefix, UIBucketPurpose, account)
}
