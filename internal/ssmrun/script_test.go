package ssmrun_test

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/londonaicentre/flip-hub/internal/ssmrun"
)

func TestScript(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		lines []string
		want  []string
	}{
		{name: "no lines", want: []string{"#!/bin/bash", "set -euo pipefail"}},
		{
			name:  "lines kept in order, untouched",
			lines: []string{"cd /opt/flip", "cat > .env <<'EOF'\nA=1\nEOF", "  docker compose up -d  "},
			want:  []string{"#!/bin/bash", "set -euo pipefail", "cd /opt/flip", "cat > .env <<'EOF'\nA=1\nEOF", "  docker compose up -d  "},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := ssmrun.Script(tc.lines...)
			if !slices.Equal(got, tc.want) {
				t.Fatalf("Script = %q, want %q", got, tc.want)
			}
		})
	}
	t.Run("does not alias the preamble", func(t *testing.T) {
		t.Parallel()
		got := ssmrun.Script("a")
		got[0] = "changed"
		if ssmrun.Script()[0] != "#!/bin/bash" {
			t.Fatal("changing a returned script changed the preamble")
		}
	})
}

func TestCheckNoSecrets(t *testing.T) {
	t.Parallel()
	const secret = "pa55w0rd-that-must-not-leak"
	tests := []struct {
		name    string
		script  string
		secrets []string
		wantErr string
	}{
		{name: "clean script", script: "aws secretsmanager get-secret-value --secret-id flip/db", secrets: []string{secret}},
		{name: "no secrets given", script: "echo " + secret},
		{name: "empty secret ignored", script: "echo hi", secrets: []string{""}},
		{name: "verbatim", script: "export DB_PASSWORD=" + secret, secrets: []string{secret}, wantErr: "secret 1 of 1 appears verbatim"},
		{name: "second secret", script: "echo " + secret, secrets: []string{"other", secret}, wantErr: "secret 2 of 2 appears verbatim"},
		{name: "base64", script: "echo " + base64.StdEncoding.EncodeToString([]byte(secret)) + " | base64 -d", secrets: []string{secret}, wantErr: "base64-encoded"},
		{name: "base64 without padding", script: "x=" + base64.RawStdEncoding.EncodeToString([]byte(secret+"!")), secrets: []string{secret + "!"}, wantErr: "base64-encoded"},
		{name: "base64url", script: "x=" + base64.URLEncoding.EncodeToString([]byte("??>>"+secret)), secrets: []string{"??>>" + secret}, wantErr: "base64url-encoded"},
		{name: "hex", script: "echo " + hex.EncodeToString([]byte(secret)) + " | xxd -r -p", secrets: []string{secret}, wantErr: "hex-encoded"},
		{name: "upper-case hex", script: "echo " + strings.ToUpper(hex.EncodeToString([]byte(secret))), secrets: []string{secret}, wantErr: "hex-encoded"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := ssmrun.CheckNoSecrets(tc.script, tc.secrets...)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("CheckNoSecrets = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, ssmrun.ErrSecretInScript) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("CheckNoSecrets = %v, want ErrSecretInScript mentioning %q", err, tc.wantErr)
			}
			for _, s := range tc.secrets {
				if s != "" && len(s) > 5 && strings.Contains(err.Error(), s) {
					t.Fatalf("error %q repeats the secret", err)
				}
			}
		})
	}
}
