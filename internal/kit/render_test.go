package kit

import (
	"errors"
	"strings"
	"testing"
)

// Made-up secrets, distinctive enough that any leak is found by substring search.
const (
	apiKey      = "TAK_sEcReT_api_key_0123456789_abcdefghijklmnop"
	internalKey = "TISK-sEcReT-internal-key-0123456789-abcdefghij"
	aesKey      = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=" // base64 of "0123456789abcdef0123456789abcdef"
	oldAPIKey   = "OLD_api_key_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
)

var secrets = []string{apiKey, internalKey, aesKey, oldAPIKey}

func testTrust() Trust {
	return Trust{
		APIKey:             apiKey,
		InternalServiceKey: internalKey,
		TrustID:            "3f2b8c1e-9a4d-4e5f-8b6a-0c1d2e3f4a5b",
		SlotName:           "Trust_3",
		SlotNumber:         3,
	}
}

func testHub() Hub {
	return Hub{
		AESKeyBase64:     aesKey,
		Domain:           "flip.example.nhs.uk",
		FLBackend:        "nvflare",
		KitDate:          "2025-06-01",
		DockerTag:        "sha-1a2b3c4",
		DockerRegistry:   "ghcr.io/londonaicentre",
		DockerFLTag:      "sha-9f8e7d6",
		DockerFLRegistry: "ghcr.io/londonaicentre/",
	}
}

// The expected files below are written by hand from the format in FLIP-FACTS.md, not captured
// from Render's output.

const wantTrustBlock = `TRUST_API_KEY=TAK_sEcReT_api_key_0123456789_abcdefghijklmnop
TRUST_INTERNAL_SERVICE_KEY=TISK-sEcReT-internal-key-0123456789-abcdefghij
EXPECTED_TRUST_ID=3f2b8c1e-9a4d-4e5f-8b6a-0c1d2e3f4a5b
FL_KIT_SLOT=Trust_3
FL_KIT_SLOT_NUMBER=3
`

const wantHubSection = `# ── Hub-shared (managed by register-trust / sync-trust-kits — do not edit) ──
AES_KEY_BASE64=MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=
CENTRAL_HUB_API_URL=https://flip.example.nhs.uk/api
TRUST_API_KEY_HEADER=Authorization
FL_BACKEND=nvflare
FLOWER_KIT_DATE=
FLARE_KIT_DATE=2025-06-01
DOCKER_TAG=sha-1a2b3c4
DOCKER_REGISTRY=ghcr.io/londonaicentre
DOCKER_FL_TAG=sha-9f8e7d6
DOCKER_FL_REGISTRY=ghcr.io/londonaicentre/
NLB_SUBDOMAIN=fl.flip.example.nhs.uk
FL_SERVER_PORT=8002
`

const wantNewFile = wantTrustBlock + "\n" + wantHubSection

// operatorFile is a kit an operator has edited: comments, odd lines, a multi-line value that
// contains a managed key name, CRLF, an operator pin of a hub key, stale per-trust values in the
// middle, and a hand-added line below the sentinel hubctl used to write (legacySentinel), which a
// render replaces by upstream's.
const operatorFile = "# Operator settings for GSTT — edit freely\n" +
	"XNAT_URL=https://xnat.gstt.internal\n" +
	"export PROXY = \"http://proxy:3128\"   # corporate proxy\n" +
	"   \n" +
	"ODD LINE WITHOUT EQUALS\n" +
	"PEM=\"-----BEGIN CERT-----\n" +
	"TRUST_API_KEY=inside-a-multiline-value-not-a-key\n" +
	"-----END CERT-----\"\n" +
	"TRUST_API_KEY=" + oldAPIKey + "\n" +
	"DOCKER_TAG=operator-pin\n" +
	"WINDOWS_LINE=crlf\r\n" +
	"export EXPECTED_TRUST_ID=00000000-0000-4000-8000-000000000000\n" +
	"# trailing comment\n" +
	"\n" +
	"\n" +
	"# --- managed by hubctl: do not edit below this line ---\n" +
	"AES_KEY_BASE64=old\n" +
	"HAND_ADDED=below the line\n" +
	"\n" +
	"FL_BACKEND=flower\n"

