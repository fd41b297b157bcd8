package deploy_test

import (
	"fmt"
	"net"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/londonaicentre/flip-hub/internal/deploy"
)

func arn(name string) string {
	return "arn:aws:secretsmanager:eu-west-2:111111111111:secret:" + name + "-AbCdEf"
}

// validSpec is the known-good fixture every test mutates.
func validSpec(b deploy.Backend) deploy.Spec {
	port := 8002
	if b == deploy.Flower {
		port = 9092
	}
	return deploy.Spec{
		Backend: b,
		Region:  "eu-west-2",
		Images: deploy.Images{
			Registry: "ghcr.io/londonaicentre/", Tag: "sha-1a2b3c4",
			FLRegistry: "ghcr.io/londonaicentre/", FLTag: "sha-4c3b2a1",
		},
		FLPort:                 port,
		EnforceMFA:             true,
		UserPoolID:             "eu-west-2_AbCdEfGhI",
		AppClientID:            "1h2j3k4l5m6n7o8p9q0r",
		DBHost:                 "flip-stag-db.cabc.eu-west-2.rds.amazonaws.com",
		DBPort:                 5432,
		DBName:                 "flip",
		DBUser:                 "flip_admin",
		DBSecretARN:            arn("rds!db-1"),
		FlipAPISecretName:      "flip-stag/flip-api",
		FlipAPISecretARN:       arn("flip-stag/flip-api"),
		RegistryTokenSecretARN: arn("flip-stag/registry-token"),
		FLServerRoleARN:        "arn:aws:iam::123456789012:role/flip-stag-fl-server",
		SESAdminEmail:          "flip-admin@aicentre.co.uk",
		SESSenderEmail:         "noreply@stag.flip.aicentre.co.uk",
		Buckets: deploy.Buckets{
			ModelFilesUploads: "flip-stag-model-files-uploads", FLResults: "flip-stag-fl-results",
			AppBundles: "flip-stag-app-bundles", FLKits: "flip-stag-fl-kits",
		},
		KitDate:      "2025-06-01",
		KitSlotNames: []string{"Trust_1", "Trust_2"},
		MinClients:   2,
	}
}

func render(t *testing.T, s deploy.Spec) deploy.Bundle {
	t.Helper()
	b, err := deploy.Render(s)
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	return b
}

// composeService is the part of a compose service the tests read back.
type composeService struct {
	Image       string   `yaml:"image"`
	Entrypoint  []string `yaml:"entrypoint"`
	Command     []string `yaml:"command"`
	Init        bool     `yaml:"init"`
	Restart     string   `yaml:"restart"`
	EnvFile     []string `yaml:"env_file"`
	Ports       []string `yaml:"ports"`
	Volumes     []string `yaml:"volumes"`
	SecurityOpt []string `yaml:"security_opt"`
	CapDrop     []string `yaml:"cap_drop"`
	CapAdd      []string `yaml:"cap_add"`
	DependsOn   map[string]struct {
		Condition string `yaml:"condition"`
	} `yaml:"depends_on"`
	Healthcheck *struct {
		Test []string `yaml:"test"`
	} `yaml:"healthcheck"`
	Networks map[string]struct {
		IPv4Address string `yaml:"ipv4_address"`
	} `yaml:"networks"`
}

func parseCompose(t *testing.T, text string) map[string]composeService {
	t.Helper()
	var f struct {
		Name     string                    `yaml:"name"`
		Services map[string]composeService `yaml:"services"`
	}
	if err := yaml.Unmarshal([]byte(text), &f); err != nil {
		t.Fatalf("compose file is not YAML: %v\n%s", err, text)
	}
	if f.Name != deploy.ProjectName {
		t.Errorf("compose project %q, want %q", f.Name, deploy.ProjectName)
	}
	return f.Services
}

var envLineRE = regexp.MustCompile(`^([A-Z][A-Z0-9_]*)='([^']*)'$`)

func parseEnv(t *testing.T, text string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		m := envLineRE.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("env line %q is not KEY='value'", line)
		}
		if _, dup := out[m[1]]; dup {
			t.Fatalf("env key %s set twice", m[1])
		}
		out[m[1]] = m[2]
	}
	return out
}

