// Command hubctl is the operator and release CLI of the FLIP Central Hub: offline plans,
// Automation API deployments and day-2 operations. Run `hubctl --help`.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/londonaicentre/flip-hub/internal/interrupt"
)

func main() {
	// The first Ctrl-C lets a running engine stop cleanly; a second one stops it at once.
	ctx, stop := interrupt.Context(context.Background(), os.Stderr)
	code := run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

// run executes hubctl with args and returns the process exit code.
func run(ctx context.Context, args []string) int {
	root := newRoot()
	root.SetArgs(args)
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "hubctl:", err)
		return exitCode(err)
	}
	return 0
}