const wantMergedFile = "# Operator settings for GSTT — edit freely\n" +
	"XNAT_URL=https://xnat.gstt.internal\n" +
	"export PROXY = \"http://proxy:3128\"   # corporate proxy\n" +
	"   \n" +
	"ODD LINE WITHOUT EQUALS\n" +
	"PEM=\"-----BEGIN CERT-----\n" +
	"TRUST_API_KEY=inside-a-multiline-value-not-a-key\n" +
	"-----END CERT-----\"\n" +
	"WINDOWS_LINE=crlf\r\n" +
	"# trailing comment\n" +
	"HAND_ADDED=below the line\n" +
	"\n" +
	wantTrustBlock +
	"\n" +
	wantHubSection

func TestRender(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		existing string
		trust    func(*Trust)
		hub      func(*Hub)
		want     string
	}{
		{name: "new file", existing: "", want: wantNewFile},
		{name: "operator file merged", existing: operatorFile, want: wantMergedFile},
		{
			name:     "file written by hand without a sentinel",
			existing: "LOG_LEVEL=debug\nTRUST_API_KEY=x\nFL_KIT_SLOT=Trust_9\n",
			want:     "LOG_LEVEL=debug\n\n" + wantNewFile,
		},
		{
			name:     "no trailing newline",
			existing: "LOG_LEVEL=debug",
			want:     "LOG_LEVEL=debug\n\n" + wantNewFile,
		},
		{
			name:     "only blank lines",
			existing: "\n\n  \n",
			want:     wantNewFile,
		},
		{
			name:     "repeated sentinel and blank lines below are dropped",
			existing: wantNewFile + "\n" + Sentinel + "\n\n",
			want:     wantNewFile,
		},
		{
			name:     "flower backend, custom header and port",
			existing: "",
			hub: func(h *Hub) {
				h.FLBackend, h.TrustAPIKeyHeader, h.FLServerPort = "flower", "X-Trust-Key", 9443
			},
			want: wantTrustBlock + "\n" + strings.NewReplacer(
				"TRUST_API_KEY_HEADER=Authorization", "TRUST_API_KEY_HEADER=X-Trust-Key",
				"FL_BACKEND=nvflare", "FL_BACKEND=flower",
				"FLOWER_KIT_DATE=\n", "FLOWER_KIT_DATE=2025-06-01\n",
				"FLARE_KIT_DATE=2025-06-01\n", "FLARE_KIT_DATE=\n",
				"FL_SERVER_PORT=8002", "FL_SERVER_PORT=9443",
			).Replace(wantHubSection),
		},
		{
			name:     "flower default port",
			existing: "",
			hub:      func(h *Hub) { h.FLBackend = "flower" },
			want: wantTrustBlock + "\n" + strings.NewReplacer(
				"FL_BACKEND=nvflare", "FL_BACKEND=flower",
				"FLOWER_KIT_DATE=\n", "FLOWER_KIT_DATE=2025-06-01\n",
				"FLARE_KIT_DATE=2025-06-01\n", "FLARE_KIT_DATE=\n",
				"FL_SERVER_PORT=8002", "FL_SERVER_PORT=9092",
			).Replace(wantHubSection),
		},
		{
			name:     "slot name that needs quoting",
			existing: "",
			trust:    func(tr *Trust) { tr.SlotName = "Trust 3 (King's)" },
			want: strings.Replace(wantTrustBlock, "FL_KIT_SLOT=Trust_3", `FL_KIT_SLOT="Trust 3 (King's)"`, 1) +
				"\n" + wantHubSection,
		},
		{
			name:     "header with characters that need single quotes",
			existing: "",
			hub:      func(h *Hub) { h.TrustAPIKeyHeader = "X-Key$1" },
			want: wantTrustBlock + "\n" +
				strings.Replace(wantHubSection, "TRUST_API_KEY_HEADER=Authorization", "TRUST_API_KEY_HEADER='X-Key$1'", 1),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tr, h := testTrust(), testHub()
			if tc.trust != nil {
				tc.trust(&tr)
			}
			if tc.hub != nil {
				tc.hub(&h)
			}
			got, err := Render([]byte(tc.existing), tr, h)
			if err != nil {
				t.Fatalf("Render() error = %v", err)
			}
			if string(got) != tc.want {
				t.Errorf("Render() mismatch\n--- got ---\n%s\n--- want ---\n%s", got, tc.want)
			}
			again, err := Render(got, tr, h)
			if err != nil {
				t.Fatalf("second Render() error = %v", err)
			}
			if string(again) != string(got) {
				t.Errorf("Render() is not idempotent\n--- first ---\n%s\n--- second ---\n%s", got, again)
			}
		})
	}
}

