package kit_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/londonaicentre/flip-hub/internal/kit"
)

func ExampleRender() {
	// The operator's own settings stay where they are; the stale key is replaced.
	existing := []byte(`# GSTT site settings
XNAT_URL=https://xnat.gstt.internal
TRUST_API_KEY=an-old-key-that-is-being-rotated-away-now
`)
	trust := kit.Trust{
		APIKey:             "example-trust-api-key-not-a-real-one-0000000",
		InternalServiceKey: "example-internal-key-not-a-real-one-00000000",
		TrustID:            "3f2b8c1e-9a4d-4e5f-8b6a-0c1d2e3f4a5b",
		SlotName:           "Trust_3",
		SlotNumber:         3,
	}
	hub := kit.Hub{
		AESKeyBase64:     "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
		Domain:           "flip.example.nhs.uk",
		FLBackend:        kit.BackendNVFLARE,
		KitDate:          "2025-06-01",
		DockerTag:        "sha-1a2b3c4",
		DockerRegistry:   "ghcr.io/londonaicentre",
		DockerFLTag:      "sha-9f8e7d6",
		DockerFLRegistry: "ghcr.io/londonaicentre/",
	}
	out, err := kit.Render(existing, trust, hub)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(out))

	// Logging the inputs is safe.
	fmt.Println(trust)
	// Output:
	// # GSTT site settings
	// XNAT_URL=https://xnat.gstt.internal
	//
	// TRUST_API_KEY=example-trust-api-key-not-a-real-one-0000000
	// TRUST_INTERNAL_SERVICE_KEY=example-internal-key-not-a-real-one-00000000
	// EXPECTED_TRUST_ID=3f2b8c1e-9a4d-4e5f-8b6a-0c1d2e3f4a5b
	// FL_KIT_SLOT=Trust_3
	// FL_KIT_SLOT_NUMBER=3
	//
	// # ── Hub-shared (managed by register-trust / sync-trust-kits — do not edit) ──
	// AES_KEY_BASE64=MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=
	// CENTRAL_HUB_API_URL=https://flip.example.nhs.uk/api
	// TRUST_API_KEY_HEADER=Authorization
	// FL_BACKEND=nvflare
	// FLOWER_KIT_DATE=
	// FLARE_KIT_DATE=2025-06-01
	// DOCKER_TAG=sha-1a2b3c4
	// DOCKER_REGISTRY=ghcr.io/londonaicentre
	// DOCKER_FL_TAG=sha-9f8e7d6
	// DOCKER_FL_REGISTRY=ghcr.io/londonaicentre/
	// NLB_SUBDOMAIN=fl.flip.example.nhs.uk
	// FL_SERVER_PORT=8002
	// kit.Trust{APIKey:[redacted], InternalServiceKey:[redacted], TrustID:"3f2b8c1e-9a4d-4e5f-8b6a-0c1d2e3f4a5b", SlotName:"Trust_3", SlotNumber:3}
}

func ExampleWrite() {
	dir, err := os.MkdirTemp("", "trust-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)

	trust := kit.Trust{
		APIKey:             "example-trust-api-key-not-a-real-one-0000000",
		InternalServiceKey: "example-internal-key-not-a-real-one-00000000",
		TrustID:            "3f2b8c1e-9a4d-4e5f-8b6a-0c1d2e3f4a5b",
		SlotName:           "Trust_3",
		SlotNumber:         3,
	}
	hub := kit.Hub{
		AESKeyBase64:     "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
		Domain:           "flip.example.nhs.uk",
		FLBackend:        kit.BackendFlower,
		KitDate:          "2025-06-01",
		DockerTag:        "sha-1a2b3c4",
		DockerRegistry:   "ghcr.io/londonaicentre",
		DockerFLTag:      "sha-9f8e7d6",
		DockerFLRegistry: "ghcr.io/londonaicentre/",
	}
	path, err := kit.Write(dir, "gstt", kit.Staging, trust, hub)
	if err != nil {
		fmt.Println(err)
		return
	}
	fi, err := os.Stat(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(filepath.Base(path), fi.Mode().Perm())

	// A later release: new image tags, and the plaintext keys are no longer at hand. Empty keys keep
	// the ones already in the file.
	hub.DockerTag, hub.DockerFLTag = "sha-7777777", "sha-8888888"
	trust.APIKey, trust.InternalServiceKey = "", ""
	if _, err := kit.Write(dir, "gstt", kit.Staging, trust, hub); err != nil {
		fmt.Println(err)
		return
	}

	// A code that would leave the directory is refused.
	_, err = kit.Write(dir, "../gstt", kit.Staging, trust, hub)
	fmt.Println(err)
	// Output:
	// .env.gstt.stag -rw-------
	// invalid trust code: "../gstt": want 1 to 64 letters, digits, _ or - (upstream codes such as GSTT, KCH or Trust_K8s); no '.', '/', spaces or control characters
}
