package engine

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

// interruptUp runs `hubctl up` and sends it SIGINT, as Ctrl-C does, once a line of its progress
// satisfies when. It returns what hubctl printed, whether the signal was sent, and its exit error.
func interruptUp(t *testing.T, h *hub, when func(line, sofar string) bool) (stdout, stderr string, sent bool, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), upTimeout)
	defer cancel()
	cmd := h.command(ctx, "up", "--stack", h.stack)
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var errOut, out strings.Builder
	cmd.Stderr = &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(pipe)
	for sc.Scan() {
		line := sc.Text()
		out.WriteString(line + "\n")
		if !sent && when(line, out.String()) {
			if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
				t.Fatal(err)
			}
			sent = true
		}
	}
	err = cmd.Wait()
	return out.String(), errOut.String(), sent, err
}

// TestInterruptedUp sends SIGINT to hubctl in the middle of an up, as Ctrl-C does: the engine
// must end the update cleanly, leaving no pending operation and no lock, so the next up simply
// carries on.
func TestInterruptedUp(t *testing.T) {
	t.Parallel()
	h := newHub(t, "stag", nil)
	// Interrupt once the engine is well into creating resources.
	out, errOut, sent, err := interruptUp(t, h, func(_, sofar string) bool { return strings.Count(sofar, " created") >= 20 })
	if !sent {
		t.Fatalf("the up finished before it could be interrupted (err %v)\n%s", err, tail(out, 4000))
	}
	if err == nil {
		t.Errorf("hubctl exited 0 after SIGINT: the interrupt was not honoured\n%s", tail(out, 2000))
	}
	_, dep := h.export()
	if len(dep.Pending) != 0 {
		t.Errorf("interrupted up left %d pending operations\nstdout:\n%s\nstderr:\n%s", len(dep.Pending), tail(out, 3000), tail(errOut, 3000))
	}
	locks, _ := filepath.Glob(filepath.Join(h.state, ".pulumi", "locks", "*", "*", "*", "*"))
	for _, l := range locks {
		if st, err := os.Stat(l); err == nil && !st.IsDir() {
			t.Errorf("interrupted up left a lock: %s", l)
		}
	}
	r := h.run(upTimeout, "up", "--stack", "stag")
	if r.code != 0 {
		t.Fatalf("the up after an interrupted one failed\n%s", r)
	}
}

// TestInterruptWaitsForTheOperationInFlight: Ctrl-C while AWS is still creating something slow
// (an RDS instance takes minutes) must let the engine finish that operation and record it,
// however long it takes, not kill the engine after a few seconds and leave a pending create.
func TestInterruptWaitsForTheOperationInFlight(t *testing.T) {
	t.Parallel()
	h := newHub(t, "stag", nil)
	h.extraEnv = []string{envSlowCreate + "=aws:rds/instance:Instance=15s"}
	out, errOut, sent, _ := interruptUp(t, h, func(line, _ string) bool {
		return strings.Contains(line, "aws:rds:Instance postgres creating")
	})
	if !sent {
		t.Fatalf("the database create never started\n%s", tail(out, 3000))
	}
	_, dep := h.export()
	if len(dep.Pending) != 0 {
		t.Errorf("the interrupted up left %d pending operations: the engine was stopped mid-operation\nstderr:\n%s", len(dep.Pending), tail(errOut, 2000))
	}
	found := false
	for _, r := range dep.Resources {
		if r.Type == "aws:rds/instance:Instance" {
			found = true
		}
	}
	if !found {
		t.Errorf("the database whose create was in flight is not in the state\nstdout:\n%s", tail(out, 3000))
	}
}

