package trusts

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/londonaicentre/flip-hub/internal/outcome"
)

// maxHashInput bounds what ReadKeyHash reads from stdin: a digest is 64 characters.
const maxHashInput = 4 << 10

// ReadKeyHash is hubctl's side of how the register command hands over the key hash: from the
// environment variable env (EnvAPIKeyHash by default), or from stdin (`--hash-stdin`). The value
// never appears in an error; a missing one is a usage error.
func ReadKeyHash(stdin io.Reader, env string, fromStdin bool) (string, error) {
	if fromStdin {
		b, err := io.ReadAll(io.LimitReader(stdin, maxHashInput))
		if err != nil {
			return "", fmt.Errorf("read the key hash from stdin: %w", err)
		}
		hash := strings.TrimSpace(string(b))
		if hash == "" {
			return "", outcome.Wrap(outcome.Usage, errors.New("--hash-stdin: stdin holds no key hash"))
		}
		return hash, nil
	}
	if env == "" {
		return "", outcome.Wrap(outcome.Usage, errors.New("--hash-env: want the name of an environment variable"))
	}
	hash := strings.TrimSpace(os.Getenv(env))
	if hash == "" {
		return "", outcome.Errorf(outcome.Usage, "no key hash: set %s to the SHA-256 hex digest of the trust API key, or pipe it in with --hash-stdin", env)
	}
	return hash, nil
}

// WriteLine prints the registration as the one JSON line ParseRegistration reads.
func (r Registration) WriteLine(w io.Writer) error {
	line, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("registration: %w", err)
	}
	_, err = fmt.Fprintln(w, string(line))
	return err
}
