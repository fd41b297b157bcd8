package status

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/smithy-go"
)

// DefaultTimeout bounds a check whose Timeout is zero.
const DefaultTimeout = 30 * time.Second

// Result is the outcome of one check.
type Result struct {
	// Name identifies the check, e.g. "instance" or "log-group /flip-stag-hub-containers".
	Name string
	// OK is true when the check passed or was skipped.
	OK bool
	// Skipped is true when the check was not run (Detail says why).
	Skipped bool
	// Detail is what was found, for people: a short sentence without secret values.
	Detail string
	// Fix says what to do when the check failed; empty when it passed.
	Fix string
	// Duration is how long the check ran.
	Duration time.Duration
}

// Check is one health check. Run never returns an error: a failure is a Result with OK false.
//
// Checks reach the world only through narrow interfaces that aws-sdk-go-v2 clients, *http.Client,
// net.Dialer, *ssmrun.Runner and pgx satisfy, so tests point them at moto_server, local HTTP and
// TCP servers and a real PostgreSQL.
type Check interface {
	Name() string
	Run(ctx context.Context) Result
}

// Problem is an error that carries its own fix: checks return it where the remedy depends on what
// went wrong.
type Problem struct {
	Detail string
	Fix    string
	Err    error
}

func (p *Problem) Error() string {
	if p.Err != nil {
		return p.Detail + ": " + p.Err.Error()
	}
	return p.Detail
}

func (p *Problem) Unwrap() error { return p.Err }

// problem builds a Problem.
func problem(fix string, err error, format string, args ...any) *Problem {
	return &Problem{Detail: fmt.Sprintf(format, args...), Fix: fix, Err: err}
}

// Func is a check made of a function. The function returns what it found, or an error (a *Problem
// when the fix depends on the failure). Fix is the remedy for any other error.
type Func struct {
	CheckName string
	// Timeout bounds the function; zero means DefaultTimeout.
	Timeout time.Duration
	// Fix is what to do when the function fails with a plain error.
	Fix string
	Fn  func(ctx context.Context) (string, error)
}

// Name implements Check.
func (f *Func) Name() string { return f.CheckName }

// Run implements Check: it runs Fn under the timeout and turns its outcome into a Result.
func (f *Func) Run(ctx context.Context) Result {
	timeout := f.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	// Timed from before the deadline is set, so a check that runs out of time never reports
	// less than its timeout, however late this goroutine is scheduled.
	start := time.Now()
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	detail, err := f.Fn(cctx)
	res := Result{Name: f.CheckName, Duration: time.Since(start)}
	if err == nil {
		res.OK, res.Detail = true, detail
		return res
	}
	res.Detail, res.Fix = err.Error(), f.Fix
	var p *Problem
	if errors.As(err, &p) && p.Fix != "" {
		res.Fix = p.Fix
	}
	if cctx.Err() != nil && ctx.Err() == nil {
		res.Detail = fmt.Sprintf("no answer within %s: %s", timeout, res.Detail)
	}
	return res
}

// Skip is a check that is reported as skipped, with the reason as its detail.
func Skip(name, reason string) Check {
	return &fixed{Result{Name: name, OK: true, Skipped: true, Detail: reason}}
}

// Fail is a check that fails without running, for a check that cannot even be built (a stack
// output it needs is missing, say).
func Fail(name, detail, fix string) Check {
	return &fixed{Result{Name: name, Detail: detail, Fix: fix}}
}

type fixed struct{ r Result }

func (f *fixed) Name() string               { return f.r.Name }
func (f *fixed) Run(context.Context) Result { return f.r }

// WithTimeout returns c with its timeout set to d, when c is a *Func whose timeout is not set yet
// (checks with their own longer timeout, such as drift and containers, keep it). Other checks are
// returned unchanged.
func WithTimeout(c Check, d time.Duration) Check {
	f, ok := c.(*Func)
	if !ok || f.Timeout != 0 || d <= 0 {
		return c
	}
	g := *f
	g.Timeout = d
	return &g
}

// errorCode is the AWS error code of err, or "".
func errorCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}
