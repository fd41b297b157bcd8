package progress

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/term"
)

// Interval is how often a heartbeat line is rewritten.
const Interval = time.Second

// clearLine is a carriage return and erase-line: the cursor back at the start of an empty line.
const clearLine = "\r\x1b[K"

// Terminal reports whether w is a terminal: an *os.File whose descriptor is a TTY.
func Terminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Beat is a heartbeat line: "label… 12s", rewritten in place until Stop. The zero of a *Beat
// (nil) does nothing, which is what Start returns for a writer that is not a terminal.
type Beat struct {
	w     io.Writer
	label string
	began time.Time
	now   func() time.Time

	mu    sync.Mutex
	shown bool
	done  chan struct{}
	wg    sync.WaitGroup
	once  sync.Once
}

// Start shows a heartbeat on w when w is a terminal; otherwise it returns nil, whose methods do
// nothing.
func Start(w io.Writer, label string) *Beat {
	if w == nil || !Terminal(w) {
		return nil
	}
	return start(w, label, Interval, time.Now)
}

// Heartbeat is Start for a wait that writes nothing else meanwhile; it returns the Stop.
func Heartbeat(w io.Writer, label string) (stop func()) { return Start(w, label).Stop }

func start(w io.Writer, label string, every time.Duration, now func() time.Time) *Beat {
	b := &Beat{w: w, label: label, began: now(), now: now, done: make(chan struct{})}
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-b.done:
				return
			case <-t.C:
				b.mu.Lock()
				fmt.Fprintf(b.w, "%s%s… %s", clearLine, b.label, Elapsed(b.now().Sub(b.began)))
				b.shown = true
				b.mu.Unlock()
			}
		}
	}()
	return b
}

// Hide clears the heartbeat line, runs write (output of the waiting command, on any stream of
// the same terminal) and lets the next tick draw the line again below it.
func (b *Beat) Hide(write func()) {
	if b == nil {
		write()
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.clear()
	write()
}

// Stop ends the heartbeat and clears its line. It may be called more than once.
func (b *Beat) Stop() {
	if b == nil {
		return
	}
	b.once.Do(func() {
		close(b.done)
		b.wg.Wait()
		b.mu.Lock()
		b.clear()
		b.mu.Unlock()
	})
}

func (b *Beat) clear() {
	if b.shown {
		fmt.Fprint(b.w, clearLine)
		b.shown = false
	}
}

// Elapsed formats a duration for people: whole seconds, then minutes and seconds.
func Elapsed(d time.Duration) string {
	d = d.Round(time.Second)
	if d < time.Minute {
		return fmt.Sprintf("%ds", int(d.Seconds()))
	}
	return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
}
