package adopt

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// secretNeedles are the forms a leaked FLIP_API value could take: each value, the AES key's
// bytes, and the whole secret string.
func secretNeedles(t *testing.T, st *State) []string {
	t.Helper()
	raw := attr(t, st, "module.flip_api_secret.aws_secretsmanager_secret_version.this[0]", "secret_string")
	var payload map[string]string
	if err := json.Unmarshal([]byte(raw), &payload); err != nil {
		t.Fatal(err)
	}
	needles := []string{raw}
	for _, k := range []string{"aes_key", "internal_service_key"} {
		if v := payload[k]; v != "" {
			needles = append(needles, v)
		}
	}
	if b, err := base64.StdEncoding.DecodeString(payload["aes_key"]); err == nil {
		needles = append(needles, string(b))
	}
	return needles
}

func TestSecretValuesAreNeverPrinted(t *testing.T) {
	t.Parallel()
	for _, fixture := range []string{"tfstate-modules.json", "tfstate-g1.json"} {
		t.Run(fixture, func(t *testing.T) {
			t.Parallel()
			st, f := findFixture(t, fixture)
			if len(f.Secrets) == 0 {
				t.Fatal("no secret found: the test would prove nothing")
			}
			var report bytes.Buffer
			if err := f.WriteReport(&report); err != nil {
				t.Fatal(err)
			}
			js, err := json.Marshal(f)
			if err != nil {
				t.Fatal(err)
			}
			applied, err := f.ApplyTo(nil)
			if err != nil {
				t.Fatal(err)
			}
			outputs := map[string]string{
				"WriteReport":   report.String(),
				"String":        f.String(),
				"secrets Print": fmt.Sprint(f.Secrets),
				"json":          string(js),
				"ApplyTo":       string(applied),
				"warnings":      strings.Join(f.Warnings, "\n"),
				"steps":         strings.Join(f.Steps, "\n"),
			}
			// Every verb, on the findings and on the map itself (a non-constant format, so that
			// vet lets the wrong-type verbs through: they are the point).
			for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
				outputs["findings "+verb] = fmt.Sprintf(verb, f)
				outputs["secrets "+verb] = fmt.Sprintf(verb, f.Secrets)
			}
			for _, needle := range secretNeedles(t, st) {
				for name, out := range outputs {
					if strings.Contains(out, needle) {
						t.Errorf("%s shows a secret value", name)
					}
				}
			}
			// The names are there, so the operator knows what to set.
			for _, k := range f.Secrets.Keys() {
				if !strings.Contains(report.String(), k) || !strings.Contains(outputs["secrets %v"], k) {
					t.Errorf("the report or the redacted map does not name %s", k)
				}
			}
		})
	}
}

// The check above can fail: printing the plain map would show the values.
func TestSecretNeedlesCatchALeak(t *testing.T) {
	t.Parallel()
	st, f := findFixture(t, "tfstate-modules.json")
	plain := fmt.Sprint(map[string]string(f.Secrets))
	found := false
	for _, needle := range secretNeedles(t, st) {
		found = found || strings.Contains(plain, needle)
	}
	if !found {
		t.Error("a plain print of the values does not match any needle: the leak test proves nothing")
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteReportReturnsWriteErrors(t *testing.T) {
	t.Parallel()
	_, f := findFixture(t, "tfstate-modules.json")
	err := f.WriteReport(failingWriter{})
	if err == nil || !strings.Contains(err.Error(), "disk full") || !strings.HasPrefix(err.Error(), "report: ") {
		t.Errorf("error %v; want the write error wrapped with the report's context", err)
	}
}
