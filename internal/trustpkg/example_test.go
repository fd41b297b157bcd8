package trustpkg_test

import (
	"context"
	"fmt"
	"os"

	"github.com/londonaicentre/flip-hub/internal/flip"
	"github.com/londonaicentre/flip-hub/internal/trustpkg"
)

func ExampleBuild() {
	out, err := os.MkdirTemp("", "trust-package-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(out)

	// A Flower kit release: the hub's TLS material and every slot's SuperNode key pair.
	kits := flip.FlowerKitPrefix("2025-06-01")
	bucket := &fakeS3{objects: map[string]string{
		kits + "/certificates/ca.crt":                "ca certificate",
		kits + "/certificates/server.key":            "the SuperLink's private key",
		kits + "/keys/supernode_credentials_1":       "Trust_1's private key",
		kits + "/keys/supernode_credentials_3":       "Trust_3's private key",
		kits + "/keys/supernode_credentials_3.pub":   "Trust_3's public key",
		kits + "/keys/supernode_credentials_10":      "Trust_10's private key",
		kits + "/keys/supernode_credentials_10.pub":  "Trust_10's public key",
		kits + "/certificates/server.pem":            "server certificate",
		kits + "/keys/supernode_credentials_1.pub":   "Trust_1's public key",
		kits + "/keys/supernode_credentials_100.pub": "nobody's",
	}}
	envKit := []byte("FL_BACKEND=flower\nFLOWER_KIT_DATE=2025-06-01\nFL_KIT_SLOT=Trust_3\nFL_KIT_SLOT_NUMBER=3\n")

	res, err := trustpkg.Build(context.Background(), bucket, trustpkg.Options{
		Code: "GSTT", Backend: flip.Flower, Bucket: "flip-prod-fl-kits", KitDate: "2025-06-01",
		Slot: "Trust_3", SlotNumber: 3,
		EnvKit: envKit, EnvKitName: flip.KitFileName("GSTT", flip.KitEnvProduction),
		OutDir: out,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.FileCount, "files")
	for _, e := range res.Entries {
		fmt.Println(e)
	}
	// Output:
	// 4 files
	// flip-trust-GSTT/
	// flip-trust-GSTT/.env.GSTT.production
	// flip-trust-GSTT/MANIFEST.sha256
	// flip-trust-GSTT/fl-kit/
	// flip-trust-GSTT/fl-kit/net-1/
	// flip-trust-GSTT/fl-kit/net-1/certificates/
	// flip-trust-GSTT/fl-kit/net-1/certificates/ca.crt
	// flip-trust-GSTT/fl-kit/net-1/keys/
	// flip-trust-GSTT/fl-kit/net-1/keys/supernode_credentials_3
}
