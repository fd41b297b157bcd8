package uideploy_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/londonaicentre/flip-hub/internal/uideploy"
)

func TestHashed(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		want bool
	}{
		{"static/js/main.3f2a9c1b.js", true},
		{"static/js/787.a1b2c3d4.chunk.js", true},
		{"static/css/main.6f3b1c2d.css", true},
		{"static/js/main.3f2a9c1b.js.map", true},
		{"polyfills.6f3b1c2d9e8a7b6c.js", true},
		{"assets/index-BxK3a9_Q.js", true},
		{"assets/vendor-Dz0aB1cQ.css", true},
		{"static/logo-4e8a1f2b.svg", true},
		{"index.html", false},
		{"js/window.js", false},
		{"favicon.ico", false},
		{"robots.txt", false},
		{"main-settings.js", false},
		{"logo-v2-large.png", false},
		{"images/flip-logo-text-dark.webp", false},
		{"images/aicentre-logo-transparent.webp", false},
		{"report-2024.pdf", false},
		{"deadbeef.js", false},              // the file's own name is never a hash
		{"chunk.deadbeef.js", false},        // hex without a digit reads as a word
		{"assets/index-abcdefgh.js", false}, // 8 letters, no digit
		{"assets/index-ABCD1234.js", false}, // no lower-case letter
		{"Makefile", false},
	}
	for _, tc := range cases {
		if got := uideploy.Hashed(tc.name); got != tc.want {
			t.Errorf("Hashed(%q) = %v; want %v", tc.name, got, tc.want)
		}
	}
}

func TestHeaders(t *testing.T) {
	t.Parallel()
	cases := []struct{ key, contentType, cache string }{
		{"index.html", "text/html; charset=utf-8", uideploy.CacheEntryPoint},
		{"js/window.js", "text/javascript; charset=utf-8", uideploy.CacheEntryPoint},
		{"assets/index-BxK3a9_Q.js", "text/javascript; charset=utf-8", uideploy.CacheImmutable},
		{"assets/index-Cq9Zt1Lm.css", "text/css; charset=utf-8", uideploy.CacheImmutable},
		{"assets/Inter-Var-Ab12cdEF.woff2", "font/woff2", uideploy.CacheImmutable},
		{"favicon.ico", "image/x-icon", uideploy.CacheRevalidate},
		{"images/flip-logo.webp", "image/webp", uideploy.CacheRevalidate},
		{"manifest.webmanifest", "application/manifest+json", uideploy.CacheRevalidate},
		{"data/blob.unknownext", "application/octet-stream", uideploy.CacheRevalidate},
	}
	for _, tc := range cases {
		if got := uideploy.ContentType(tc.key); got != tc.contentType {
			t.Errorf("ContentType(%q) = %q; want %q", tc.key, got, tc.contentType)
		}
		if got := uideploy.CacheControl(tc.key); got != tc.cache {
			t.Errorf("CacheControl(%q) = %q; want %q", tc.key, got, tc.cache)
		}
	}
	if uideploy.CacheImmutable != "public, max-age=31536000, immutable" {
		t.Errorf("immutable policy changed to %q", uideploy.CacheImmutable)
	}
}

// parseWindowJS reads back the globals of a rendered window.js, failing on any line that is not
// `window.NAME = <JSON string>;`.
func parseWindowJS(t *testing.T, js string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, line := range strings.Split(strings.TrimSuffix(js, "\n"), "\n") {
		if strings.HasPrefix(line, "//") {
			continue
		}
		name, lit, ok := strings.Cut(strings.TrimPrefix(line, "window."), " = ")
		if !ok || !strings.HasPrefix(line, "window.") || !strings.HasSuffix(lit, ";") {
			t.Fatalf("window.js line %q is not `window.NAME = value;`", line)
		}
		var v string
		if err := json.Unmarshal([]byte(strings.TrimSuffix(lit, ";")), &v); err != nil {
			t.Fatalf("window.js line %q: value is not one JSON string: %v", line, err)
		}
		out[strings.TrimSpace(name)] = v
	}
	return out
}

func outputs() map[string]any {
	return map[string]any{
		"apiUrl": "https://stag.flip.example.test/api", "domain": "stag.flip.example.test",
		"userPoolId": "eu-west-2_AbCdEf123", "userPoolClientId": "1example23clientid45", "region": "eu-west-2",
	}
}

func TestWindowJS(t *testing.T) {
	t.Parallel()
	rt, err := uideploy.RuntimeFromOutputs(outputs(), "v1.4.0-3-gabc1234")
	if err != nil {
		t.Fatal(err)
	}
	js, err := rt.WindowJS()
	if err != nil {
		t.Fatal(err)
	}
	got := parseWindowJS(t, string(js))
	want := map[string]string{
		"AWS_BASE_URL": "https://stag.flip.example.test/api", "AUTH_BACKEND": "cognito",
		"AWS_USER_POOL_ID": "eu-west-2_AbCdEf123", "AWS_CLIENT_ID": "1example23clientid45", "AWS_REGION": "eu-west-2",
		"KEYCLOAK_URL": "", "KEYCLOAK_REALM": "", "KEYCLOAK_CLIENT_ID": "", "BLACKLISTED_MODEL_FILES": "",
		"RELEASE_VERSION": "v1.4.0-3-gabc1234",
	}
	if len(got) != len(want) {
		t.Fatalf("window.js globals = %v; want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("window.%s = %q; want %q", k, got[k], v)
		}
	}

	t.Run("hostile values stay inside their literals", func(t *testing.T) {
		t.Parallel()
		hostile := "x\";alert(1);//</script><script>alert(2)</script>\u2028\\"
		rt := rt
		rt.ReleaseVersion = hostile
		js, err := rt.WindowJS()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(js), "</script>") || strings.Contains(string(js), "\u2028") {
			t.Fatalf("window.js carries raw markup or a line separator:\n%s", js)
		}
		if got := parseWindowJS(t, string(js))["RELEASE_VERSION"]; got != hostile {
			t.Fatalf("RELEASE_VERSION read back as %q; want %q", got, hostile)
		}
	})

	t.Run("missing outputs", func(t *testing.T) {
		t.Parallel()
		outs := outputs()
		delete(outs, "userPoolId")
		delete(outs, "apiUrl")
		delete(outs, "domain")
		_, err := uideploy.RuntimeFromOutputs(outs, "")
		if err == nil || !strings.Contains(err.Error(), "userPoolId") || !strings.Contains(err.Error(), "apiUrl") {
			t.Fatalf("err = %v; want one naming the missing outputs", err)
		}
	})
	t.Run("api url from the domain", func(t *testing.T) {
		t.Parallel()
		outs := outputs()
		delete(outs, "apiUrl")
		rt, err := uideploy.RuntimeFromOutputs(outs, "")
		if err != nil || rt.APIBaseURL != "https://stag.flip.example.test/api" {
			t.Fatalf("runtime %+v, %v", rt, err)
		}
	})
}
