package release

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ownGoroutine runs an inline program on a goroutine of its own and waits for it.
//
// The Go SDK sends the engine the whole call stack of every resource registration, and the
// engine keeps it in the state (stackTrace). An inline program is called from inside the
// Automation API's gRPC server, so each resource would carry some fifteen frames of gRPC and
// Automation API code besides the program's own: about 2 KB per resource, a third of a trust's
// state, written again by every checkpoint. From a fresh goroutine the trace holds the program's
// frames only. A panic in the program becomes an error of the operation rather than a crash of
// hubctl with the stack's lock held.
func ownGoroutine(program pulumi.RunFunc) pulumi.RunFunc {
	return func(ctx *pulumi.Context) (err error) {
		done := make(chan error, 1)
		go func() {
			defer func() {
				if r := recover(); r != nil {
					done <- fmt.Errorf("program panicked: %v", r)
				}
			}()
			done <- program(ctx)
		}()
		return <-done
	}
}
