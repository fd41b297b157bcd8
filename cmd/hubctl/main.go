// Command hubctl is the operator and release CLI of the FLIP Central Hub: offline plans,
// Automation API deployments and day-2 operations. Run `hubctl --help`.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
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
