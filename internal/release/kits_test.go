package release

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/internal/kit"
	"github.com/londonaicentre/flip-hub/trusts"
)

// testKey is a deterministic 32-byte URL-safe key for a label.
func testKey(label string) string {
	sum := sha256.Sum256([]byte("release-kits-test:" + label))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func testHash(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

var testAESKey = base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))

// kitTrust is one trust as the test program exports it.
type kitTrust struct {
	id   string // "" when the register command has not reported yet
	slot string
	n    int
}

// entry is a trust's value in the `trusts` output, shaped as the trusts layer builds it.
func entry(code string, t kitTrust) map[string]any {
	key := testKey(code + "/api")
	return map[string]any{
		trusts.KeyAPIKey:             key,
		trusts.KeyInternalServiceKey: testKey(code + "/service"),
		trusts.KeyAPIKeyHash:         testHash(key),
		trusts.KeyTrustID:            t.id,
		trusts.KeySlotName:           t.slot,
		trusts.KeySlotNumber:         t.n,
	}
}

// kitsProgram exports what hub exports for `hubctl kits`, with the trusts map and AES key secret,
// around a component standing in for the trusts layer.
func kitsProgram(tag string, ts map[string]kitTrust) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		var c thing
		if err := ctx.RegisterComponentResource(trusts.TypeToken, "trusts", &c); err != nil {
			return err
		}
		m := pulumi.Map{}
		for code, t := range ts {
			e := pulumi.Map{}
			for k, v := range entry(code, t) {
				e[k] = pulumi.Any(v)
			}
			m[code] = e
		}
		ctx.Export(OutputTrusts, pulumi.ToSecret(m))
		ctx.Export(OutputAESKey, pulumi.ToSecret(pulumi.String(testAESKey)))
		ctx.Export(OutputDomain, pulumi.String("stag.example.org"))
		ctx.Export(OutputImages, pulumi.StringMap{
			"tag": pulumi.String(tag), "registry": pulumi.String("ghcr.io/londonaicentre/"),
			"flTag": pulumi.String("sha-fl00000"), "flRegistry": pulumi.String("ghcr.io/londonaicentre/"),
		})
		ctx.Export(OutputFLBackend, pulumi.String("nvflare"))
		ctx.Export(OutputFLPort, pulumi.Int(8002))
		ctx.Export(OutputFLKitDate, pulumi.String("2025-06-01"))
		return nil
	}
}

// secretsOf are every plaintext secret the test program exports.
func secretsOf(ts map[string]kitTrust) []string {
	out := []string{testAESKey}
	for code := range ts {
		key := testKey(code + "/api")
		out = append(out, key, testKey(code+"/service"), testHash(key))
	}
	return out
}

func readKit(t *testing.T, path string) (string, os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b), fi.Mode().Perm()
}

