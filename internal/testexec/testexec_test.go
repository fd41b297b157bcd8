package testexec_test

import (
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/londonaicentre/flip-hub/internal/testexec"
)

// TestWriteWhileForking writes and runs many scripts while other goroutines keep forking: without
// the fork lock this fails with "text file busy" within a few hundred rounds on Linux.
func TestWriteWhileForking(t *testing.T) {
	dir := t.TempDir()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
					_ = exec.Command("true").Run()
				}
			}
		}()
	}
	defer func() { close(stop); wg.Wait() }()
	for i := range 300 {
		p := filepath.Join(dir, "s"+strconv.Itoa(i))
		testexec.Write(t, p, "#!/bin/sh\necho ok\n", 0)
		out, err := exec.Command(p).Output()
		if err != nil || string(out) != "ok\n" {
			t.Fatalf("round %d: %q, %v", i, out, err)
		}
	}
}
