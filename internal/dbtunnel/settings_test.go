package dbtunnel

import (
	"strings"
	"testing"

	"github.com/londonaicentre/flip-hub/internal/outcome"
)

// testSources are the sources of a test: variables no developer's shell sets.
var testSources = Sources{
	DSN: Source{Flag: "--dsn", Env: []string{"T_DSN"}}, CAFile: Source{Flag: "--ca", Env: []string{"T_CA"}},
	InstanceID: Source{Flag: "--instance", Env: []string{"T_INSTANCE"}}, DBHost: Source{Flag: "--db-host", Env: []string{"T_HOST"}},
	DBPort: Source{Flag: "--db-port", Env: []string{"T_PORT"}}, DBName: Source{Flag: "--db-name", Env: []string{"T_NAME"}},
	SecretARN: Source{Flag: "--secret", Env: []string{"T_SECRET"}}, Region: Source{Flag: "--region", Env: []string{"T_REGION", "T_REGION2"}},
}

func TestFillFromEnv(t *testing.T) {
	full := map[string]string{"T_INSTANCE": "i-0123456789abcdef0", "T_HOST": "db.example", "T_NAME": "flip",
		"T_SECRET": "arn:aws:secretsmanager:eu-west-2:111111111111:secret:x", "T_REGION2": "eu-west-2"}
	cases := []struct {
		name     string
		env      map[string]string
		given    Settings
		withDSN  bool
		want     Settings
		wantCode outcome.Code
		wantErr  string
	}{
		{name: "all from the environment, region from the second variable, default port", env: full,
			want: Settings{InstanceID: "i-0123456789abcdef0", DBHost: "db.example", DBPort: 5432, DBName: "flip",
				SecretARN: "arn:aws:secretsmanager:eu-west-2:111111111111:secret:x", Region: "eu-west-2"}},
		{name: "flags win over the environment", env: full, given: Settings{DBHost: "flag.example", DBPort: 6543},
			want: Settings{InstanceID: "i-0123456789abcdef0", DBHost: "flag.example", DBPort: 6543, DBName: "flip",
				SecretARN: "arn:aws:secretsmanager:eu-west-2:111111111111:secret:x", Region: "eu-west-2"}},
		{name: "a DSN in the environment is ignored unless allowed", env: map[string]string{"T_DSN": "postgres://x/y"},
			want: Settings{DBPort: 5432}},
		{name: "a DSN in the environment when allowed", env: map[string]string{"T_DSN": "postgres://x/y"}, withDSN: true,
			want: Settings{DSN: "postgres://x/y", DBPort: 5432}},
		{name: "bad port", env: map[string]string{"T_PORT": "54x"}, wantCode: outcome.Usage, wantErr: `T_PORT="54x" is not a port number`},
		{name: "port out of range", env: map[string]string{"T_PORT": "70000"}, wantCode: outcome.Usage, wantErr: "not a port number"},
		{name: "bad DSN, value not shown", env: map[string]string{"T_DSN": "postgres://u:s3cret@:bad:port/x"}, withDSN: true,
			wantCode: outcome.Usage, wantErr: "not shown"},
		{name: "bad TLS mode", given: Settings{TLS: "prefer"}, wantCode: outcome.Usage, wantErr: "tls mode"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, src := range []Source{testSources.DSN, testSources.CAFile, testSources.InstanceID, testSources.DBHost,
				testSources.DBPort, testSources.DBName, testSources.SecretARN, testSources.Region} {
				for _, n := range src.Env {
					t.Setenv(n, tc.env[n])
				}
			}
			s := tc.given
			err := s.FillFromEnv(testSources, tc.withDSN)
			if tc.wantErr != "" {
				if err == nil || outcome.CodeOf(err) != tc.wantCode || !strings.Contains(err.Error(), tc.wantErr) || strings.Contains(err.Error(), "s3cret") {
					t.Fatalf("err %v; want code %v and %q", err, tc.wantCode, tc.wantErr)
				}
				return
			}
			if err != nil || s.DSN != tc.want.DSN || s.InstanceID != tc.want.InstanceID || s.DBHost != tc.want.DBHost ||
				s.DBPort != tc.want.DBPort || s.DBName != tc.want.DBName || s.SecretARN != tc.want.SecretARN || s.Region != tc.want.Region {
				t.Fatalf("got %+v, %v; want %+v", s, err, tc.want)
			}
		})
	}
}

func TestRequireTunnel(t *testing.T) {
	cases := []struct {
		name string
		s    Settings
		want []string // parts the error must name; none: no error
	}{
		{"a DSN needs no tunnel", Settings{DSN: "postgres://x/y"}, nil},
		{"a complete tunnel", Settings{InstanceID: "i-1", DBHost: "h", DBName: "n", SecretARN: "a", Region: "r"}, nil},
		{"nothing", Settings{}, []string{"--instance (T_INSTANCE)", "--db-host (T_HOST)", "--db-name (T_NAME)", "--secret (T_SECRET)", "--region (T_REGION, T_REGION2)", "--dsn"}},
		{"region missing", Settings{InstanceID: "i-1", DBHost: "h", DBName: "n", SecretARN: "a"}, []string{"--region (T_REGION, T_REGION2)"}},
	}
	for _, tc := range cases {
		err := tc.s.RequireTunnel(testSources)
		if (err != nil) != (len(tc.want) > 0) {
			t.Fatalf("%s: err %v; want error naming %v", tc.name, err, tc.want)
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) || outcome.CodeOf(err) != outcome.Usage {
				t.Errorf("%s: %v lacks %q (or is not a usage error)", tc.name, err, w)
			}
		}
	}
}
