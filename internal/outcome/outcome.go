package outcome

import (
	"errors"
	"fmt"
)

// Code is the outcome of an operation, as a process exit code.
type Code int

// The outcomes a release script can branch on.
const (
	OK             Code = 0
	Failed         Code = 1
	Usage          Code = 2
	ChangesPending Code = 3
	Refused        Code = 4
	Concurrent     Code = 5
)

func (c Code) String() string {
	switch c {
	case OK:
		return "ok"
	case Failed:
		return "failed"
	case Usage:
		return "usage"
	case ChangesPending:
		return "changes pending"
	case Refused:
		return "refused by a guard"
	case Concurrent:
		return "concurrent update"
	default:
		return fmt.Sprintf("code %d", int(c))
	}
}

// Error is a failed operation with its outcome code.
type Error struct {
	Code Code
	Err  error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// CodeOf returns the outcome code of an error: OK for nil, the outermost Error's code, or Failed.
func CodeOf(err error) Code {
	if err == nil {
		return OK
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Failed
}

// Wrap gives err the outcome code; a nil err stays nil.
func Wrap(code Code, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Code: code, Err: err}
}

// Errorf is fmt.Errorf with an outcome code.
func Errorf(code Code, format string, args ...any) error {
	return &Error{Code: code, Err: fmt.Errorf(format, args...)}
}
