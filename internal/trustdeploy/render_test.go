package trustdeploy_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/londonaicentre/flip-hub/internal/flip"
	"github.com/londonaicentre/flip-hub/internal/kit"
	"github.com/londonaicentre/flip-hub/internal/testexec"
	"github.com/londonaicentre/flip-hub/internal/trustdeploy"
)

const kitSecret = "arn:aws:secretsmanager:eu-west-2:111111111111:secret:flip-stag-trust-gstt-kit-AbCdEf"

func spec(b flip.Backend) trustdeploy.Spec {
	return trustdeploy.Spec{
		Code: "gstt", Env: "stag", Region: "eu-west-2", Backend: b, KitDate: "2025-06-01",
		Slot: "Trust_3", SlotNumber: 3, KitSecretARN: kitSecret, KitsBucket: "flip-stag-fl-kits",
		Tag: "sha-1a2b3c4", FLTag: "sha-5d6e7f8",
	}
}

func render(t *testing.T, s trustdeploy.Spec) trustdeploy.Bundle {
	t.Helper()
	b, err := trustdeploy.Render(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRenderStagesOnlyTheSlot: the script fetches the kit from the trust's secret and the FL
// material of its slot alone, as upstream's site.yml stages it, and starts the backend's client.
func TestRenderStagesOnlyTheSlot(t *testing.T) {
	t.Parallel()
	cases := []struct {
		backend     flip.Backend
		want, never []string
	}{
		{flip.NVFlare,
			[]string{"'s3://flip-stag-fl-kits/fl-flare-participant-kits/2025-06-01/net-1/services/Trust_3/'", "fed_client.json", "compose.${FL_BACKEND}.yml",
				"chown 1000:1000 '/opt/flip/data/trust-3/net-1' && chmod 0755"},
			[]string{"fl-flower-participant-kits", "supernode_credentials"}},
		{flip.Flower,
			[]string{"'s3://flip-stag-fl-kits/fl-flower-participant-kits/2025-06-01/net-1/'", "--include 'certificates/ca.crt'", "--include 'keys/supernode_credentials_3'",
				"chown 1000:49999 '/opt/flip/data/trust-3/net-1' && chmod 0775"},
			[]string{"fl-flare-participant-kits", "server.key", "supernode_credentials_1'"}},
	}
	for _, tc := range cases {
		t.Run(string(tc.backend), func(t *testing.T) {
			t.Parallel()
			script := render(t, spec(tc.backend)).Script
			common := []string{
				"readonly KIT_SECRET_ARN='" + kitSecret + "'",
				"readonly KIT_FILE=\"${TRUST_DIR}/\"'.env.gstt.stag'",
				"readonly NETWORK='deploy_trust-network-3'",
				"readonly PROJECT='trust3'",
				"find \"${FL_KIT_DIR}/net-1\" -mindepth 1 -delete",
				"TRUST_NETWORK_NAME=deploy_trust-network-3",
				"DOCKER_FL_CLIENT_NAME=" + flip.FLClientImage(tc.backend),
				"NUM_AVAILABLE_GPUS=0",
				"rm -rf -- '/opt/flip/xnat-trust3'",
				"chown 1001:1001 '/opt/flip/xnat-trust3/xnat-data/archive'",
				"chown 999:999 '/opt/flip/orthanc/orthanc-storage'",
				"chown 472:472 '/opt/flip/volumes/grafana'",
				"chown 10001:10001 '/opt/flip/volumes/loki'",
				"XNAT_DATASOURCE_URL=jdbc:postgresql://xnat-db/xnat",
				"for step in configure-xnat.sh configure-dcm2niix.sh; do",
			}
			for _, w := range append(common, tc.want...) {
				if !strings.Contains(script, w) {
					t.Errorf("script lacks %q", w)
				}
			}
			for _, n := range tc.never {
				if strings.Contains(script, n) {
					t.Errorf("script holds %q", n)
				}
			}
		})
	}
}

// TestRenderHash: the hash follows what lands on the host (tags, slot, secret), not nothing.
func TestRenderHash(t *testing.T) {
	t.Parallel()
	base := render(t, spec(flip.NVFlare)).Hash
	if again := render(t, spec(flip.NVFlare)).Hash; again != base {
		t.Fatalf("hash not deterministic: %s then %s", base, again)
	}
	for name, edit := range map[string]func(*trustdeploy.Spec){
		"tag":     func(s *trustdeploy.Spec) { s.Tag = "sha-0000001" },
		"fl tag":  func(s *trustdeploy.Spec) { s.FLTag = "sha-0000001" },
		"slot":    func(s *trustdeploy.Spec) { s.Slot, s.SlotNumber = "Trust_4", 4 },
		"backend": func(s *trustdeploy.Spec) { s.Backend = flip.Flower },
		"secret":  func(s *trustdeploy.Spec) { s.KitSecretARN += "x" },
	} {
		s := spec(flip.NVFlare)
		edit(&s)
		if render(t, s).Hash == base {
			t.Errorf("changing the %s keeps the hash", name)
		}
	}
}

func TestRenderRefusesBadSpecs(t *testing.T) {
	t.Parallel()
	for name, edit := range map[string]func(*trustdeploy.Spec){
		"code":       func(s *trustdeploy.Spec) { s.Code = "GS TT" },
		"env":        func(s *trustdeploy.Spec) { s.Env = "prod" },
		"backend":    func(s *trustdeploy.Spec) { s.Backend = "tensorflow" },
		"slot":       func(s *trustdeploy.Spec) { s.Slot = "Trust 3; rm -rf /" },
		"slotNumber": func(s *trustdeploy.Spec) { s.SlotNumber = -1 },
		"secret":     func(s *trustdeploy.Spec) { s.KitSecretARN = "flip-stag-trust-gstt-kit" },
		"bucket":     func(s *trustdeploy.Spec) { s.KitsBucket = "Bad_Bucket" },
		"tag":        func(s *trustdeploy.Spec) { s.Tag = "latest'" },
	} {
		s := spec(flip.NVFlare)
		edit(&s)
		if _, err := trustdeploy.Render(s); err == nil {
			t.Errorf("%s: rendered a bad spec", name)
		}
	}
}

// TestComposeFilesUseUpstreamNames: the compose files parse, name upstream's services, and take
// every host port on 127.0.0.1 only.
func TestComposeFilesUseUpstreamNames(t *testing.T) {
	t.Parallel()
	script := render(t, spec(flip.NVFlare)).Script
	services := map[string]bool{}
	flower := render(t, spec(flip.Flower)).Script
	for _, f := range []struct{ script, name string }{
		{script, "compose.yml"}, {script, "compose.nvflare.yml"}, {flower, "compose.flower.yml"}, {script, "compose.xnat.yml"},
	} {
		name := f.name
		body := hereDoc(t, f.script, flip.TrustHostDir+"/deploy/"+name)
		var f struct {
			Services map[string]struct {
				Image string   `yaml:"image"`
				Ports []string `yaml:"ports"`
			} `yaml:"services"`
		}
		if err := yaml.Unmarshal([]byte(body), &f); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for svc, s := range f.Services {
			services[svc] = true
			for _, p := range s.Ports {
				if !strings.HasPrefix(p, "127.0.0.1:") {
					t.Errorf("%s %s publishes %q beyond localhost", name, svc, p)
				}
			}
		}
	}
	for _, want := range append(flip.TrustCoreServices, flip.TrustServiceGrafana, flip.TrustServiceLoki, flip.TrustServiceAlloy, flip.TrustServiceXNATDB) {
		if !services[want] {
			t.Errorf("no compose service %s", want)
		}
	}
}

// hereDoc returns the content write_file gives path in the script.
func hereDoc(t *testing.T, script, path string) string {
	t.Helper()
	start := strings.Index(script, "write_file '"+path+"' ")
	if start < 0 {
		t.Fatalf("script does not write %s", path)
	}
	rest := script[start:]
	line := rest[:strings.Index(rest, "\n")]
	delim := strings.Trim(line[strings.LastIndex(line, "<<")+2:], "'")
	body := rest[len(line)+1:]
	return body[:strings.Index(body, "\n"+delim+"\n")+1]
}

// TestScriptPassesShellcheck: shellcheck (down to style) and bash -n, for both backends.
func TestScriptPassesShellcheck(t *testing.T) {
	t.Parallel()
	bin := testexec.ShellcheckBin(t)
	for _, b := range flip.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "deploy.sh")
			if err := os.WriteFile(path, []byte(render(t, spec(b)).Script), 0o600); err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command(bin, "--shell=bash", "--severity=style", path).CombinedOutput(); err != nil {
				t.Errorf("shellcheck: %v\n%s", err, out)
			}
			if out, err := exec.Command("bash", "-n", path).CombinedOutput(); err != nil {
				t.Errorf("bash -n: %v\n%s", err, out)
			}
		})
	}
}