func envFile(t *testing.T, b deploy.Bundle, service string) map[string]string {
	t.Helper()
	for _, f := range b.EnvFiles {
		if f.Path == "env/"+service+".env" {
			return parseEnv(t, f.Content)
		}
	}
	t.Fatalf("no env file for %s in %v", service, b.EnvFiles)
	return nil
}

func TestComposePerBackend(t *testing.T) {
	t.Parallel()
	type want struct {
		services []string
		flImage  map[string]string // service -> image
		flPort   string
		volumes  map[string][]string
	}
	cases := map[deploy.Backend]want{
		deploy.NVFlare: {
			services: []string{"fl-api-net-1", "fl-server-net-1", "flip-api"},
			flImage: map[string]string{
				"fl-server-net-1": "ghcr.io/londonaicentre/flare-fl-server:sha-4c3b2a1",
				"fl-api-net-1":    "ghcr.io/londonaicentre/flare-fl-api:sha-4c3b2a1",
			},
			flPort: "8002:8002",
			volumes: map[string][]string{
				"fl-server-net-1": {
					"/opt/flip/services/fl-server-net-1/local:/app/local",
					"/opt/flip/services/fl-server-net-1/startup:/app/startup",
					"/opt/flip/services/fl-server-net-1/transfer:/app/transfer",
					"/opt/flip/services/fl-aws:/run/flip-aws:ro",
				},
				"fl-api-net-1": {
					"/opt/flip/services/flip-fl-api-net-1/local:/app/admin/local",
					"/opt/flip/services/flip-fl-api-net-1/startup:/app/admin/startup",
				},
			},
		},
		deploy.Flower: {
			services: []string{"fl-api-net-1", "fl-server-net-1", "flip-api", "register-supernode-keys-net-1"},
			flImage: map[string]string{
				"fl-server-net-1":               "ghcr.io/londonaicentre/flower-superlink:sha-4c3b2a1",
				"fl-api-net-1":                  "ghcr.io/londonaicentre/flower-fl-api:sha-4c3b2a1",
				"register-supernode-keys-net-1": "ghcr.io/londonaicentre/flower-superlink:sha-4c3b2a1",
			},
			flPort: "9092:9092",
			volumes: map[string][]string{
				"fl-server-net-1": {"/opt/flip/services/net-1/certificates:/certs:ro", "fl-jobs:/app/src", "/opt/flip/services/fl-aws:/run/flip-aws:ro"},
				"fl-api-net-1":    {"/opt/flip/services/net-1/certificates:/certs:ro", "fl-jobs:/app/src"},
			},
		},
	}
	for backend, w := range cases {
		t.Run(string(backend), func(t *testing.T) {
			t.Parallel()
			b := render(t, validSpec(backend))
			svcs := parseCompose(t, b.Compose)
			var names []string
			for n := range svcs {
				names = append(names, n)
			}
			slices.Sort(names)
			if !slices.Equal(names, w.services) {
				t.Fatalf("services %v, want %v", names, w.services)
			}
			api := svcs["flip-api"]
			if api.Image != "ghcr.io/londonaicentre/flip-api:sha-1a2b3c4" || !slices.Equal(api.Ports, []string{"8000:8000"}) {
				t.Errorf("flip-api image %q ports %v", api.Image, api.Ports)
			}
			if api.Healthcheck == nil || !strings.Contains(strings.Join(api.Healthcheck.Test, " "), "http://127.0.0.1:8000/api/health") {
				t.Errorf("flip-api healthcheck %+v does not probe /api/health", api.Healthcheck)
			}
			for svc, image := range w.flImage {
				if got := svcs[svc].Image; got != image {
					t.Errorf("%s image %q, want %q", svc, got, image)
				}
			}
			for name, s := range svcs {
				if !slices.Equal(s.SecurityOpt, []string{"no-new-privileges:true"}) {
					t.Errorf("%s security_opt %v, want no-new-privileges:true", name, s.SecurityOpt)
				}
				if !slices.Equal(s.CapDrop, []string{"ALL"}) || !slices.Equal(s.CapAdd, []string{"CHOWN"}) {
					t.Errorf("%s cap_drop %v cap_add %v, want [ALL] and [CHOWN]", name, s.CapDrop, s.CapAdd)
				}
				wantRestart := "unless-stopped"
				if name == deploy.ServiceRegisterKeys {
					wantRestart = "no" // a one-shot job
				}
				if s.Restart != wantRestart {
					t.Errorf("%s restart %q, want %q", name, s.Restart, wantRestart)
				}
			}
			server := svcs["fl-server-net-1"]
			if !server.Init {
				t.Error("fl-server has no init: true")
			}
			if !slices.Equal(server.Ports, []string{w.flPort}) {
				t.Errorf("fl-server ports %v, want [%s]", server.Ports, w.flPort)
			}
			if !slices.Contains(server.EnvFile, deploy.SecretEnvFile) {
				t.Errorf("fl-server env files %v lack the host-written secret file %s", server.EnvFile, deploy.SecretEnvFile)
			}
			for svc, vols := range w.volumes {
				if got := svcs[svc].Volumes; !slices.Equal(got, vols) {
					t.Errorf("%s volumes %v, want %v", svc, got, vols)
				}
			}
			for name, s := range svcs {
				if name != "fl-server-net-1" && slices.Contains(s.EnvFile, deploy.SecretEnvFile) {
					t.Errorf("%s reads the fl-server secret env file", name)
				}
			}
			if backend == deploy.Flower {
				cmd := strings.Join(server.Command, " ")
				for _, flag := range []string{"--ssl-ca-certfile /certs/ca.crt", "--ssl-certfile /certs/server.pem", "--ssl-keyfile /certs/server.key", "--enable-supernode-auth", "--health-server-address 0.0.0.0:9097"} {
					if !strings.Contains(cmd, flag) {
						t.Errorf("superlink command %q lacks %s", cmd, flag)
					}
				}
				reg := svcs[deploy.ServiceRegisterKeys]
				if reg.DependsOn["fl-api-net-1"].Condition != "service_healthy" {
					t.Errorf("key registration depends on %v, want fl-api healthy", reg.DependsOn)
				}
			}
		})
	}
}

