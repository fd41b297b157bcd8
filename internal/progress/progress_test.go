package progress

import (
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/londonaicentre/flip-hub/internal/testexec"
)

func TestElapsed(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{{0, "0s"}, {1400 * time.Millisecond, "1s"}, {59 * time.Second, "59s"}, {time.Minute, "1m00s"}, {125 * time.Second, "2m05s"}, {61 * time.Minute, "61m00s"}} {
		if got := Elapsed(tc.d); got != tc.want {
			t.Errorf("Elapsed(%s) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

// TestHeartbeatPiped: on a pipe, a file or a buffer nothing is written, however long the wait.
func TestHeartbeatPiped(t *testing.T) {
	var b testexec.Buffer
	stop := Heartbeat(&b, "waiting")
	time.Sleep(3 * Interval / 2)
	stop()
	stop()
	if b.String() != "" {
		t.Fatalf("heartbeat on a buffer wrote %q", b.String())
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if Terminal(w) || Terminal(&b) || Terminal(nil) {
		t.Fatal("a pipe, a buffer or nil counted as a terminal")
	}
	Heartbeat(nil, "waiting")()
	var nilBeat *Beat
	wrote := false
	nilBeat.Hide(func() { wrote = true })
	nilBeat.Stop()
	if !wrote {
		t.Fatal("a nil Beat's Hide did not run the write")
	}
}

// TestHeartbeatLines: on a terminal the line is rewritten in place with the label and the
// elapsed time, and stop clears it.
func TestHeartbeatLines(t *testing.T) {
	var b testexec.Buffer
	var mu sync.Mutex
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(30 * time.Second)
		return clock
	}
	beat := start(&b, "waiting for snapshot s1", 5*time.Millisecond, now)
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(b.String(), "1m00s") && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	// Output of the waiting command lands on a cleared line, never after the heartbeat's text.
	beat.Hide(func() { _, _ = b.Write([]byte("snapshot 40% done\n")) })
	beat.Stop()
	beat.Stop()
	out := b.String()
	if !strings.Contains(out, "\r\x1b[Kwaiting for snapshot s1… 30s") || !strings.Contains(out, "waiting for snapshot s1… 1m00s") {
		t.Fatalf("heartbeat output %q lacks the rewritten lines", out)
	}
	if !strings.Contains(out, "\r\x1b[Ksnapshot 40% done\n") {
		t.Fatalf("heartbeat output %q: the command's line does not start on a cleared line", out)
	}
	if strings.Count(out, "\n") != 1 {
		t.Fatalf("heartbeat output %q breaks lines of its own", out)
	}
}
