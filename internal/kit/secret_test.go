package kit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log"
	"log/slog"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestSecretsNeverPrint(t *testing.T) {
	t.Parallel()
	tr, h := testTrust(), testHub()
	type wrapper struct {
		Trust Trust
		Hub   *Hub
		Key   Secret
	}
	values := map[string]any{
		"trust":         tr,
		"trust pointer": &tr,
		"hub":           h,
		"hub pointer":   &h,
		"secret":        tr.APIKey,
		"nested":        wrapper{Trust: tr, Hub: &h, Key: tr.InternalServiceKey},
		"slice":         []Secret{tr.APIKey, h.AESKeyBase64},
		"map":           map[string]Secret{"k": tr.InternalServiceKey},
	}
	verbs := []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T=%[1]v"}
	for name, v := range values {
		for _, verb := range verbs {
			t.Run(name+"/"+verb, func(t *testing.T) {
				t.Parallel()
				out := fmt.Sprintf(verb, v)
				assertNoSecrets(t, out)
				if !strings.Contains(out, "[redacted]") {
					t.Errorf("Sprintf(%s) = %q, want [redacted] in place of the secret", verb, out)
				}
			})
		}
	}

	t.Run("Stringers", func(t *testing.T) {
		t.Parallel()
		for _, s := range []string{tr.String(), tr.GoString(), h.String(), h.GoString(), tr.APIKey.String(), h.AESKeyBase64.GoString()} {
			assertNoSecrets(t, s)
		}
		if got := (Trust{}).String(); !strings.Contains(got, "APIKey:[unset]") {
			t.Errorf("empty secret shown as %q, want [unset]", got)
		}
		if got := tr.String(); !strings.Contains(got, `TrustID:"3f2b8c1e-9a4d-4e5f-8b6a-0c1d2e3f4a5b"`) || !strings.Contains(got, "SlotNumber:3") {
			t.Errorf("Trust.String() = %q hides the non-secret fields too", got)
		}
	})

	t.Run("slog", func(t *testing.T) {
		t.Parallel()
		var buf bytes.Buffer
		for _, handler := range []slog.Handler{slog.NewJSONHandler(&buf, nil), slog.NewTextHandler(&buf, nil)} {
			slog.New(handler).Info("kit", "trust", tr, "hub", h, "key", tr.APIKey, "nested", wrapper{Trust: tr, Hub: &h})
		}
		assertNoSecrets(t, buf.String())
		if !strings.Contains(buf.String(), "[redacted]") {
			t.Errorf("slog output %q does not show redaction", buf.String())
		}
	})

	t.Run("log", func(t *testing.T) {
		t.Parallel()
		var buf bytes.Buffer
		l := log.New(&buf, "", 0)
		l.Println(tr, h, tr.APIKey)
		l.Printf("%v %+v %#v", tr, h, wrapper{Trust: tr})
		assertNoSecrets(t, buf.String())
	})

	t.Run("encoders", func(t *testing.T) {
		t.Parallel()
		j, err := json.Marshal(wrapper{Trust: tr, Hub: &h, Key: tr.APIKey})
		if err != nil {
			t.Fatal(err)
		}
		assertNoSecrets(t, string(j))
		if !strings.Contains(string(j), `"APIKey":"[redacted]"`) {
			t.Errorf("json = %s, want APIKey redacted", j)
		}
		y, err := yaml.Marshal(wrapper{Trust: tr, Hub: &h, Key: tr.APIKey})
		if err != nil {
			t.Fatal(err)
		}
		assertNoSecrets(t, string(y))
	})
}