func TestRenderOwnsEachManagedKeyOnce(t *testing.T) {
	t.Parallel()
	inputs := map[string]string{
		"empty":    "",
		"operator": operatorFile,
		"crlf":     strings.ReplaceAll(operatorFile, "\n", "\r\n"),
		"managed keys everywhere": "FL_BACKEND=x\nexport TRUST_API_KEY=" + oldAPIKey + "\n" + Sentinel + "\n" +
			"TRUST_API_KEY=" + oldAPIKey + "\nFL_BACKEND=y\n" + Sentinel + "\nDOCKER_TAG=z\n",
	}
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := Render([]byte(in), testTrust(), testHub())
			if err != nil {
				t.Fatal(err)
			}
			if n := strings.Count(string(got), Sentinel); n != 1 {
				t.Errorf("sentinel appears %d times, want 1", n)
			}
			for _, key := range append(append([]string{}, trustKeys...), hubKeys...) {
				var n int
				for _, e := range parse(got) {
					if e.key == key {
						n++
					}
				}
				if n != 1 {
					t.Errorf("%s assigned %d times, want once", key, n)
				}
			}
			_, after, _ := strings.Cut(string(got), Sentinel+"\n")
			for i, line := range strings.Split(strings.TrimSuffix(after, "\n"), "\n") {
				if want := hubKeys[i] + "="; !strings.HasPrefix(line, want) {
					t.Errorf("managed line %d = %q, want %s…", i, line, want)
				}
			}
		})
	}
}

func TestRenderRewritesManagedSection(t *testing.T) {
	t.Parallel()
	first, err := Render([]byte("LOG_LEVEL=info\n"), testTrust(), testHub())
	if err != nil {
		t.Fatal(err)
	}
	// A later render for an image upgrade: new tags, and no plaintext keys at hand.
	h := testHub()
	h.DockerTag, h.DockerFLTag = "sha-7777777", "sha-8888888"
	tr := testTrust()
	tr.APIKey, tr.InternalServiceKey = "", ""
	second, err := Render(first, tr, h)
	if err != nil {
		t.Fatal(err)
	}
	want := "LOG_LEVEL=info\n\n" + wantTrustBlock + "\n" + strings.NewReplacer(
		"DOCKER_TAG=sha-1a2b3c4", "DOCKER_TAG=sha-7777777",
		"DOCKER_FL_TAG=sha-9f8e7d6", "DOCKER_FL_TAG=sha-8888888",
	).Replace(wantHubSection)
	if string(second) != want {
		t.Errorf("re-render mismatch\n--- got ---\n%s\n--- want ---\n%s", second, want)
	}
}

