package trusts

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
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

// rfc5869 is HKDF-SHA256 written out from RFC 5869 §2.2–2.3 with HMAC alone, so that the test
// checks DeriveKeys' salt, info and split against the definition rather than against itself.
func rfc5869(ikm []byte, info string, length int) []byte {
	extract := hmac.New(sha256.New, make([]byte, sha256.Size)) // no salt: HashLen zero bytes
	extract.Write(ikm)
	prk := extract.Sum(nil)
	var okm, prev []byte
	for i := byte(1); len(okm) < length; i++ {
		expand := hmac.New(sha256.New, prk)
		expand.Write(prev)
		expand.Write([]byte(info))
		expand.Write([]byte{i})
		prev = expand.Sum(nil)
		okm = append(okm, prev...)
	}
	return okm[:length]
}

func TestDeriveKeys(t *testing.T) {
	t.Parallel()
	seed := make([]byte, SeedBytes)
	for i := range seed {
		seed[i] = byte(0xa0 + i)
	}
	std := base64.StdEncoding.EncodeToString(seed)
	want := func(seed []byte, code string, rotation int) (string, string) {
		okm := rfc5869(seed, "flip-hub/trust-keys/v1/"+code+"/"+strconv.Itoa(rotation), 64)
		return base64.RawURLEncoding.EncodeToString(okm[:32]), base64.RawURLEncoding.EncodeToString(okm[32:])
	}
	gsttAPI, gsttSvc := want(seed, "gstt", 0)
	gstt1API, gstt1Svc := want(seed, "gstt", 1)
	kchAPI, kchSvc := want(seed, "KCH", 0)
	longer := append(append([]byte{}, seed...), 1)
	longerAPI, longerSvc := want(longer, "gstt", 0)
	cases := []struct {
		name, seed, code string
		rotation         int
		wantAPI, wantSvc string
		wantErr          bool
	}{
		{"gstt, first keys", std, "gstt", 0, gsttAPI, gsttSvc, false},
		{"gstt, rotated once", std, "gstt", 1, gstt1API, gstt1Svc, false},
		{"another trust", std, "KCH", 0, kchAPI, kchSvc, false},
		{"a longer seed is used whole", base64.StdEncoding.EncodeToString(longer), "gstt", 0, longerAPI, longerSvc, false},
		{"one byte short", base64.StdEncoding.EncodeToString(seed[:31]), "gstt", 0, "", "", true},
		{"not base64", "not base64!", "gstt", 0, "", "", true},
		{"negative rotation", std, "gstt", -1, "", "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			api, svc, err := DeriveKeys(tc.seed, tc.code, tc.rotation)
			if (err != nil) != tc.wantErr || api != tc.wantAPI || svc != tc.wantSvc {
				t.Fatalf("DeriveKeys() = %q, %q, %v; want %q, %q (error %v)", api, svc, err, tc.wantAPI, tc.wantSvc, tc.wantErr)
			}
			if err != nil {
				if strings.Contains(err.Error(), tc.seed) {
					t.Errorf("the error echoes the seed: %v", err)
				}
				return
			}
			for _, k := range []string{api, svc} {
				if len(k) != 43 || strings.ContainsAny(k, "+/=") {
					t.Errorf("key %q; want 43 URL-safe characters without padding", k)
				}
			}
			if api == svc {
				t.Error("the API key and the internal service key are equal")
			}
		})
	}
	// Distinct trusts and rotations never share a key.
	seen := map[string]string{}
	for _, k := range []struct{ label, key string }{
		{"gstt/0 api", gsttAPI}, {"gstt/0 svc", gsttSvc}, {"gstt/1 api", gstt1API},
		{"gstt/1 svc", gstt1Svc}, {"KCH/0 api", kchAPI}, {"KCH/0 svc", kchSvc},
	} {
		if other, dup := seen[k.key]; dup {
			t.Errorf("%s equals %s", k.label, other)
		}
		seen[k.key] = k.label
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