func TestEnvFiles(t *testing.T) {
	t.Parallel()
	for _, backend := range []deploy.Backend{deploy.NVFlare, deploy.Flower} {
		t.Run(string(backend), func(t *testing.T) {
			t.Parallel()
			s := validSpec(backend)
			b := render(t, s)

			api := envFile(t, b, "flip-api")
			wantAPI := map[string]string{
				"ENV": "production", "ENFORCE_MFA": "true", "LOG_LEVEL": "INFO", "AWS_REGION": "eu-west-2",
				"AWS_ENDPOINT_URL_S3":      "https://s3.eu-west-2.amazonaws.com",
				"AWS_COGNITO_USER_POOL_ID": s.UserPoolID, "AWS_COGNITO_APP_CLIENT_ID": s.AppClientID,
				"POSTGRES_USER": "flip_admin", "POSTGRES_SECRET_ARN": s.DBSecretARN, "DB_HOST": s.DBHost,
				"DB_PORT": "5432", "POSTGRES_DB": "flip", "TRUST_API_KEY_HEADER": "Authorization",
				"INTERNAL_SERVICE_KEY_HEADER": "X-Internal-Service-Key", "AWS_SECRET_NAME": "flip-stag/flip-api",
				"AWS_SES_ADMIN_EMAIL_ADDRESS": s.SESAdminEmail, "AWS_SES_SENDER_EMAIL_ADDRESS": s.SESSenderEmail,
				// s3:// URIs with upstream's prefixes (locals.tf @01328ab; utils/s3_client.py parses them).
				"UPLOADED_MODEL_FILES_BUCKET":    "s3://flip-stag-model-files-uploads/uploaded",
				"SCANNED_MODEL_FILES_BUCKET":     "s3://flip-stag-model-files-uploads/uploaded",
				"UPLOADED_FEDERATED_DATA_BUCKET": "s3://flip-stag-fl-results/results",
				"FL_APP_BASE_BUCKET":             "s3://flip-stag-app-bundles/base-application/" + string(backend),
				"FL_APP_DESTINATION_BUCKET":      "s3://flip-stag-app-bundles/app_destinations",
				"NET_ENDPOINTS":                  `{"net-1":"http://fl-api-net-1:8000"}`,
				"FL_BACKEND":                     string(backend),
				"FL_KIT_SLOT_NAMES":              `["Trust_1","Trust_2"]`, "TRUST_NAMES": `["Trust_1","Trust_2"]`,
			}
			for k, v := range wantAPI {
				if api[k] != v {
					t.Errorf("flip-api %s = %q, want %q", k, api[k], v)
				}
			}

			server := envFile(t, b, "fl-server-net-1")
			wantServer := map[string]string{
				"NET_ID": "net-1", "LOCAL_DEV": "false", "MIN_CLIENTS": "2", "IMAGES_DIR": "/app/data/images",
				"UPLOADED_FEDERATED_DATA_BUCKET": "s3://flip-stag-fl-results/results",
				"FLIP_API_INTERNAL_URL":          "http://flip-api:8000/api",
				"INTERNAL_SERVICE_KEY_HEADER":    "X-Internal-Service-Key",
			}
			for k, v := range wantServer {
				if server[k] != v {
					t.Errorf("fl-server %s = %q, want %q", k, server[k], v)
				}
			}

			flAPI := envFile(t, b, "fl-api-net-1")
			wantFLAPI := map[string]string{"FL_ADMIN_DIRECTORY": "/app/admin"}
			if backend == deploy.Flower {
				wantFLAPI = map[string]string{
					"SUPERLINK_ADDRESS": "fl-server-net-1:9093", "SUPERLINK_HEALTH_ADDRESS": "fl-server-net-1:9097",
					"SUPERLINK_ROOT_CERTIFICATES": "/certs/ca.crt", "FLOWER_SRC_ROOT": "/app/src",
				}
			}
			for k, v := range wantFLAPI {
				if flAPI[k] != v {
					t.Errorf("fl-api %s = %q, want %q", k, flAPI[k], v)
				}
			}

			for _, f := range b.EnvFiles {
				for k := range parseEnv(t, f.Content) {
					if k == "INTERNAL_SERVICE_KEY" || k == "AES_KEY_BASE64" || strings.Contains(k, "PASSWORD") || strings.Contains(k, "TOKEN") {
						t.Errorf("%s sets %s; secrets are read on the host, never rendered", f.Path, k)
					}
				}
			}
		})
	}

	t.Run("MFA off and a log level", func(t *testing.T) {
		t.Parallel()
		s := validSpec(deploy.NVFlare)
		s.EnforceMFA, s.LogLevel = false, "DEBUG"
		api := envFile(t, render(t, s), "flip-api")
		if api["ENFORCE_MFA"] != "false" || api["LOG_LEVEL"] != "DEBUG" {
			t.Errorf("ENFORCE_MFA %q LOG_LEVEL %q", api["ENFORCE_MFA"], api["LOG_LEVEL"])
		}
	})
}

