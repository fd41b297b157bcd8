package engine

import (
	"strings"
	"testing"
)

// TestProdGuards: a prod hub deploys, and then the guards hold against the real engine.
func TestProdGuards(t *testing.T) {
	t.Parallel()
	h := newHub(t, "prod", nil)

	t.Run("preview and up", func(t *testing.T) {
		if r := h.run(upTimeout, "preview", "--stack", "prod"); r.code != 0 {
			t.Fatalf("preview failed\n%s", r)
		}
		if r := h.run(upTimeout, "up", "--stack", "prod"); r.code != 0 {
			t.Fatalf("up failed\n%s", r)
		}
		_, dep := h.export()
		if d := diffSets(planURNs(t, h), stateURNs(dep)); d != "" {
			t.Fatalf("state after up differs from the plan:\n%s", d)
		}
		if r := h.run(upTimeout, "up", "--stack", "prod", "--expect-no-changes"); r.code != 0 {
			t.Fatalf("second up of prod has changes\n%s", r)
		}
	})

	t.Run("destroy is refused", func(t *testing.T) {
		r := h.run(upTimeout, "destroy", "--stack", "prod")
		if r.code != 4 {
			t.Fatalf("destroy of prod: exit %d, want 4 (refused)\n%s", r.code, r)
		}
		_, dep := h.export()
		if len(stateURNs(dep)) == 0 {
			t.Fatal("refused destroy removed resources")
		}
	})

	t.Run("a step the preview did not show is refused by the engine", func(t *testing.T) {
		_, before := h.export()
		var hostURN, hostID string
		for _, r := range before.Resources {
			if r.Type == "aws:ec2/instance:Instance" {
				hostURN, hostID = r.URN, r.ID
			}
		}
		if hostURN == "" {
			t.Fatal("no hub host in the prod state")
		}
		// The hub host's diff is empty in the preview and a replacement in the up: without the
		// plan, the up would replace the host the preview said stays.
		h.extraEnv = []string{envReplaceAfterPreview + "=aws:ec2/instance:Instance::hub-host"}
		defer func() { h.extraEnv = nil }()
		r := h.run(upTimeout, "up", "--stack", "prod")
		if r.code != 4 {
			t.Fatalf("up beyond its plan: exit %d, want 4 (refused)\n%s", r.code, r)
		}
		if out := r.stdout + r.stderr; !strings.Contains(out, "create-replacement is not allowed by the plan") ||
			!strings.Contains(out, "hub-host") || !strings.Contains(out, "refused a step the preview did not show") {
			t.Errorf("the refusal does not name the resource that violates the plan\n%s", r)
		}
		// The error is said once: the Automation API's dump of the run's whole output (already
		// shown as progress) is not repeated in hubctl's error.
		if strings.Contains(r.stderr, "\nstdout: ") || strings.Contains(r.stderr, "\ncode: ") {
			t.Errorf("hubctl's error repeats the run's output\n%s", r.stderr)
		}
		_, after := h.export()
		for _, res := range after.Resources {
			if res.URN == hostURN && res.ID != hostID {
				t.Fatalf("the hub host was replaced (%s -> %s) despite the plan", hostID, res.ID)
			}
		}
		if len(after.Pending) != 0 {
			t.Errorf("pending operations after the refusal: %v", after.Pending)
		}
	})

	// Renaming the initial database is a replacement of the RDS instance (RDS cannot rename it).
	h.editConfig(func(cfg map[string]any) {
		cfg["flip-hub:database"].(map[string]any)["name"] = "fliphub"
	})
	_, dep := h.export()
	var dbURN string
	for _, r := range dep.Resources {
		if r.Type == "aws:rds/instance:Instance" {
			dbURN = r.URN
			if !r.Protect {
				t.Fatalf("prod database %s is not protected", r.URN)
			}
		}
	}
	if dbURN == "" {
		t.Fatal("no RDS instance in the prod state")
	}

	t.Run("replacing the database is refused and names it", func(t *testing.T) {
		r := h.run(upTimeout, "up", "--stack", "prod")
		if r.code != 4 {
			t.Fatalf("up that replaces the database: exit %d, want 4\n%s", r.code, r)
		}
		if !strings.Contains(r.stderr, dbURN) {
			t.Errorf("refusal does not name %s\n%s", dbURN, r)
		}
	})

	t.Run("allowed replacement still meets the engine's protect", func(t *testing.T) {
		r := h.run(upTimeout, "up", "--stack", "prod", "--allow-replace", dbURN)
		if r.code == 0 {
			t.Fatalf("up replaced a protected database\n%s", r)
		}
		out := r.stdout + r.stderr
		if !strings.Contains(out, "protect") || !strings.Contains(out, "unprotect") {
			t.Errorf("the failure does not say the resource is protected and how to unprotect it\n%s", r)
		}
		_, dep := h.export()
		for _, res := range dep.Resources {
			if res.URN == dbURN && res.Inputs["dbName"] != "flip" {
				t.Errorf("database changed to %v despite protect", res.Inputs["dbName"])
			}
		}
	})
}