func TestRenderSecretsKeptOrRequired(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		existing  string
		trust     func(*Trust)
		wantErr   error
		wantInErr string
		wantKey   string // expected TRUST_API_KEY value in the output
	}{
		{
			name:     "new key replaces the file's",
			existing: "TRUST_API_KEY=" + oldAPIKey + "\nTRUST_INTERNAL_SERVICE_KEY=" + internalKey + "\n",
			wantKey:  apiKey,
		},
		{
			name:     "empty key keeps the file's",
			existing: "TRUST_API_KEY=" + oldAPIKey + "\nTRUST_INTERNAL_SERVICE_KEY=" + internalKey + "\n",
			trust:    func(tr *Trust) { tr.APIKey, tr.InternalServiceKey = "", "" },
			wantKey:  oldAPIKey,
		},
		{
			name:     "kept key read from a quoted, exported assignment below the sentinel",
			existing: Sentinel + "\nexport TRUST_API_KEY='" + oldAPIKey + "'\nTRUST_INTERNAL_SERVICE_KEY=\"" + internalKey + "\"\n",
			trust:    func(tr *Trust) { tr.APIKey, tr.InternalServiceKey = "", "" },
			wantKey:  oldAPIKey,
		},
		{
			name:     "last assignment wins",
			existing: "TRUST_API_KEY=" + apiKey + "\nTRUST_API_KEY=" + oldAPIKey + "\nTRUST_INTERNAL_SERVICE_KEY=" + internalKey + "\n",
			trust:    func(tr *Trust) { tr.APIKey = "" },
			wantKey:  oldAPIKey,
		},
		{
			name:      "no key anywhere",
			existing:  "TRUST_INTERNAL_SERVICE_KEY=" + internalKey + "\n",
			trust:     func(tr *Trust) { tr.APIKey = "" },
			wantErr:   ErrMissingValue,
			wantInErr: "TRUST_API_KEY",
		},
		{
			name:      "empty internal key and none in the file",
			existing:  "",
			trust:     func(tr *Trust) { tr.InternalServiceKey = "" },
			wantErr:   ErrMissingValue,
			wantInErr: "TRUST_INTERNAL_SERVICE_KEY",
		},
		{
			name:      "malformed key in the file is not carried forward",
			existing:  "TRUST_API_KEY=short\nTRUST_INTERNAL_SERVICE_KEY=" + internalKey + "\n",
			trust:     func(tr *Trust) { tr.APIKey = "" },
			wantErr:   ErrInvalidValue,
			wantInErr: "existing kit file",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tr := testTrust()
			if tc.trust != nil {
				tc.trust(&tr)
			}
			got, err := Render([]byte(tc.existing), tr, testHub())
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || !strings.Contains(err.Error(), tc.wantInErr) {
					t.Fatalf("Render() error = %v, want %v mentioning %s", err, tc.wantErr, tc.wantInErr)
				}
				assertNoSecrets(t, err.Error())
				return
			}
			if err != nil {
				t.Fatalf("Render() error = %v", err)
			}
			var keys []string
			for _, e := range parse(got) {
				if e.key == "TRUST_API_KEY" {
					keys = append(keys, e.value)
				}
			}
			if len(keys) != 1 || keys[0] != tc.wantKey {
				t.Errorf("TRUST_API_KEY values = %d (match %v), want exactly the expected one", len(keys), len(keys) == 1 && keys[0] == tc.wantKey)
			}
		})
	}
}

func TestRenderValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		trust   func(*Trust)
		hub     func(*Hub)
		wantErr error
		wantKey string
	}{
		{name: "short api key", trust: func(tr *Trust) { tr.APIKey = "TAK_sEcReT_short" }, wantErr: ErrInvalidValue, wantKey: "TRUST_API_KEY"},
		{name: "api key with padding", trust: func(tr *Trust) { tr.APIKey = apiKey + "==" }, wantErr: ErrInvalidValue, wantKey: "TRUST_API_KEY"},
		{name: "api key with newline", trust: func(tr *Trust) { tr.APIKey = apiKey + "\nX=1" }, wantErr: ErrInvalidValue, wantKey: "TRUST_API_KEY"},
		{name: "internal key with space", trust: func(tr *Trust) { tr.InternalServiceKey = internalKey + " x" }, wantErr: ErrInvalidValue, wantKey: "TRUST_INTERNAL_SERVICE_KEY"},
		{name: "trust id not a uuid", trust: func(tr *Trust) { tr.TrustID = "gstt" }, wantErr: ErrInvalidValue, wantKey: "EXPECTED_TRUST_ID"},
		{name: "upper-case trust id", trust: func(tr *Trust) { tr.TrustID = "3F2B8C1E-9A4D-4E5F-8B6A-0C1D2E3F4A5B" }, wantErr: ErrInvalidValue, wantKey: "EXPECTED_TRUST_ID"},
		{name: "empty slot", trust: func(tr *Trust) { tr.SlotName = "" }, wantErr: ErrMissingValue, wantKey: "FL_KIT_SLOT"},
		{name: "slot with newline", trust: func(tr *Trust) { tr.SlotName = "Trust_3\nAES_KEY_BASE64=x" }, wantErr: ErrInvalidValue, wantKey: "FL_KIT_SLOT"},
		{name: "negative slot number", trust: func(tr *Trust) { tr.SlotNumber = -1 }, wantErr: ErrInvalidValue, wantKey: "FL_KIT_SLOT_NUMBER"},
		{name: "missing aes key", hub: func(h *Hub) { h.AESKeyBase64 = "" }, wantErr: ErrMissingValue, wantKey: "AES_KEY_BASE64"},
		{name: "aes key of 16 bytes", hub: func(h *Hub) { h.AESKeyBase64 = "MDEyMzQ1Njc4OWFiY2RlZg==" }, wantErr: ErrInvalidValue, wantKey: "AES_KEY_BASE64"},
		{name: "aes key not base64", hub: func(h *Hub) { h.AESKeyBase64 = Secret(apiKey) }, wantErr: ErrInvalidValue, wantKey: "AES_KEY_BASE64"},
		{name: "empty domain", hub: func(h *Hub) { h.Domain = "" }, wantErr: ErrInvalidValue, wantKey: "Domain"},
		{name: "single-label domain", hub: func(h *Hub) { h.Domain = "localhost" }, wantErr: ErrInvalidValue, wantKey: "Domain"},
		{name: "domain with scheme", hub: func(h *Hub) { h.Domain = "https://flip.example.nhs.uk" }, wantErr: ErrInvalidValue, wantKey: "Domain"},
		{name: "upper-case domain", hub: func(h *Hub) { h.Domain = "FLIP.example.nhs.uk" }, wantErr: ErrInvalidValue, wantKey: "Domain"},
		{name: "unknown backend", hub: func(h *Hub) { h.FLBackend = "tensorflow" }, wantErr: ErrInvalidValue, wantKey: "FL_BACKEND"},
		{name: "header with space", hub: func(h *Hub) { h.TrustAPIKeyHeader = "X Key" }, wantErr: ErrInvalidValue, wantKey: "TRUST_API_KEY_HEADER"},
		{name: "port out of range", hub: func(h *Hub) { h.FLServerPort = 70000 }, wantErr: ErrInvalidValue, wantKey: "FL_SERVER_PORT"},
		{name: "empty image tag", hub: func(h *Hub) { h.DockerTag = "" }, wantErr: ErrInvalidValue, wantKey: "DOCKER_TAG"},
		{name: "fl tag with colon", hub: func(h *Hub) { h.DockerFLTag = "latest:x" }, wantErr: ErrInvalidValue, wantKey: "DOCKER_FL_TAG"},
		{name: "registry with space", hub: func(h *Hub) { h.DockerRegistry = "ghcr.io/x y" }, wantErr: ErrInvalidValue, wantKey: "DOCKER_REGISTRY"},
		{name: "empty fl registry", hub: func(h *Hub) { h.DockerFLRegistry = "" }, wantErr: ErrInvalidValue, wantKey: "DOCKER_FL_REGISTRY"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tr, h := testTrust(), testHub()
			if tc.trust != nil {
				tc.trust(&tr)
			}
			if tc.hub != nil {
				tc.hub(&h)
			}
			got, err := Render(nil, tr, h)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Render() = %d bytes, %v; want %v", len(got), err, tc.wantErr)
			}
			if !strings.Contains(err.Error(), tc.wantKey) {
				t.Errorf("error %q does not name %s", err, tc.wantKey)
			}
			assertNoSecrets(t, err.Error())
			if got != nil {
				t.Errorf("Render() returned content with an error")
			}
		})
	}
}

// assertNoSecrets fails if s contains any test secret, or a recognisable part of one.
func assertNoSecrets(t *testing.T, s string) {
	t.Helper()
	for _, secret := range secrets {
		if strings.Contains(s, secret) || strings.Contains(s, secret[:12]) {
			t.Errorf("output reveals a secret: %q", s)
		}
	}
	if strings.Contains(s, "sEcReT") {
		t.Errorf("output reveals part of a secret: %q", s)
	}
}
