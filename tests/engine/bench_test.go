package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BenchmarkEngine measures a prod hub through the real engine and the test providers with 1,
// 100 and 500 trusts: `hubctl preview` of a new stack, the first `hubctl up`, and a no-change
// `hubctl up --expect-no-changes`. Besides time per operation it reports the resources in
// the state, the state's size, and the peak resident memory of the largest process
// (hubctl or the pulumi CLI it waits for). Run with -benchtime=1x: one first up of 500 trusts
// takes minutes.
//
//	go test ./tests/engine -run '^$' -bench Engine -benchtime=1x -timeout 60m
func BenchmarkEngine(b *testing.B) {
	for _, n := range []int{1, 100, 500} {
		b.Run(fmt.Sprintf("trusts=%d", n), func(b *testing.B) {
			if n >= 500 && os.Getenv("FLIP_BENCH_LARGE") == "" {
				b.Skip("set FLIP_BENCH_LARGE=1 for 500 trusts (about ten minutes)")
			}
			benchHub(b, n, nil)
		})
	}
	// The file backend writes the whole state after every step; without checkpoints it writes
	// once at the end (and an interrupted update then records nothing it did).
	b.Run("trusts=100/skip-checkpoints", func(b *testing.B) {
		benchHub(b, 100, []string{"PULUMI_SKIP_CHECKPOINTS=true"})
	})
}

func benchHub(b *testing.B, trusts int, env []string) {
	for _, op := range []string{"preview", "up", "up-no-change"} {
		b.Run(op, func(b *testing.B) {
			var elapsed time.Duration
			var maxRSS int64
			var resources, stateBytes int
			for range b.N {
				b.StopTimer()
				h := newBenchHub(b, trusts)
				h.extraEnv = env
				if op == "up-no-change" {
					h.mustRun(b, "up", "--stack", "prod")
				}
				args := map[string][]string{
					"preview":      {"preview", "--stack", "prod"},
					"up":           {"up", "--stack", "prod"},
					"up-no-change": {"up", "--stack", "prod", "--expect-no-changes"},
				}[op]
				b.StartTimer()
				start := time.Now()
				rss := h.mustRun(b, args...)
				elapsed += time.Since(start)
				b.StopTimer()
				maxRSS = max(maxRSS, rss)
				if op != "preview" {
					raw, dep := h.export()
					resources, stateBytes = len(dep.Resources), len(raw)
					keepState(b, trusts, raw)
				}
			}
			b.ReportMetric(float64(elapsed.Milliseconds())/float64(b.N), "ms/op-wall")
			b.ReportMetric(float64(maxRSS)/1024, "peak-rss-MB")
			if resources > 0 {
				b.ReportMetric(float64(resources), "resources")
				b.ReportMetric(float64(stateBytes)/1024, "state-KB")
			}
		})
	}
}

// newBenchHub is a prod hub with n trusts and a slot for each.
func newBenchHub(b *testing.B, n int) *hub {
	b.Helper()
	return newHub(b, "prod", func(cfg map[string]any) {
		var list []any
		var slots []any
		for i := range n {
			list = append(list, map[string]any{
				"code":        fmt.Sprintf("t%03d", i+1),
				"name":        fmt.Sprintf("Benchmark Trust %d", i+1),
				"region":      "London",
				"egressCidrs": []any{benchCIDR(i)},
			})
			slots = append(slots, fmt.Sprintf("Trust_%d", i+1))
		}
		cfg["flip-hub:trusts"] = list
		cfg["flip-hub:fl"].(map[string]any)["kitSlotNames"] = slots
	})
}

// benchCIDR is the i-th distinct /32 in the documentation ranges 198.51.100.0/24 and 203.0.113.0/24.
func benchCIDR(i int) string {
	if i < 256 {
		return fmt.Sprintf("198.51.100.%d/32", i)
	}
	return fmt.Sprintf("203.0.113.%d/32", i-256)
}

// mustRun runs hubctl and returns the peak resident memory (KB) of the largest process it waited for.
func (h *hub) mustRun(b *testing.B, args ...string) int64 {
	b.Helper()
	cmd := h.command(b.Context(), args...)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		b.Fatalf("hubctl %v: %v\n%s", args, err, tail(out.String(), 4000))
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss
	}
	return 0
}

// keepState writes the exported state to $FLIP_BENCH_STATE_DIR/prod-<trusts>.json when that is
// set, to see what each resource adds to it.
func keepState(b *testing.B, trusts int, raw []byte) {
	b.Helper()
	dir := os.Getenv("FLIP_BENCH_STATE_DIR")
	if dir == "" {
		return
	}
	if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("prod-%d.json", trusts)), raw, 0o600); err != nil {
		b.Fatal(err)
	}
}