func TestScript(t *testing.T) {
	t.Parallel()
	for _, backend := range []deploy.Backend{deploy.NVFlare, deploy.Flower} {
		t.Run(string(backend), func(t *testing.T) {
			t.Parallel()
			s := validSpec(backend)
			b := render(t, s)
			if !strings.HasPrefix(b.Script, "#!/bin/bash\n") || !strings.Contains(b.Script, "\nset -euo pipefail\n") {
				t.Error("script does not start as a strict bash script")
			}
			must := []string{
				// The compose file and every env file travel inside the script, verbatim.
				b.Compose,
				// Both image tags are deployed by this one command.
				"ghcr.io/londonaicentre/flip-api:sha-1a2b3c4",
				":sha-4c3b2a1",
				"readonly DOCKER_TAG='sha-1a2b3c4'",
				"readonly DOCKER_FL_TAG='sha-4c3b2a1'",
				// The host reads the secrets itself.
				"readonly FLIP_API_SECRET_ARN='" + s.FlipAPISecretARN + "'",
				"aws secretsmanager get-secret-value --secret-id \"${FLIP_API_SECRET_ARN}\"",
				`docker login "${REGISTRY_HOST}" --username "${REGISTRY_USER}" --password-stdin`,
				"readonly REGISTRY_HOST='ghcr.io'",
				// Kits are wiped and re-synced from the kits bucket.
				"readonly KITS_BUCKET='flip-stag-fl-kits'",
				`aws s3 sync --only-show-errors --no-progress "${filter[@]}" "${src}" "${staged}/"`,
				`rm -rf -- "$1"`,
				"compose pull --quiet",
				"compose up --detach --remove-orphans",
				"readonly HEALTH_URL='http://127.0.0.1:8000/api/health'",
				"readonly HEALTH_TIMEOUT=300",
				"compose ps --all",
				"compose logs --no-color --tail 100",
				`die "flip-api is not healthy"`,
				"cloud-init status --wait",
			}
			for _, f := range b.EnvFiles {
				must = append(must, f.Content)
			}
			for _, kit := range deploy.KitDirs(backend, s.KitDate) {
				must = append(must, fmt.Sprintf("stage_kit '%s' '%s' '%s'", kit.S3, kit.Host, kit.Owner), fmt.Sprintf("swap_kit '%s'", kit.Host))
			}
			for _, m := range must {
				if !strings.Contains(b.Script, m) {
					t.Errorf("script lacks %q", firstLine(m))
				}
			}
			// The pull happens before anything running is stopped, and kits are swapped only
			// while the FL services are stopped.
			order := []string{"compose pull --quiet", "compose stop 'fl-api-net-1' 'fl-server-net-1'", "swap_kit '", "compose up --detach", "until [["}
			last := -1
			for _, step := range order {
				i := strings.Index(b.Script, step)
				if i <= last {
					t.Errorf("step %q is out of order", step)
				}
				last = i
			}
			hasRegister := strings.Contains(b.Script, "wait 'register-supernode-keys-net-1'")
			if hasRegister != (backend == deploy.Flower) {
				t.Errorf("script waits for the key registration: %v; want it for Flower only", hasRegister)
			}
		})
	}

	t.Run("no registry token: anonymous pulls", func(t *testing.T) {
		t.Parallel()
		s := validSpec(deploy.NVFlare)
		s.RegistryTokenSecretARN = ""
		b := render(t, s)
		if !strings.Contains(b.Script, "readonly REGISTRY_TOKEN_SECRET_ARN=''") {
			t.Error("an empty token secret is not rendered as empty, so the login would not be skipped")
		}
	})
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func TestHashMovesExactlyWithContent(t *testing.T) {
	t.Parallel()
	base := validSpec(deploy.NVFlare)
	b0 := render(t, base)
	if again := render(t, base); again.Hash != b0.Hash || again.Script != b0.Script {
		t.Fatal("rendering the same spec twice differs")
	}
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(b0.Hash) || !strings.Contains(b0.Script, b0.Hash) {
		t.Fatalf("hash %q is not a SHA-256 hex digest carried by the script", b0.Hash)
	}

	same := []struct {
		name   string
		mutate func(*deploy.Spec)
	}{
		{"defaults spelt out", func(s *deploy.Spec) {
			s.LogLevel, s.TrustAPIKeyHeader, s.RegistryUser, s.HealthTimeout = "INFO", "Authorization", "flip-hub", 5*time.Minute
		}},
	}
	for _, tc := range same {
		s := base
		s.KitSlotNames = slices.Clone(base.KitSlotNames)
		tc.mutate(&s)
		if got := render(t, s).Hash; got != b0.Hash {
			t.Errorf("%s: hash changed although the rendered content did not", tc.name)
		}
	}

	changed := []struct {
		name   string
		mutate func(*deploy.Spec)
	}{
		{"hub tag", func(s *deploy.Spec) { s.Images.Tag = "sha-9999999" }},
		{"fl tag", func(s *deploy.Spec) { s.Images.FLTag = "sha-9999999" }},
		{"registry", func(s *deploy.Spec) { s.Images.Registry = "ghcr.io/other/" }},
		{"fl registry", func(s *deploy.Spec) { s.Images.FLRegistry = "ghcr.io/other/" }},
		{"backend", func(s *deploy.Spec) { s.Backend = deploy.Flower }},
		{"fl port", func(s *deploy.Spec) { s.FLPort = 8443 }},
		{"region", func(s *deploy.Spec) { s.Region = "eu-west-1" }},
		{"log level", func(s *deploy.Spec) { s.LogLevel = "DEBUG" }},
		{"mfa", func(s *deploy.Spec) { s.EnforceMFA = false }},
		{"trust header", func(s *deploy.Spec) { s.TrustAPIKeyHeader = "X-Trust-Key" }},
		{"user pool", func(s *deploy.Spec) { s.UserPoolID = "eu-west-2_Other" }},
		{"app client", func(s *deploy.Spec) { s.AppClientID = "otherclient" }},
		{"db host", func(s *deploy.Spec) { s.DBHost = "other.example.com" }},
		{"db port", func(s *deploy.Spec) { s.DBPort = 5433 }},
		{"db name", func(s *deploy.Spec) { s.DBName = "flip2" }},
		{"db user", func(s *deploy.Spec) { s.DBUser = "other" }},
		{"db secret", func(s *deploy.Spec) { s.DBSecretARN = arn("rds!db-2") }},
		{"flip-api secret name", func(s *deploy.Spec) { s.FlipAPISecretName = "other/flip-api" }},
		{"flip-api secret arn", func(s *deploy.Spec) { s.FlipAPISecretARN = arn("other/flip-api") }},
		{"registry token secret", func(s *deploy.Spec) { s.RegistryTokenSecretARN = "" }},
		{"registry user", func(s *deploy.Spec) { s.RegistryUser = "robot" }},
		{"admin email", func(s *deploy.Spec) { s.SESAdminEmail = "other@aicentre.co.uk" }},
		{"sender email", func(s *deploy.Spec) { s.SESSenderEmail = "other@aicentre.co.uk" }},
		{"a bucket", func(s *deploy.Spec) { s.Buckets.AppBundles = "other-bucket" }},
		{"kits bucket", func(s *deploy.Spec) { s.Buckets.FLKits = "other-kits" }},
		{"kit date", func(s *deploy.Spec) { s.KitDate = "2025-07-01" }},
		{"kit slots", func(s *deploy.Spec) { s.KitSlotNames = append(s.KitSlotNames, "Trust_3") }},
		{"min clients", func(s *deploy.Spec) { s.MinClients = 3 }},
		{"health timeout", func(s *deploy.Spec) { s.HealthTimeout = 10 * time.Minute }},
	}
	seen := map[string]string{b0.Hash: "base"}
	for _, tc := range changed {
		s := base
		s.KitSlotNames = slices.Clone(base.KitSlotNames)
		tc.mutate(&s)
		b := render(t, s)
		if prev, dup := seen[b.Hash]; dup {
			t.Errorf("%s: hash equals that of %s", tc.name, prev)
		}
		seen[b.Hash] = tc.name
		if b.Script == b0.Script {
			t.Errorf("%s: script did not change", tc.name)
		}
	}
}

func TestSpecRejected(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		mutate func(*deploy.Spec)
		want   string
	}{
		{"unknown backend", func(s *deploy.Spec) { s.Backend = "fedml" }, `backend "fedml"`},
		{"latest tag", func(s *deploy.Spec) { s.Images.Tag = "latest" }, "tag latest is not pinned"},
		{"empty fl tag", func(s *deploy.Spec) { s.Images.FLTag = "" }, `fl tag ""`},
		{"registry without slash", func(s *deploy.Spec) { s.Images.Registry = "ghcr.io/londonaicentre" }, "registry"},
		{"fl port 22", func(s *deploy.Spec) { s.FLPort = 22 }, "fl port 22"},
		{"fl port on flip-api", func(s *deploy.Spec) { s.FLPort = 8000 }, "fl port 8000"},
		{"quote in pool id", func(s *deploy.Spec) { s.UserPoolID = "eu-west-2_a'b" }, "user pool id"},
		{"dollar in db user", func(s *deploy.Spec) { s.DBUser = "$(reboot)" }, "db user"},
		{"db secret not an arn", func(s *deploy.Spec) { s.DBSecretARN = "flip/db" }, "db secret arn"},
		{"token secret not an arn", func(s *deploy.Spec) { s.RegistryTokenSecretARN = "ghp_plaintexttoken" }, "registry token secret arn"},
		{"bad sender", func(s *deploy.Spec) { s.SESSenderEmail = "Flip <noreply@x.uk>" }, "ses sender email"},
		{"no kits bucket", func(s *deploy.Spec) { s.Buckets.FLKits = "" }, "fl-kits bucket"},
		{"kit date with a slash", func(s *deploy.Spec) { s.KitDate = "../etc" }, "kit date"},
		{"no slots", func(s *deploy.Spec) { s.KitSlotNames = nil }, "no kit slot names"},
		{"slot with a quote", func(s *deploy.Spec) { s.KitSlotNames = []string{"Trust'1"} }, "kit slot name"},
		{"no clients", func(s *deploy.Spec) { s.MinClients = 0 }, "min clients 0"},
		{"bad level", func(s *deploy.Spec) { s.LogLevel = "LOUD" }, "log level"},
		{"tiny health timeout", func(s *deploy.Spec) { s.HealthTimeout = time.Second }, "health timeout"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := validSpec(deploy.NVFlare)
			tc.mutate(&s)
			_, err := deploy.Render(s)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one naming %q", err, tc.want)
			}
		})
	}
	if err := validSpec(deploy.Flower).Validate(); err != nil {
		t.Errorf("the fixture is invalid: %v", err)
	}
}

