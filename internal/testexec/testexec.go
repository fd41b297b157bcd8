package testexec

import (
	"os"
	"syscall"
	"testing"
)

// Write writes an executable file at path with the given contents and mode (0o755 when zero),
// failing the test on error. No child process forked by this process can inherit the file open.
//
// Writing a file and then executing it races with any fork in the same process: a child forked
// while the file is open for writing holds the write descriptor until it execs, and executing the
// file meanwhile fails with ETXTBSY ("text file busy"). Write holds syscall.ForkLock for reading
// while the file is open, which the runtime's fork takes for writing, so no fork can happen then.
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
