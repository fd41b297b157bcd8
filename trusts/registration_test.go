package trusts

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestParseRegistration(t *testing.T) {
	t.Parallel()
	const id = "3f2b8c1e-9a4d-4e5f-8b6a-0c1d2e3f4a5b"
	cases := []struct {
		name, stdout string
		want         Registration
		wantErr      string
	}{
		{"empty: not run yet", "", Registration{}, ""},
		{"blank lines only", "\n  \n", Registration{}, ""},
		{"one line", `{"trustId":"` + id + `","slotName":"Trust_3","slotNumber":3}` + "\n", Registration{id, "Trust_3", 3}, ""},
		{"last line wins", "noise\n" + `{"trustId":"` + id + `","slotName":"Trust_1","slotNumber":1}` + "\n\n", Registration{id, "Trust_1", 1}, ""},
		{"not json", "registered gstt\n", Registration{}, "not the JSON line"},
		{"unknown field", `{"trustId":"` + id + `","slotName":"T","slotNumber":1,"apiKeyHash":"x"}`, Registration{}, "not the JSON line"},
		{"upper-case id", `{"trustId":"` + strings.ToUpper(id) + `","slotName":"T","slotNumber":1}`, Registration{}, "lower-case UUID"},
		{"no slot", `{"trustId":"` + id + `","slotName":"","slotNumber":1}`, Registration{}, "no slotName"},
		{"negative slot", `{"trustId":"` + id + `","slotName":"T","slotNumber":-1}`, Registration{}, "negative"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseRegistration(tc.stdout)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ParseRegistration() error = %v; want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParseRegistration() = %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func TestSplitKeys(t *testing.T) {
	t.Parallel()
	// Bytes whose standard encoding holds both + and /, which base64url must replace.
	raw := make([]byte, KeysResourceBytes)
	for i := range raw {
		raw[i] = byte(0xfb + i%5)
	}
	raw[KeyBytes] = 0 // the halves differ
	std := base64.StdEncoding.EncodeToString(raw)
	if !strings.ContainsAny(std, "+/") {
		t.Fatalf("fixture %q has no + or /", std)
	}
	cases := []struct {
		name, in         string
		wantAPI, wantSvc string
		wantErr          bool
	}{
		{"64 bytes", std, base64.RawURLEncoding.EncodeToString(raw[:32]), base64.RawURLEncoding.EncodeToString(raw[32:]), false},
		{"one key's worth", base64.StdEncoding.EncodeToString(raw[:32]), "", "", true},
		{"one byte short", base64.StdEncoding.EncodeToString(raw[:63]), "", "", true},
		{"not base64", "not base64!", "", "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			api, svc, err := SplitKeys(tc.in)
			if (err != nil) != tc.wantErr || api != tc.wantAPI || svc != tc.wantSvc {
				t.Fatalf("SplitKeys() = %q, %q, %v; want %q, %q (error %v)", api, svc, err, tc.wantAPI, tc.wantSvc, tc.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), tc.in) {
				t.Errorf("the error echoes its input: %v", err)
			}
			for _, k := range []string{api, svc} {
				if err == nil && (len(k) != 43 || strings.ContainsAny(k, "+/=")) {
					t.Errorf("key %q; want 43 URL-safe characters without padding", k)
				}
			}
		})
	}
}

func TestCommands(t *testing.T) {
	t.Parallel()
	cases := []struct{ got, want string }{
		{RegisterCommand("hubctl", "gstt"), "hubctl trust register --code gstt --protocol 1"},
		{DeregisterCommand("hubctl", "gstt", false), "hubctl trust deregister --code gstt --protocol 1"},
		{DeregisterCommand("/opt/flip/hubctl", "kch", true), "/opt/flip/hubctl trust deregister --code kch --force --protocol 1"},
	}
	for _, tc := range cases {
		if tc.got != tc.want {
			t.Errorf("got %q; want %q", tc.got, tc.want)
		}
	}
}

// TestRegistrationLineRoundTrip: the line hubctl writes is the line the component parses.
func TestRegistrationLineRoundTrip(t *testing.T) {
	t.Parallel()
	want := Registration{TrustID: "0b7c9f1e-2a3d-4e5f-8a9b-0c1d2e3f4a5b", SlotName: "Trust_12", SlotNumber: 12}
	var b strings.Builder
	b.WriteString("hubctl: progress on stdout before the result\n")
	if err := want.WriteLine(&b); err != nil {
		t.Fatal(err)
	}
	got, err := ParseRegistration(b.String())
	if err != nil || got != want {
		t.Fatalf("ParseRegistration(%q) = %+v, %v; want %+v", b.String(), got, err, want)
	}
}
