package schemareset

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/londonaicentre/flip-hub/internal/progress"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/smithy-go"
)

// RDSAPI is what the snapshot guard needs from RDS; *rds.Client satisfies it.
type RDSAPI interface {
	CreateDBSnapshot(ctx context.Context, in *rds.CreateDBSnapshotInput, optFns ...func(*rds.Options)) (*rds.CreateDBSnapshotOutput, error)
	rds.DescribeDBSnapshotsAPIClient
}

var _ RDSAPI = (*rds.Client)(nil)

var nonIdent = regexp.MustCompile(`[^a-z0-9]+`)

// SnapshotID is the identifier of the snapshot taken before a reset of stack at t: letters, digits
// and single hyphens, starting with a letter, as RDS requires. It names the millisecond, so two
// resets in one second (a retry, a second operator) never collide on the account-wide name.
func SnapshotID(stack string, t time.Time) string {
	s := strings.Trim(nonIdent.ReplaceAllString(strings.ToLower(stack), "-"), "-")
	if s == "" {
		s = "hub"
	}
	if len(s) > 40 {
		s = strings.TrimRight(s[:40], "-")
	}
	return fmt.Sprintf("flip-%s-pre-schema-reset-%s-%03d", s, t.UTC().Format("20060102-150405"), t.Nanosecond()/int(time.Millisecond))
}

// verifySnapshot checks the operator's snapshot: manual, of this instance, available, and created
// (originally, for a copy) within SnapshotMaxAge. It returns its creation time.
func verifySnapshot(ctx context.Context, c RDSAPI, o Options) (time.Time, error) {
	out, err := c.DescribeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{DBSnapshotIdentifier: aws.String(o.Snapshot)})
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) && apiErr.ErrorCode() == "DBSnapshotNotFound" {
		return time.Time{}, fmt.Errorf("%w: snapshot %s does not exist", ErrRefused, o.Snapshot)
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("describe snapshot %s: %w", o.Snapshot, err)
	}
	if len(out.DBSnapshots) != 1 {
		return time.Time{}, fmt.Errorf("%w: snapshot %s does not exist", ErrRefused, o.Snapshot)
	}
	s := out.DBSnapshots[0]
	created := aws.ToTime(s.SnapshotCreateTime)
	if s.OriginalSnapshotCreateTime != nil && s.OriginalSnapshotCreateTime.Before(created) {
		created = *s.OriginalSnapshotCreateTime // a copy is as old as what it copies
	}
	age := o.Now().Sub(created)
	switch {
	case aws.ToString(s.DBInstanceIdentifier) != o.DBInstanceID:
		return time.Time{}, fmt.Errorf("%w: snapshot %s is of instance %s, not of this hub's %s",
			ErrRefused, o.Snapshot, aws.ToString(s.DBInstanceIdentifier), o.DBInstanceID)
	case aws.ToString(s.SnapshotType) != "manual":
		return time.Time{}, fmt.Errorf("%w: snapshot %s is %s; want a manual snapshot (automated ones expire with the retention period)",
			ErrRefused, o.Snapshot, aws.ToString(s.SnapshotType))
	case aws.ToString(s.Status) != "available":
		return time.Time{}, fmt.Errorf("%w: snapshot %s is %s, not available yet", ErrRefused, o.Snapshot, aws.ToString(s.Status))
	case created.IsZero():
		return time.Time{}, fmt.Errorf("%w: snapshot %s has no creation time", ErrRefused, o.Snapshot)
	case age > o.SnapshotMaxAge:
		return time.Time{}, fmt.Errorf("%w: snapshot %s was taken %s ago; want one from the last %s (or drop --snapshot to take one now)",
			ErrRefused, o.Snapshot, age.Round(time.Minute), o.SnapshotMaxAge)
	}
	return created, nil
}

// takeSnapshot creates a manual snapshot and waits until RDS reports it available.
func takeSnapshot(ctx context.Context, c RDSAPI, o Options) (string, time.Time, error) {
	id := SnapshotID(o.Stack, o.Now())
	o.logf("taking snapshot %s of %s", id, o.DBInstanceID)
	_, err := c.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{
		DBInstanceIdentifier: aws.String(o.DBInstanceID),
		DBSnapshotIdentifier: aws.String(id),
		Tags: []types.Tag{
			{Key: aws.String("flip-hub:stack"), Value: aws.String(o.Stack)},
			{Key: aws.String("flip-hub:reason"), Value: aws.String("before schema reset")},
		},
	})
	if err != nil {
		return "", time.Time{}, fmt.Errorf("snapshot %s of %s: %w", id, o.DBInstanceID, err)
	}
	w := rds.NewDBSnapshotAvailableWaiter(c, func(wo *rds.DBSnapshotAvailableWaiterOptions) {
		wo.MinDelay = o.SnapshotPoll
		wo.MaxDelay = max(o.SnapshotPoll, time.Minute)
	})
	stop := progress.Heartbeat(o.Heartbeat, "waiting for snapshot "+id)
	out, err := w.WaitForOutput(ctx, &rds.DescribeDBSnapshotsInput{DBSnapshotIdentifier: aws.String(id)}, o.SnapshotTimeout)
	stop()
	if err != nil {
		return "", time.Time{}, fmt.Errorf("snapshot %s did not become available within %s; nothing was dropped: %w", id, o.SnapshotTimeout, err)
	}
	created := o.Now()
	if len(out.DBSnapshots) == 1 && out.DBSnapshots[0].SnapshotCreateTime != nil {
		created = *out.DBSnapshots[0].SnapshotCreateTime
	}
	o.logf("snapshot %s is available", id)
	return id, created, nil
}
