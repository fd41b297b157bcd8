package edge

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// rewriteCases are request URIs and what the viewer-request function must make of them.
var rewriteCases = []struct {
	name, uri, want string
}{
	{"root", "/", "/index.html"},
	{"app route", "/projects", "/index.html"},
	{"nested app route", "/projects/42/models", "/index.html"},
	{"trailing slash", "/projects/", "/index.html"},
	{"route with a version-like dot", "/models/v1.2", "/index.html"},
	{"dot-file", "/.env", "/index.html"},
	{"dot-file in a folder", "/static/.git", "/index.html"},
	{"dot-file named like an asset", "/.js", "/index.html"},
	{"unlisted extension", "/backup.tar", "/index.html"},
	{"dot in a folder, none in the file", "/assets.v2/app", "/index.html"},
	{"javascript bundle", "/assets/index-4f3a.js", "/assets/index-4f3a.js"},
	{"runtime config", "/window.js", "/window.js"},
	{"stylesheet", "/assets/app.css", "/assets/app.css"},
	{"upper-case extension", "/img/LOGO.PNG", "/img/LOGO.PNG"},
	{"font", "/fonts/inter.woff2", "/fonts/inter.woff2"},
	{"source map", "/assets/index.js.map", "/assets/index.js.map"},
	{"index itself", "/index.html", "/index.html"},
	{"favicon", "/favicon.ico", "/favicon.ico"},
	{"manifest", "/site.webmanifest", "/site.webmanifest"},
	{"prototype key is not an extension", "/x.constructor", "/index.html"},
}

func TestRewriteURI(t *testing.T) {
	t.Parallel()
	for _, tc := range rewriteCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := RewriteURI(tc.uri); got != tc.want {
				t.Errorf("RewriteURI(%q) = %q; want %q", tc.uri, got, tc.want)
			}
			if asset := tc.want == tc.uri; AssetPath(tc.uri) != asset {
				t.Errorf("AssetPath(%q) = %v; want %v", tc.uri, !asset, asset)
			}
		})
	}
}

// TestRewriteCodeMatchesGo runs the generated CloudFront Function under node over the
// same cases, so the JavaScript the edge runs and the Go classifier cannot drift.
func TestRewriteCodeMatchesGo(t *testing.T) {
	t.Parallel()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed; the generated function is checked by text only")
	}
	code, err := RewriteCode()
	if err != nil {
		t.Fatal(err)
	}
	uris := make([]string, len(rewriteCases))
	for i, tc := range rewriteCases {
		uris[i] = tc.uri
	}
	in, err := json.Marshal(uris)
	if err != nil {
		t.Fatal(err)
	}
	script := code + "\nconsole.log(JSON.stringify(" + string(in) + ".map(function (u) { return handler({request: {uri: u}}).uri; })));\n"
	file := filepath.Join(t.TempDir(), "rewrite.js")
	if err := os.WriteFile(file, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(node, file).Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	var got []string
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("node printed %q: %v", out, err)
	}
	for i, tc := range rewriteCases {
		if got[i] != tc.want {
			t.Errorf("%s: the function rewrites %q to %q; want %q", tc.name, tc.uri, got[i], tc.want)
		}
	}
}

func TestRewriteCode(t *testing.T) {
	t.Parallel()
	code, err := RewriteCode()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range AssetExtensions {
		if !strings.Contains(code, `"`+e+`": true`) {
			t.Errorf("the function does not list the asset extension %q", e)
		}
	}
	if !strings.Contains(code, "function handler(event)") || !strings.Contains(code, `request.uri = "/index.html"`) {
		t.Errorf("the function has no viewer-request handler rewriting to /index.html:\n%s", code)
	}
	for _, bad := range [][]string{nil, {"js", ""}, {"JS"}, {`js"; x = 1; "`}, {"tar.gz"}} {
		if _, err := rewriteCode(bad); err == nil {
			t.Errorf("rewriteCode(%q) accepted an extension that is not lower-case letters and digits", bad)
		}
	}
}

// TestStripCodeUnderNode runs the /api/* viewer-request function under node: the hub-internal
// service key header is gone, every other header and the URI pass through.
func TestStripCodeUnderNode(t *testing.T) {
	t.Parallel()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed; the function is checked by text only")
	}
	event := `{request: {uri: "/api/trusts/tasks", headers: {
		"x-internal-service-key": {value: "forged"},
		"authorization": {value: "Bearer t"},
		"content-type": {value: "application/json"}}}}`
	script := StripCode() + "\nconsole.log(JSON.stringify(handler(" + event + ")));\n"
	file := filepath.Join(t.TempDir(), "strip.js")
	if err := os.WriteFile(file, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(node, file).Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	var got struct {
		URI     string                       `json:"uri"`
		Headers map[string]map[string]string `json:"headers"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("node printed %q: %v", out, err)
	}
	if _, ok := got.Headers["x-internal-service-key"]; ok {
		t.Error("the function passes X-Internal-Service-Key through")
	}
	if got.URI != "/api/trusts/tasks" || got.Headers["authorization"]["value"] != "Bearer t" || got.Headers["content-type"]["value"] != "application/json" {
		t.Errorf("the function changed more than the one header: %+v", got)
	}
}
