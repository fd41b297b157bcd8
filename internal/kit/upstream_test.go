package kit

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/londonaicentre/flip-hub/internal/flip"
)

// testdata/upstream-kit.env is a kit in the format upstream's tooling writes it
// (scripts/trust_kit_lib.py write_kit over trust/.env.example, with make new-trust's identity
// lines first): upstream's sentinel, the twelve hub-shared keys below it, then the credentials
// and metadata the registration upserted, under a comment header no code matches.

// upstreamKeys mirrors how upstream's upsert finds a key: the first line that is not a comment
// and whose text before the first '=' is the key.
func upstreamKeys(text string) map[string]int {
	n := map[string]int{}
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimLeft(line, " \t"), "#") {
			continue
		}
		if k, _, ok := strings.Cut(line, "="); ok {
			n[k]++
		}
	}
	return n
}

func TestRenderOverUpstreamKit(t *testing.T) {
	t.Parallel()
	fixture, err := os.ReadFile("testdata/upstream-kit.env")
	if err != nil {
		t.Fatal(err)
	}
	tr := testTrust()
	tr.APIKey, tr.InternalServiceKey = "", "" // a later render: keep the file's credentials
	out, err := Render(fixture, tr, testHub())
	if err != nil {
		t.Fatal(err)
	}
	got := string(out)
	lines := strings.Split(got, "\n")
	if n := strings.Count(got, flip.KitSentinel); n != 1 {
		t.Fatalf("%d managed sections after the render, want 1:\n%s", n, got)
	}
	if !slices.Contains(lines, flip.KitSentinel) {
		t.Errorf("the sentinel is not a line of its own")
	}
	// Every line the operator (or upstream's template) owns survives.
	managed := map[string]bool{}
	for _, k := range append(append(append([]string(nil), flip.HubSharedKeys...), flip.CredentialKeys...), flip.MetadataKeys...) {
		managed[k] = true
	}
	for _, line := range strings.Split(strings.TrimSuffix(string(fixture), "\n"), "\n") {
		k, _, _ := strings.Cut(line, "=")
		if line == "" || line == flip.KitSentinel || managed[k] {
			continue
		}
		if !slices.Contains(lines, line) {
			t.Errorf("operator line %q was lost", line)
		}
	}
	// Each managed key once; the credentials kept; the hub values refreshed.
	counts := upstreamKeys(got)
	for k := range managed {
		if counts[k] != 1 {
			t.Errorf("%s is assigned %d times, want once", k, counts[k])
		}
	}
	for _, want := range []string{
		"TRUST_API_KEY=TAK_upstream_minted_key_0123456789_abcdefghijkl",
		"TRUST_INTERNAL_SERVICE_KEY=TISK_upstream_minted_internal_0123456789_abcd",
		"CENTRAL_HUB_API_URL=https://flip.example.nhs.uk/api",
		"FLARE_KIT_DATE=2025-06-01",
		"NLB_SUBDOMAIN=fl.flip.example.nhs.uk",
		"FL_SERVER_PORT=8002",
	} {
		if !slices.Contains(lines, want) {
			t.Errorf("rendered kit lacks the line %q:\n%s", want, got)
		}
	}
	// A second render over the first changes nothing.
	again, err := Render(out, tr, testHub())
	if err != nil {
		t.Fatal(err)
	}
	if string(again) != got {
		t.Errorf("render is not stable over its own output:\n%s\n---\n%s", got, again)
	}
}

// A kit hubctl writes is one upstream's sync-trust-kit updates in place: the sentinel is found
// (so no second block is appended) and every hub-shared key is a plain KEY=value line.
func TestUpstreamFindsHubctlKit(t *testing.T) {
	t.Parallel()
	out, err := Render(nil, testTrust(), testHub())
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(out), "\n")
	if !slices.Contains(lines, flip.KitSentinel) {
		t.Fatalf("no line is upstream's sentinel:\n%s", out)
	}
	counts := upstreamKeys(string(out))
	for _, k := range flip.HubSharedKeys {
		if counts[k] != 1 {
			t.Errorf("upstream's upsert finds %s %d times, want once", k, counts[k])
		}
	}
	// The hub-shared keys stand below the sentinel, in upstream's order.
	i := slices.Index(lines, flip.KitSentinel)
	var below []string
	for _, l := range lines[i+1:] {
		if k, _, ok := strings.Cut(l, "="); ok {
			below = append(below, k)
		}
	}
	if !slices.Equal(below, flip.HubSharedKeys) {
		t.Errorf("keys below the sentinel %v, want %v", below, flip.HubSharedKeys)
	}
}
