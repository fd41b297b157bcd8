package ssmrun

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
)

// throttles recognises the throttling error codes the SDK itself knows (ThrottlingException,
// TooManyRequestsException, RequestLimitExceeded, ...).
var throttles = retry.IsErrorThrottles(retry.DefaultThrottles)

// isThrottle reports whether err means "slow down": a throttling error from SSM, or the SDK's own
// retry quota running dry after repeated throttling.
func isThrottle(err error) bool {
	if err == nil {
		return false
	}
	var quota ratelimit.QuotaExceededError
	return throttles.IsErrorThrottle(err) == aws.TrueTernary || errors.As(err, &quota)
}

// call runs fn, retrying with exponential backoff while it is throttled, and returns a
// *ThrottledError once the retries are spent. Any other error is returned unchanged at once.
func (r *Runner) call(ctx context.Context, op string, fn func(context.Context) error) error {
	retries := r.ThrottleRetries
	if retries == 0 {
		retries = DefaultThrottleRetries
	}
	backoff := orDefault(r.ThrottleBackoff, DefaultThrottleBackoff)
	for attempt := 1; ; attempt++ {
		err := fn(ctx)
		if !isThrottle(err) {
			return err
		}
		if attempt > retries {
			return &ThrottledError{Op: op, Attempts: attempt, Err: err}
		}
		r.logf("ssm: %s throttled; retry %d of %d in %s", op, attempt, retries, backoff)
		if err := sleep(ctx, backoff); err != nil {
			return err
		}
		backoff = min(2*backoff, maxThrottleBackoff)
	}
}

// sleep waits for d or until ctx ends, returning ctx's error in the latter case.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