func TestCLIWriteKits(t *testing.T) {
	t.Parallel()
	registered := map[string]kitTrust{
		"gstt": {"3f2b8c1e-9a4d-4e5f-8b6a-0c1d2e3f4a5b", "Trust_1", 1},
		"uclh": {"7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d", "Trust_2", 2},
	}
	for _, tc := range []struct{ stack, env string }{{"stag", kit.Staging}, {"prod", kit.Production}} {
		t.Run(tc.stack, func(t *testing.T) {
			t.Parallel()
			p := newProject(t)
			ctx := context.Background()
			st, progress := p.open(t, tc.stack, kitsProgram("sha-1111111", registered), false)
			if err := st.Up(ctx, UpOptions{}); err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join(t.TempDir(), "trust") // not there yet
			paths, err := st.WriteKits(ctx, dir)
			if err != nil {
				t.Fatalf("WriteKits: %v", err)
			}
			want := []string{filepath.Join(dir, ".env.gstt."+tc.env), filepath.Join(dir, ".env.uclh."+tc.env)}
			if !slices.Equal(paths, want) {
				t.Fatalf("WriteKits wrote %v; want %v", paths, want)
			}
			if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
				t.Errorf("kit directory: %v, mode %v; want 0700", err, fi.Mode().Perm())
			}
			for code, tr := range registered {
				body, mode := readKit(t, filepath.Join(dir, ".env."+code+"."+tc.env))
				if mode != kit.FileMode {
					t.Errorf("%s kit mode %v; want 0600", code, mode)
				}
				for _, line := range []string{
					"TRUST_API_KEY=" + testKey(code+"/api"),
					"TRUST_INTERNAL_SERVICE_KEY=" + testKey(code+"/service"),
					"EXPECTED_TRUST_ID=" + tr.id,
					"FL_KIT_SLOT=" + tr.slot,
					fmt.Sprintf("FL_KIT_SLOT_NUMBER=%d", tr.n),
					"AES_KEY_BASE64=" + testAESKey,
					"CENTRAL_HUB_API_URL=https://stag.example.org/api",
					"NLB_SUBDOMAIN=fl.stag.example.org",
					"DOCKER_TAG=sha-1111111",
					"FL_SERVER_PORT=8002",
					"FLARE_KIT_DATE=2025-06-01",
				} {
					if !strings.Contains(body, line+"\n") {
						t.Errorf("%s kit lacks %q", code, strings.SplitN(line, "=", 2)[0])
					}
				}
				if strings.Contains(body, testHash(testKey(code+"/api"))) {
					t.Errorf("%s kit holds the key hash, which belongs to the hub only", code)
				}
			}

			// The operator adds site settings and loosens the mode; a release changes the image tag.
			gstt := want[0]
			body, _ := readKit(t, gstt)
			edited := "# GSTT site settings\nXNAT_URL=https://xnat.gstt.internal\n" + body
			if err := os.WriteFile(gstt, []byte(edited), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(gstt, 0o644); err != nil {
				t.Fatal(err)
			}
			next, progress2 := p.open(t, tc.stack, kitsProgram("sha-2222222", registered), false)
			if err := next.Up(ctx, UpOptions{}); err != nil {
				t.Fatal(err)
			}
			if _, err := next.WriteKits(ctx, dir); err != nil {
				t.Fatalf("second WriteKits: %v", err)
			}
			body, mode := readKit(t, gstt)
			if mode != kit.FileMode {
				t.Errorf("rewritten kit mode %v; want 0600", mode)
			}
			if !strings.HasPrefix(body, "# GSTT site settings\nXNAT_URL=https://xnat.gstt.internal\n") {
				t.Errorf("the operator's lines were not kept at the top:\n%s", firstLines(body, 3))
			}
			if !strings.Contains(body, "DOCKER_TAG=sha-2222222\n") || strings.Contains(body, "sha-1111111") {
				t.Error("the managed section was not updated to the new tag")
			}
			if strings.Count(body, "TRUST_API_KEY=") != 1 {
				t.Errorf("TRUST_API_KEY appears %d times", strings.Count(body, "TRUST_API_KEY="))
			}
			for _, s := range secretsOf(registered) {
				if strings.Contains(progress.String()+progress2.String(), s) {
					t.Error("a secret appears in the progress output")
				}
			}
		})
	}
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}

