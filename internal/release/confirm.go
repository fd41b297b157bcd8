package release

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ConfirmDestroy asks on out for the stack's name, reads one line from in and accepts only that
// name; an empty input (a script without --yes) is a refusal, typed as a usage error.
func ConfirmDestroy(in io.Reader, out io.Writer, stack string) error {
	fmt.Fprintf(out, "Destroy stack %s: every resource that is not retained is deleted. Type the stack name to confirm: ", stack)
	line, err := bufio.NewReader(in).ReadString('\n')
	if strings.TrimSpace(line) == stack && (err == nil || errors.Is(err, io.EOF)) {
		return nil
	}
	fmt.Fprintln(out)
	return fail(Usage, "destroy of %s not confirmed: type the stack name, or pass --yes from a script", stack)
}

// DestroyConfirmed destroys the stack after ConfirmDestroy on in and out, unless yes. A prod
// stack is refused by Destroy itself (exit 4), asked or not, so it is never asked.
func (s *Stack) DestroyConfirmed(ctx context.Context, in io.Reader, out io.Writer, yes bool) error {
	prod, err := s.IsProd(ctx)
	if err != nil {
		return err
	}
	if !prod && !yes {
		if err := ConfirmDestroy(in, out, s.opts.Stack); err != nil {
			return err
		}
	}
	return s.Destroy(ctx)
}