const (
	apiKey = "Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6"
	svcKey = "cXV4YmF6YmFyZm9vcXV4YmF6YmFyZm9vcXV4YmF6YmFy"
)

func local() []string {
	out := make([]string, len(trustdeploy.LocalSecretKeys))
	for i := range out {
		out[i] = strings.Repeat(string(rune('a'+i)), 32)
	}
	return out
}

// TestKit: the AWS-hosted trust's kit holds its identity, the host profile upstream's compose
// reads, the minted credentials and the managed blocks, and refuses values it cannot write.
func TestKit(t *testing.T) {
	t.Parallel()
	tr := kit.Trust{APIKey: apiKey, InternalServiceKey: svcKey, TrustID: "0f8fad5b-d9cb-469f-a165-70867728950e", SlotName: "Trust_3", SlotNumber: 3}
	h := kit.Hub{AESKeyBase64: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", Domain: "stag.flip.aicentre.co.uk", KitDate: "2025-06-01",
		FLBackend: "nvflare", DockerTag: "sha-1a2b3c4", DockerRegistry: "ghcr.io/londonaicentre/", DockerFLTag: "sha-5d6e7f8",
		DockerFLRegistry: "ghcr.io/londonaicentre/", FLServerPort: 8002}
	out, err := trustdeploy.Kit(trustdeploy.Identity{Name: "Guy's and St Thomas'", Code: "gstt", Region: "London"}, local(), tr, h)
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	for _, want := range []string{
		"TRUST_NAME=Guy's and St Thomas'\n", "TRUST_CODE=gstt\n", "XNAT_PORT=8105\n", "TRUST_API_PORT=8020\n",
		"BASE_IMAGES_DOWNLOAD_DIR=/opt/flip/data/trust-3\n", "FL_KIT_DIR=/opt/flip/fl-kit\n",
		"XNAT_DATASOURCE_PASSWORD=" + local()[5] + "\n", "FL_KIT_SLOT=Trust_3\n", "FL_KIT_SLOT_NUMBER=3\n",
		"TRUST_API_KEY=" + apiKey + "\n", flip.KitSentinel + "\n", "NLB_SUBDOMAIN=fl.stag.flip.aicentre.co.uk\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("kit lacks %q", want)
		}
	}
	if strings.Contains(text, "<run-make-") {
		t.Error("kit holds a placeholder")
	}
	bad := local()
	bad[0] = "short"
	if _, err := trustdeploy.Kit(trustdeploy.Identity{Name: "x", Code: "gstt"}, bad, tr, h); err == nil || strings.Contains(err.Error(), "short") {
		t.Errorf("a weak credential: %v; want an error that does not show it", err)
	}
	if _, err := trustdeploy.Kit(trustdeploy.Identity{Name: "a $(b)", Code: "gstt"}, local(), tr, h); err == nil {
		t.Error("a name compose would interpolate was written")
	}
	if _, err := trustdeploy.Kit(trustdeploy.Identity{Name: "x", Code: "gstt"}, local()[1:], tr, h); err == nil {
		t.Error("too few credentials were accepted")
	}
}