func TestCLIWriteKitsSkipsUnregisteredTrusts(t *testing.T) {
	t.Parallel()
	ts := map[string]kitTrust{
		"gstt": {"3f2b8c1e-9a4d-4e5f-8b6a-0c1d2e3f4a5b", "Trust_1", 1},
		"kch":  {},
	}
	p := newProject(t)
	ctx := context.Background()
	st, _ := p.open(t, "stag", kitsProgram("sha-1111111", ts), false)
	if err := st.Up(ctx, UpOptions{}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	paths, err := st.WriteKits(ctx, dir)
	if err == nil || !strings.Contains(err.Error(), "trust kch: not registered yet") || CodeOf(err) != Failed {
		t.Fatalf("WriteKits error = %v; want trust kch reported as not registered (code Failed)", err)
	}
	if !slices.Equal(paths, []string{filepath.Join(dir, ".env.gstt.stag")}) {
		t.Errorf("paths %v; want gstt's kit written despite kch", paths)
	}
	if _, err := os.Stat(filepath.Join(dir, ".env.kch.stag")); !os.IsNotExist(err) {
		t.Errorf("a kit was written for the unregistered trust: %v", err)
	}
	for _, s := range secretsOf(ts) {
		if strings.Contains(err.Error(), s) {
			t.Error("the error reveals a secret")
		}
	}
}

// goodOutputs are outputs as Outputs(ctx, true) returns them: JSON numbers are float64.
func goodOutputs() map[string]any {
	e := entry("gstt", kitTrust{"3f2b8c1e-9a4d-4e5f-8b6a-0c1d2e3f4a5b", "Trust_1", 1})
	e[trusts.KeySlotNumber] = float64(1)
	return map[string]any{
		OutputTrusts:    map[string]any{"gstt": e},
		OutputAESKey:    testAESKey,
		OutputDomain:    "stag.example.org",
		OutputImages:    map[string]any{"tag": "sha-1", "registry": "ghcr.io/x/", "flTag": "sha-2", "flRegistry": "ghcr.io/x/"},
		OutputFLBackend: "flower",
		OutputFLPort:    float64(9092),
		OutputFLKitDate: "2025-06-01",
	}
}

func TestWriteKitsFromRefusesBadOutputs(t *testing.T) {
	t.Parallel()
	gstt := func(o map[string]any) map[string]any {
		return o[OutputTrusts].(map[string]any)["gstt"].(map[string]any)
	}
	cases := []struct {
		name   string
		mutate func(o map[string]any)
		want   string // "" for success
	}{
		{"good", func(map[string]any) {}, ""},
		{"no trusts configured", func(o map[string]any) { o[OutputTrusts] = map[string]any{} }, ""},
		{"not deployed with this release", func(o map[string]any) { delete(o, OutputTrusts) }, `no "trusts" output`},
		{"secrets masked", func(o map[string]any) { o[OutputTrusts] = Masked }, "were secrets shown"},
		{"aes key masked", func(o map[string]any) { o[OutputAESKey] = Masked }, "lack aesKeyBase64"},
		{"no images", func(o map[string]any) { delete(o, OutputImages) }, "images.flRegistry"},
		{"fractional port", func(o map[string]any) { o[OutputFLPort] = 8002.5 }, "flPort"},
		{"hash does not match the key", func(o map[string]any) { gstt(o)[trusts.KeyAPIKeyHash] = testHash("other") }, "does not match"},
		{"no trust id", func(o map[string]any) { gstt(o)[trusts.KeyTrustID] = "" }, "not registered yet"},
		{"no keys", func(o map[string]any) { delete(gstt(o), trusts.KeyAPIKey) }, "no keys"},
		{"slot number a string", func(o map[string]any) { gstt(o)[trusts.KeySlotNumber] = "1" }, "want an integer"},
		{"bad code", func(o map[string]any) { o[OutputTrusts].(map[string]any)["../x"] = gstt(o) }, "invalid trust code"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o := goodOutputs()
			tc.mutate(o)
			dir := t.TempDir()
			paths, err := WriteKitsFrom(dir, kit.Staging, o)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("WriteKitsFrom() = %v", err)
				}
				if n := len(o[OutputTrusts].(map[string]any)); len(paths) != n {
					t.Errorf("wrote %v; want %d kits", paths, n)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("WriteKitsFrom() = %v; want an error containing %q", err, tc.want)
			}
			for _, s := range []string{testAESKey, testKey("gstt/api"), testKey("gstt/service")} {
				if strings.Contains(err.Error(), s) {
					t.Error("the error reveals a secret")
				}
			}
		})
	}
}
