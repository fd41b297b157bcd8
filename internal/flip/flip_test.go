package flip

import (
	"slices"
	"testing"
)

// Each value of the contract against a literal copied from the upstream file named beside it:
// a wrong fact fails here, in one place.
func TestContractValues(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, got, want, upstream string
	}{
		{"kit sentinel", KitSentinel, "# ── Hub-shared (managed by register-trust / sync-trust-kits — do not edit) ──", "scripts/trust_kit_lib.py SENTINEL"},
		{"kit file", KitFileName("GSTT", KitEnvProduction), ".env.GSTT.production", "scripts/new_trust.py, Makefile KIT_ENV_SUFFIX"},
		{"stag kit file", KitFileName("KCH", KitEnvStag), ".env.KCH.stag", "Makefile @00e1b6b KIT_ENV_SUFFIX"},
		{"nlb subdomain", FLHost("app.flip.aicentre.co.uk"), "fl.app.flip.aicentre.co.uk", "deploy/providers/AWS README NLB_SUBDOMAIN example"},
		{"uploaded", S3URI("flipprod-model-files-uploads", PrefixUploaded), "s3://flipprod-model-files-uploads/uploaded", "locals.tf UPLOADED_MODEL_FILES_BUCKET"},
		{"results", S3URI("flipprod-fl-results", PrefixResults), "s3://flipprod-fl-results/results", "locals.tf UPLOADED_FEDERATED_DATA_BUCKET"},
		{"base application", S3URI("flipprod-app-bundles", BaseApplicationPrefix("flower")), "s3://flipprod-app-bundles/base-application/flower", "locals.tf FL_APP_BASE_BUCKET"},
		{"app destinations", S3URI("flipprod-app-bundles", PrefixAppDestinations), "s3://flipprod-app-bundles/app_destinations", "locals.tf FL_APP_DESTINATION_BUCKET"},
		{"flare kit", FlareKitPrefix("2025-06-01", FlareServerParticipant), "fl-flare-participant-kits/2025-06-01/net-1/services/fl-server-net-1", "ecs_efs_provision.tf @08a2ee9"},
		{"flare admin", FlareKitPrefix("d", FlareAdminParticipant), "fl-flare-participant-kits/d/net-1/services/flip-fl-api-net-1", "compose.production.nvflare.yml mounts"},
		{"flower kit", FlowerKitPrefix("2025-06-01"), "fl-flower-participant-kits/2025-06-01/net-1", "package-onprem-trust-kit.sh"},
		{"flower key", FlowerPublicKeyFile(3), "supernode_credentials_3.pub", "generate_creds.py"},
		{"flower credential", FlowerCredentialFile(3), "supernode_credentials_3", "compose_trust.production.flower.yml --auth-supernode-private-key"},
		{"backend key", EnvFLBackend, "FL_BACKEND", "trust_kit_lib.py HUB_SHARED_KEYS"},
		{"slot key", EnvKitSlot, "FL_KIT_SLOT", "trust_kit_lib.py METADATA_KEYS; compose_trust.production.nvflare.yml"},
		{"slot number key", EnvKitSlotNumber, "FL_KIT_SLOT_NUMBER", "trust_kit_lib.py METADATA_KEYS; compose_trust.production.flower.yml"},
		{"register script", RegisterKeysScript, "/scripts/register-supernode-keys.sh", "compose.production.flower.yml"},
		{"fl api address", EnvFLAPIAddress, "FL_API_ADDRESS", "register-supernode-keys.sh"},
		{"trust names", EnvTrustNames, "TRUST_NAMES", "register-supernode-keys.sh"},
		{"flare date", EnvFlareKitDate, "FLARE_KIT_DATE", "trust_kit_lib.py HUB_SHARED_KEYS"},
		{"flower date", EnvFlowerKitDate, "FLOWER_KIT_DATE", "trust_kit_lib.py HUB_SHARED_KEYS"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q [%s]", c.name, c.got, c.want, c.upstream)
		}
	}
	if got, want := RegisterKeysEntrypoint(), []string{"/bin/bash", "/scripts/register-supernode-keys.sh"}; !slices.Equal(got, want) {
		t.Errorf("entrypoint %v, want %v [compose.production.flower.yml]", got, want)
	}
	wantShared := []string{"AES_KEY_BASE64", "CENTRAL_HUB_API_URL", "TRUST_API_KEY_HEADER", "FL_BACKEND", "FLOWER_KIT_DATE",
		"FLARE_KIT_DATE", "DOCKER_TAG", "DOCKER_REGISTRY", "DOCKER_FL_TAG", "DOCKER_FL_REGISTRY", "NLB_SUBDOMAIN", "FL_SERVER_PORT"}
	if !slices.Equal(HubSharedKeys, wantShared) {
		t.Errorf("hub-shared keys %v, want %v [trust_kit_lib.py HUB_SHARED_KEYS]", HubSharedKeys, wantShared)
	}
	if !slices.Equal(CredentialKeys, []string{"TRUST_API_KEY", "TRUST_INTERNAL_SERVICE_KEY"}) ||
		!slices.Equal(MetadataKeys, []string{"EXPECTED_TRUST_ID", "FL_KIT_SLOT", "FL_KIT_SLOT_NUMBER"}) {
		t.Errorf("per-trust keys %v %v [trust_kit_lib.py]", CredentialKeys, MetadataKeys)
	}
}

func TestTrustCodes(t *testing.T) {
	t.Parallel()
	for code, want := range map[string]bool{
		"GSTT": true, "KCH": true, "KCL": true, "Trust_K8s": true, "gstt": true, "uclh-2": true, // upstream examples and flip-hub's own
		"": false, " ": false, "G.STT": false, "a/b": false, "G STT": false, "tab\t": false, "St'Thomas": false,
		"x\x00": false, string(make([]byte, 65)): false,
	} {
		if got := ValidTrustCode(code); got != want {
			t.Errorf("ValidTrustCode(%q) = %v, want %v", code, got, want)
		}
	}
}

func TestSlotNumbersAndFlowerKeyOrder(t *testing.T) {
	t.Parallel()
	// flip-api's seed: trailing _<N>, else 10000 (fl_kit_slots.py).
	for name, want := range map[string]int{"Trust_1": 1, "Trust_12": 12, "Trust_K8s": 10000, "net_7": 7} {
		if got := SlotNumber(name); got != want {
			t.Errorf("SlotNumber(%q) = %d, want %d", name, got, want)
		}
	}
	// The script pairs /keys/*.pub in byte order with TRUST_NAMES in list order.
	slots := []string{"Trust_1", "Trust_2", "Trust_3", "Trust_4", "Trust_5", "Trust_6", "Trust_7", "Trust_8", "Trust_9", "Trust_10", "Trust_11"}
	got := FlowerNamesInKeyOrder(slots)
	want := []string{"Trust_1", "Trust_10", "Trust_11", "Trust_2", "Trust_3", "Trust_4", "Trust_5", "Trust_6", "Trust_7", "Trust_8", "Trust_9"}
	if !slices.Equal(got, want) {
		t.Fatalf("key order %v, want %v", got, want)
	}
	var files []string
	for _, n := range got {
		files = append(files, FlowerPublicKeyFile(SlotNumber(n)))
	}
	if !slices.IsSorted(files) {
		t.Errorf("names are not in the byte order of their key files: %v", files)
	}
}

// TestKeyHash: SHA-256 hex of the key's bytes, lower case (FIPS 180-2's "abc" vector).
func TestKeyHash(t *testing.T) {
	t.Parallel()
	if got := KeyHash("abc"); got != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Fatalf("KeyHash(abc) = %s", got)
	}
}
