package testexec

import (
	"os"
	"syscall"
	"testing"
)

// Write writes an executable file at path with the given contents and mode (0o755 when zero),
// failing the test on error. No child process forked by this process can inherit the file open.
func Write(t testing.TB, path, contents string, mode os.FileMode) {
	t.Helper()
	if mode == 0 {
		mode = 0o755
	}
	if err := write(path, contents, mode); err != nil {
		t.Fatalf("write executable %s: %v", path, err)
	}
}

func write(path, contents string, mode os.FileMode) error {
	syscall.ForkLock.RLock()
	defer syscall.ForkLock.RUnlock()
	return os.WriteFile(path, []byte(contents), mode) //nolint:gosec // an executable, by design
}