// TestRunbookKilledUpdate follows the README's "Recover from an interrupted update" runbook after
// the worst case: hubctl and the engine killed outright (SIGKILL, as an OOM kill or a lost runner
// does) while AWS is still creating the database. The lock and the pending create are left
// behind; the runbook's steps, run as written, bring the stack back: the next up exits 5, the
// lock is removed, `pulumi refresh --clear-pending-creates` forgets the create, and up finishes.
func TestRunbookKilledUpdate(t *testing.T) {
	t.Parallel()
	h := newHub(t, "stag", nil)
	h.extraEnv = []string{envSlowCreate + "=aws:rds/instance:Instance=60s"}
	ctx, cancel := context.WithTimeout(context.Background(), upTimeout)
	defer cancel()
	cmd := h.command(ctx, "up", "--stack", h.stack)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	sc := bufio.NewScanner(pipe)
	for sc.Scan() {
		if !killed && strings.Contains(sc.Text(), "aws:rds:Instance postgres creating") {
			// The whole process group: hubctl, the pulumi CLI, its plugins.
			if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			killed = true
		}
	}
	_ = cmd.Wait()
	if !killed {
		t.Fatal("the database create never started")
	}
	h.extraEnv = nil

	// Step 1: the next up is refused while the dead update's lock stays (exit 5, concurrent).
	locks := func() []string {
		var files []string
		_ = filepath.WalkDir(filepath.Join(h.state, ".pulumi", "locks"), func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				files = append(files, p)
			}
			return nil
		})
		return files
	}
	if len(locks()) == 0 {
		t.Fatal("the killed update left no lock; the runbook's first step would not be needed")
	}
	if r := h.run(upTimeout, "up", "--stack", h.stack); r.code != 5 {
		t.Fatalf("up while the lock stays: exit %d, want 5\n%s", r.code, r)
	}
	for _, l := range locks() {
		if err := os.Remove(l); err != nil {
			t.Fatal(err)
		}
	}
	// Step 2: the export lists the pending creates. Each one is looked up in the account (here,
	// the test provider's record): one that AWS did create is adopted with
	// --import-pending-creates URN ID, the rest are forgotten with --clear-pending-creates.
	raw, _ := h.export()
	var doc struct {
		Deployment struct {
			Pending []struct {
				Resource struct {
					URN string `json:"urn"`
				} `json:"resource"`
			} `json:"pending_operations"`
		} `json:"deployment"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	rec, err := readRecord(h.record)
	if err != nil {
		t.Fatal(err)
	}
	idOf := map[string]string{}
	for id, urn := range rec.Resources {
		idOf[urn] = id
	}
	var imports []string
	for _, p := range doc.Deployment.Pending {
		if id, ok := idOf[p.Resource.URN]; ok {
			imports = append(imports, "--import-pending-creates", p.Resource.URN, "--import-pending-creates", id)
		}
	}
	if len(imports) > 0 {
		h.pulumi(append([]string{"refresh", "--yes", "--skip-preview"}, imports...)...)
	}
	if _, dep := h.export(); len(dep.Pending) > 0 {
		h.pulumi("refresh", "--clear-pending-creates", "--yes", "--skip-preview")
	}
	if _, dep := h.export(); len(dep.Pending) != 0 {
		t.Fatalf("%d pending operations after the runbook's refresh", len(dep.Pending))
	}
	// Step 3: up finishes the update. A resource the killed engine had created without recording
	// it (no pending operation either) makes the up fail with AWS's "already exists": the
	// runbook deletes such an orphan (it was created seconds before the kill and holds nothing),
	// here by removing it from the account record, and runs up again.
	orphanRE := regexp.MustCompile(`already exists in this account \(held by (urn:[^)]+)\)`)
	for attempt := 0; ; attempt++ {
		r := h.run(upTimeout, "up", "--stack", h.stack)
		if r.code == 0 {
			break
		}
		orphans := orphanRE.FindAllStringSubmatch(r.stdout+r.stderr, -1)
		if attempt == 3 || len(orphans) == 0 {
			t.Fatalf("the up after the runbook failed\n%s", r)
		}
		for _, m := range orphans {
			deleteInAccount(t, h.record, m[1])
		}
	}
}

// deleteInAccount removes what urn created from the test provider's account record, as an
// operator deletes an orphaned resource in the AWS console.
func deleteInAccount(t *testing.T, path, urn string) {
	t.Helper()
	rec, err := readRecord(path)
	if err != nil {
		t.Fatal(err)
	}
	for id, u := range rec.Resources {
		if u == urn {
			delete(rec.Resources, id)
			delete(rec.InBucket, id)
		}
	}
	for name, e := range rec.Names {
		if e.URN == urn {
			delete(rec.Names, name)
		}
	}
	b, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
