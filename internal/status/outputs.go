package status

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Outputs checks that every required output is present and not empty. The values are never shown.
func Outputs(outs map[string]any, required []string) Check {
	return &Func{
		CheckName: "outputs",
		Fix: "outputs appear after a successful deploy: run `hubctl up` for this stack (or `hubctl outputs` " +
			"to see what it has); a missing output after an up means the program no longer exports it",
		Fn: func(context.Context) (string, error) {
			var missing []string
			for _, k := range required {
				if empty(outs[k]) {
					missing = append(missing, k)
				}
			}
			if len(outs) == 0 {
				return "", errors.New("the stack has no outputs: it has not been deployed")
			}
			if len(missing) > 0 {
				sort.Strings(missing)
				return "", fmt.Errorf("missing or empty: %s", strings.Join(missing, ", "))
			}
			return fmt.Sprintf("%d outputs; the %d the checks need are present", len(outs), len(required)), nil
		},
	}
}

func empty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return strings.TrimSpace(x) == ""
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

// ErrDrift is what a drift function's error wraps when the stack's resources differ from its state.
var ErrDrift = errors.New("the stack has drifted from its state")

// DriftTimeout bounds the drift check: a refresh preview reads every resource of the stack.
const DriftTimeout = 10 * time.Minute

// Drift checks that a refresh would change nothing. refresh runs the refresh preview and returns
// an error wrapping ErrDrift when it would, or another error when it could not run.
func Drift(stack string, refresh func(ctx context.Context) error, timeout time.Duration) Check {
	if timeout <= 0 {
		timeout = DriftTimeout
	}
	return &Func{
		CheckName: "drift",
		Timeout:   timeout,
		Fix: "the refresh preview could not run: check your AWS credentials for the stack's account, the " +
			"state backend login, and that no update holds the stack",
		Fn: func(ctx context.Context) (string, error) {
			err := refresh(ctx)
			switch {
			case err == nil:
				return "a refresh preview finds no changes", nil
			case errors.Is(err, ErrDrift):
				return "", &Problem{
					Detail: err.Error(),
					Fix: fmt.Sprintf("see what changed with `hubctl refresh --stack %s --expect-no-changes` (a preview; "+
						"it changes nothing), then put it back with `hubctl up --stack %s` or make the change in the "+
						"stack config; never leave console edits in place", stack, stack),
				}
			}
			return "", err
		},
	}
}
