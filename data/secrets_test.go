package data_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/londonaicentre/flip-hub/data"
)

func TestFlipAPIPayload(t *testing.T) {
	t.Parallel()
	aes := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("k", 32)))
	isk := base64.RawURLEncoding.EncodeToString([]byte(strings.Repeat("i", 32)))
	payload, err := data.FlipAPIPayload(aes, isk)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]string
	if err := json.Unmarshal([]byte(payload), &got); err != nil {
		t.Fatalf("payload is not a JSON object of strings: %v", err)
	}
	sum := sha256.Sum256([]byte(isk))
	want := map[string]string{
		"aes_key":                   aes,
		"internal_service_key":      isk,
		"internal_service_key_hash": hex.EncodeToString(sum[:]),
	}
	if len(got) != len(want) {
		t.Errorf("payload keys %v; want exactly %v", keysOf(got), keysOf(want))
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q; want %q", k, got[k], v)
		}
	}
	if _, err := data.FlipAPIPayload("", isk); err == nil {
		t.Error("an empty AES key was accepted")
	}
	if _, err := data.FlipAPIPayload(aes, ""); err == nil {
		t.Error("an empty internal service key was accepted")
	}
}

func TestURLSafeKey(t *testing.T) {
	t.Parallel()
	urlSafe := regexp.MustCompile(`^[A-Za-z0-9_-]{43,}$`)
	raw := make([]byte, data.KeyBytes)
	for i := range raw {
		raw[i] = byte(250 + i%6) // bytes that encode to + and / in standard base64
	}
	key, err := data.URLSafeKey(base64.StdEncoding.EncodeToString(raw))
	if err != nil {
		t.Fatal(err)
	}
	if !urlSafe.MatchString(key) {
		t.Fatalf("key %q is not unpadded base64url of at least 43 characters", key)
	}
	back, err := base64.RawURLEncoding.DecodeString(key)
	if err != nil || string(back) != string(raw) {
		t.Fatalf("key does not carry the random bytes unchanged: %v", err)
	}
	for name, in := range map[string]string{
		"not base64": "%%%",
		"too short":  base64.StdEncoding.EncodeToString(raw[:16]),
	} {
		if _, err := data.URLSafeKey(in); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestSecretNameFromARN(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"arn:aws:secretsmanager:eu-west-2:123456789012:secret:FLIP_API-AbCdEf":           "FLIP_API",
		"arn:aws:secretsmanager:eu-west-2:123456789012:secret:flip-prod/flip-api-a1B2c3": "flip-prod/flip-api",
		"FLIP_API": "FLIP_API",
	}
	for id, want := range cases {
		if got := data.SecretNameFromARN(id); got != want {
			t.Errorf("SecretNameFromARN(%q) = %q; want %q", id, got, want)
		}
	}
}

func TestNames(t *testing.T) {
	t.Parallel()
	cases := []struct{ got, want string }{
		{data.FlipAPISecretName("flip-prod"), "flip-prod/flip-api"},
		{data.RegistryTokenSecretName("flip-stag"), "flip-stag/registry-token"},
		{data.Identifier("flip-prod"), "flip-prod-postgres"},
		{data.FinalSnapshotIdentifier("flip-prod"), "flip-prod-postgres-final"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("name %q; want %q", c.got, c.want)
		}
	}
}

func keysOf(m map[string]string) []string { return keys(m) }