func TestBucketsFromMap(t *testing.T) {
	t.Parallel()
	m := map[string]string{}
	for _, p := range deploy.BucketPurposes {
		m[p] = "flip-" + p
	}
	b, err := deploy.BucketsFromMap(m)
	if err != nil || b.FLKits != "flip-fl-kits" || b.ModelFilesUploads != "flip-model-files-uploads" || b.FLResults != "flip-fl-results" || b.AppBundles != "flip-app-bundles" {
		t.Fatalf("BucketsFromMap = %+v, %v", b, err)
	}
	delete(m, deploy.BucketFLKits)
	if _, err := deploy.BucketsFromMap(m); err == nil || !strings.Contains(err.Error(), "fl-kits") {
		t.Errorf("missing fl-kits: err = %v", err)
	}
}

func TestCommandIDFromOutput(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, out, want string }{
		{"result line last", "flip-deploy: deployed\n" + deploy.ResultLine("0b1c-2d3e", "i-1", "Success") + "\n", "0b1c-2d3e"},
		{"crlf", "x\r\n" + deploy.ResultLine("abc-1", "i-1", "Success") + "\r\n", "abc-1"},
		{"last of two", deploy.ResultLine("old-1", "i-1", "Success") + "\n" + deploy.ResultLine("new-2", "i-1", "Success"), "new-2"},
		{"none", "flip-deploy: deployed\n", ""},
		{"mentioned mid-line", "echo hubctl: ssm command evil on i-1: Success", ""},
	}
	for _, tc := range cases {
		if got := deploy.CommandIDFromOutput(tc.out); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

// The Flower key-registration job as upstream runs it (deploy/compose.production.flower.yml
// @00e1b6b; fl-services/flower/register-supernode-keys.sh @958b5b9): through bash (the shebang
// follows the licence header), FL_API_ADDRESS for /register_node, and TRUST_NAMES in the order the
// script globs /keys/*.pub, which is byte order: supernode_credentials_10 before _2.
func TestFlowerKeyRegistrationContract(t *testing.T) {
	t.Parallel()
	s := validSpec(deploy.Flower)
	s.KitSlotNames = []string{"Trust_1", "Trust_2", "Trust_3", "Trust_4", "Trust_5", "Trust_6", "Trust_7", "Trust_8", "Trust_9", "Trust_10", "Trust_11"}
	b := render(t, s)
	reg := parseCompose(t, b.Compose)[deploy.ServiceRegisterKeys]
	if got := strings.Join(reg.Entrypoint, " "); got != "/bin/bash /scripts/register-supernode-keys.sh" {
		t.Errorf("entrypoint %q, want the script through /bin/bash", got)
	}
	env := envFile(t, b, deploy.ServiceRegisterKeys)
	if got := env["FL_API_ADDRESS"]; got != "http://fl-api-net-1:8000" {
		t.Errorf("FL_API_ADDRESS = %q, want fl-api on the compose network", got)
	}
	if _, ok := env["FL_API_URL"]; ok {
		t.Error("FL_API_URL is set; the script reads FL_API_ADDRESS")
	}
	want := `["Trust_1","Trust_10","Trust_11","Trust_2","Trust_3","Trust_4","Trust_5","Trust_6","Trust_7","Trust_8","Trust_9"]`
	if got := env["TRUST_NAMES"]; got != want {
		t.Errorf("TRUST_NAMES = %s, want the key files' byte order %s", got, want)
	}
	// flip-api seeds its pool from the slot names in their own order.
	if got := envFile(t, b, "flip-api")["FL_KIT_SLOT_NAMES"]; !strings.HasPrefix(got, `["Trust_1","Trust_2",`) {
		t.Errorf("flip-api FL_KIT_SLOT_NAMES = %s, want config order", got)
	}
}

// TestComposeNetwork checks what the host firewall relies on: every service is on the one hub
// network, whose subnet the firewall script names; the FL services have fixed addresses inside
// the FL block the firewall keeps from the metadata service, and flip-api (which needs the
// instance role) has a dynamic one outside it.
func TestComposeNetwork(t *testing.T) {
	t.Parallel()
	_, hub, _ := net.ParseCIDR(deploy.HubSubnet)
	_, fl, _ := net.ParseCIDR(deploy.FLSubnet)
	_, dynamic, _ := net.ParseCIDR(deploy.HubDynamicRange)
	if !hub.Contains(fl.IP) || !hub.Contains(dynamic.IP) || fl.Contains(dynamic.IP) || dynamic.Contains(fl.IP) {
		t.Fatalf("subnets: hub %s must hold the FL block %s and the dynamic range %s, which must not overlap", hub, fl, dynamic)
	}
	for _, backend := range []deploy.Backend{deploy.NVFlare, deploy.Flower} {
		t.Run(string(backend), func(t *testing.T) {
			t.Parallel()
			b := render(t, validSpec(backend))
			var f struct {
				Networks map[string]struct {
					IPAM struct {
						Config []struct {
							Subnet  string `yaml:"subnet"`
							IPRange string `yaml:"ip_range"`
						} `yaml:"config"`
					} `yaml:"ipam"`
				} `yaml:"networks"`
			}
			if err := yaml.Unmarshal([]byte(b.Compose), &f); err != nil {
				t.Fatal(err)
			}
			cfg := f.Networks[deploy.HubNetwork].IPAM.Config
			if len(f.Networks) != 1 || len(cfg) != 1 || cfg[0].Subnet != deploy.HubSubnet || cfg[0].IPRange != deploy.HubDynamicRange {
				t.Fatalf("networks %+v; want only %s with subnet %s and dynamic range %s", f.Networks, deploy.HubNetwork, deploy.HubSubnet, deploy.HubDynamicRange)
			}
			if !strings.Contains(b.Script, deploy.HubSubnet) || !strings.Contains(b.Script, deploy.FLSubnet) {
				t.Errorf("the firewall script in the deploy does not name the hub subnet and the FL block")
			}
			seen := map[string]string{}
			for name, s := range parseCompose(t, b.Compose) {
				att, ok := s.Networks[deploy.HubNetwork]
				if len(s.Networks) != 1 || !ok {
					t.Errorf("%s networks %v; want the hub network only", name, s.Networks)
					continue
				}
				if name == deploy.ServiceFlipAPI {
					if att.IPv4Address != "" {
						t.Errorf("flip-api has the fixed address %s; want a dynamic one, outside the FL block", att.IPv4Address)
					}
					continue
				}
				ip := net.ParseIP(att.IPv4Address)
				if ip == nil || !fl.Contains(ip) {
					t.Errorf("%s address %q; want a fixed one in the FL block %s", name, att.IPv4Address, deploy.FLSubnet)
				}
				if other, dup := seen[att.IPv4Address]; dup {
					t.Errorf("%s and %s share %s", name, other, att.IPv4Address)
				}
				seen[att.IPv4Address] = name
			}
		})
	}
}
