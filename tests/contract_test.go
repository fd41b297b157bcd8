package tests

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/londonaicentre/flip-hub/config"
	"github.com/londonaicentre/flip-hub/internal/flip"
	"github.com/londonaicentre/flip-hub/internal/plan"
)

// TestFLIPContract renders the hub deploy from the program's graph, for both backends and both
// stacks, and checks what FLIP's images and tooling read against the contract package
// (internal/flip, whose values TestContractValues checks against upstream's files).
func TestFLIPContract(t *testing.T) {
	t.Parallel()
	for _, stack := range Stacks {
		for _, backend := range []string{"nvflare", "flower"} {
			t.Run(stack+"/"+backend, func(t *testing.T) {
				t.Parallel()
				g := MustPlanWith(t, stack, func(tb testing.TB, c plan.StackConfig) {
					SetField(tb, c, config.KeyFL, "backend", backend)
					SetField(tb, c, config.KeyFL, "port", nil)
					SetField(tb, c, config.KeyFL, "kitSlotNames", []string{"Trust_1", "Trust_2", "Trust_10", "Trust_11"})
				})
				stdin := blHubDeploy(t, g).String("stdin")
				if stdin == "" {
					t.Fatal("the hub deploy command has no script")
				}
				buckets := map[string]string{}
				for _, r := range g.ByType("aws:s3/bucketV2:BucketV2") {
					buckets[r.Name] = r.String("bucket")
				}
				envFile := func(service string) map[string]string {
					// Each env file travels inside the script as a heredoc headed by its path.
					i := strings.Index(stdin, "# env/"+service+".env: ")
					if i < 0 {
						t.Fatalf("the script carries no env file of %s", service)
					}
					out := map[string]string{}
					for _, line := range strings.Split(stdin[i:], "\n")[1:] {
						m := regexp.MustCompile(`^([A-Z][A-Z0-9_]*)='([^']*)'$`).FindStringSubmatch(line)
						if m == nil {
							if strings.HasPrefix(line, "#") {
								continue
							}
							break
						}
						out[m[1]] = m[2]
					}
					return out
				}
				api := envFile("flip-api")
				want := map[string]string{
					flip.EnvUploadedModelFiles:    flip.S3URI(buckets["model-files-uploads"], flip.PrefixUploaded),
					flip.EnvScannedModelFiles:     flip.S3URI(buckets["model-files-uploads"], flip.PrefixUploaded),
					flip.EnvUploadedFederatedData: flip.S3URI(buckets["fl-results"], flip.PrefixResults),
					flip.EnvFLAppBase:             flip.S3URI(buckets["app-bundles"], flip.BaseApplicationPrefix(backend)),
					flip.EnvFLAppDestination:      flip.S3URI(buckets["app-bundles"], flip.PrefixAppDestinations),
					flip.EnvEnforceMFA:            "true",
					"FL_BACKEND":                  backend,
				}
				for k, v := range want {
					if !strings.HasPrefix(v, "s3://flip-"+stack+"-") && strings.HasPrefix(v, "s3://") {
						t.Errorf("%s = %q names no bucket of the stack", k, v)
					}
					if api[k] != v {
						t.Errorf("flip-api %s = %q, want %q", k, api[k], v)
					}
				}
				server := envFile("fl-server-net-1")
				for _, k := range []string{flip.EnvUploadedModelFiles, flip.EnvScannedModelFiles, flip.EnvFLAppBase, flip.EnvFLAppDestination} {
					if _, ok := server[k]; ok {
						t.Errorf("fl-server gets %s; upstream's compose passes it only the results setting", k)
					}
				}
				if server[flip.EnvUploadedFederatedData] != want[flip.EnvUploadedFederatedData] {
					t.Errorf("fl-server results setting %q", server[flip.EnvUploadedFederatedData])
				}
				// Kits from FLIP's provisioning layout.
				kitDate := loadCfg(t, stack).FL.KitDate
				kit := flip.FlareKitPrefix(kitDate, flip.FlareServerParticipant) + "/startup"
				if backend == "flower" {
					kit = flip.FlowerKitPrefix(kitDate) + "/keys"
				}
				if !strings.Contains(stdin, "stage_kit '"+kit+"'") {
					t.Errorf("the deploy does not sync the kit from %s", kit)
				}
				if backend == "flower" {
					if !strings.Contains(stdin, fmt.Sprintf("- %s\n      - %s", flip.RegisterKeysEntrypoint()[0], flip.RegisterKeysScript)) {
						t.Error("the key registration is not run through /bin/bash")
					}
					reg := envFile("register-supernode-keys-net-1")
					if reg[flip.EnvFLAPIAddress] == "" {
						t.Errorf("the key registration has no %s", flip.EnvFLAPIAddress)
					}
					if got := reg[flip.EnvTrustNames]; got != `["Trust_1","Trust_10","Trust_11","Trust_2"]` {
						t.Errorf("%s = %s; want the key files' byte order", flip.EnvTrustNames, got)
					}
					// Only the SuperLink's TLS material and the public keys: never the CA key or a
					// trust's private key (stage_kit's trailing arguments are the only files synced).
					if !strings.Contains(stdin, "/certificates' '' 'ca.crt' 'server.pem' 'server.key'\n") ||
						!strings.Contains(stdin, "/keys' '' '*.pub'\n") {
						t.Error("the hub syncs more of the Flower kit than the SuperLink's TLS material and the public keys")
					}
				}
				// The admin user flip-api makes Admin exists in the pool.
				users := g.ByType("aws:cognito/user:User")
				if len(users) != 1 || !slices.Contains(flip.SeededAdminEmails, users[0].String("username")) {
					t.Errorf("admin users %v; want one of flip-api's seeded admin emails", users)
				}
			})
		}
	}
}
