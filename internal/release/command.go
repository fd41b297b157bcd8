package release

import (
	"context"
	"io"
	"strconv"
	"strings"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
)

// messageCommand runs the pulumi CLI for the Automation API, undoing one quirk of it: the SDK
// passes an update message as fmt.Sprintf("--message=%q", m), straight to exec (no shell to
// unquote it), so the update history would show the message in literal double quotes and with
// Go escapes. The argument is unquoted before the CLI sees it; nothing else changes.
type messageCommand struct{ auto.PulumiCommand }

func (c messageCommand) Run(ctx context.Context, workdir string, stdin io.Reader, out, errOut []io.Writer,
	env []string, args ...string,
) (string, string, int, error) {
	fixed := make([]string, len(args))
	for i, a := range args {
		fixed[i] = a
		if v, ok := strings.CutPrefix(a, "--message="); ok {
			if m, err := strconv.Unquote(v); err == nil {
				fixed[i] = "--message=" + m
			}
		}
	}
	return c.PulumiCommand.Run(ctx, workdir, stdin, out, errOut, env, fixed...)
}

// Version is the wrapped CLI's.
func (c messageCommand) Version() semver.Version { return c.PulumiCommand.Version() }
