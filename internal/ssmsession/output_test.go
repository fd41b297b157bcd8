package ssmsession

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

func isReady(o *Output) bool {
	select {
	case <-o.Ready():
		return true
	default:
		return false
	}
}

func TestOutputParsesSessionIDAndReadiness(t *testing.T) {
	t.Parallel()
	var log bytes.Buffer
	o := NewOutput(&log)
	if got := o.Tail(); got != "no output" {
		t.Errorf("Tail() of nothing = %q; want %q", got, "no output")
	}
	// Written in pieces that split lines, as pipes deliver it.
	in := "\nStarting session with SessionId: alice@example.com-0a1b2c3d4e5f.\n" +
		"Port 5432 opened for sessionId alice@example.com-0a1b2c3d4e5f.\r\n"
	for _, p := range []string{in[:20], in[20:70], in[70:]} {
		if _, err := o.Write([]byte(p)); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := o.SessionID(), "alice@example.com-0a1b2c3d4e5f"; got != want {
		t.Errorf("SessionID() = %q; want %q", got, want)
	}
	if !isReady(o) {
		t.Error("not ready after the plugin's port-opened line")
	}
	if log.String() != in {
		t.Errorf("log got %q; want the output verbatim", log.String())
	}
	// A later session id does not replace the first, and a second ready line does not panic.
	_, _ = o.Write([]byte("SessionId: other-1\nWaiting for connections...\npartial"))
	if got := o.SessionID(); got != "alice@example.com-0a1b2c3d4e5f" {
		t.Errorf("SessionID() = %q after a second id", got)
	}
	want := "Starting session with SessionId: alice@example.com-0a1b2c3d4e5f. | " +
		"Port 5432 opened for sessionId alice@example.com-0a1b2c3d4e5f. | SessionId: other-1 | " +
		"Waiting for connections... | partial"
	if got := o.Tail(); got != want {
		t.Errorf("Tail() = %q; want %q", got, want)
	}
}

func TestOutputWaitingForConnectionsIsReady(t *testing.T) {
	t.Parallel()
	o := NewOutput(nil)
	_, _ = o.Write([]byte("Starting session with SessionId: s-1\n"))
	if isReady(o) {
		t.Fatal("ready before the plugin said so")
	}
	_, _ = o.Write([]byte("  waiting for connections...\n"))
	if !isReady(o) {
		t.Fatal("not ready after \"Waiting for connections\"")
	}
}

func TestOutputTailKeepsTheLastLines(t *testing.T) {
	t.Parallel()
	o := NewOutput(nil)
	for i := range tailLines + 5 {
		_, _ = fmt.Fprintf(o, "line %d\n", i)
	}
	lines := strings.Split(o.Tail(), " | ")
	if len(lines) != tailLines || lines[0] != "line 5" || lines[tailLines-1] != fmt.Sprintf("line %d", tailLines+4) {
		t.Errorf("Tail() = %q; want the last %d lines", o.Tail(), tailLines)
	}
}
