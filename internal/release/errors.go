package release

import "github.com/londonaicentre/flip-hub/internal/outcome"

// Code, Error and the codes are outcome's: release returns them for every operation.
type (
	Code  = outcome.Code
	Error = outcome.Error
)

// The outcomes a release script can branch on (see package outcome).
const (
	OK             = outcome.OK
	Failed         = outcome.Failed
	Usage          = outcome.Usage
	ChangesPending = outcome.ChangesPending
	Refused        = outcome.Refused
	Concurrent     = outcome.Concurrent
)

// CodeOf returns the outcome code of an error (see outcome.CodeOf).
func CodeOf(err error) Code { return outcome.CodeOf(err) }

func fail(code Code, format string, args ...any) error { return outcome.Errorf(code, format, args...) }
