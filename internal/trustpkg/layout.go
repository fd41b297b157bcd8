package trustpkg

import (
	"strings"

	"github.com/londonaicentre/flip-hub/internal/flip"
)

// The parts of a participant kit a trust's FL client reads.
//
// NVFLARE: the trust compose mounts ${FL_KIT_DIR}/net-1/services/${FL_KIT_SLOT}/{local,startup,transfer};
// the kit's startup/ and local/ come from the bucket, transfer/ is the client's empty drop
// directory, which S3 cannot hold and upstream's packager recreates; startup/fed_client.json is
// the file the client cannot start without. [trust/deploy/compose_trust.production.nvflare.yml;
// deploy/providers/AWS/scripts/package-onprem-trust-kit.sh mkdir -p "$target/transfer";
// trust/deploy/ansible/roles/flip_fl_kit/tasks/s3.yml fed_client.json check]
//
// Flower: the trust compose mounts ${FL_KIT_DIR}/net-1/certificates and ${FL_KIT_DIR}/net-1/keys
// and starts the SuperNode with --root-certificates /certs/ca.crt and
// --auth-supernode-private-key /keys/supernode_credentials_${FL_KIT_SLOT_NUMBER}: the N of the
// credential is the slot's number, which flip-api seeds as the slot name's trailing _<N>
// (flip.SlotNumber), so slot Trust_N owns supernode_credentials_N. The prefix also holds ca.key (in older kits), server.pem,
// server.key and every other slot's credential, so exactly these two objects are taken.
// [trust/deploy/compose_trust.production.flower.yml; flip-api/src/flip_api/db/seed/fl_kit_slots.py
// _slot_number; deploy/providers/flower/scripts/generate_creds.py
// supernode_credentials_{i} for i = 1..n; trust/deploy/ansible/roles/flip_fl_kit/tasks/s3.yml
// --include "certificates/ca.crt" --include "keys/supernode_credentials_{{ trust_num }}"]
const (
	flareServicesDir = "services"
	flareStartupDir  = "startup"
	flareLocalDir    = "local"
	flareTransferDir = "transfer"
	flareClientFile  = flareStartupDir + "/fed_client.json"

	flowerCertsDir = "certificates"
	flowerKeysDir  = "keys"
	flowerCAFile   = flowerCertsDir + "/ca.crt"
)

// flowerCredentialFile is slot n's SuperNode private key under keys/: its public key's name
// without .pub. [deploy/providers/flower/scripts/generate_creds.py]
func flowerCredentialFile(n int) string {
	return flowerKeysDir + "/" + flip.FlowerCredentialFile(n)
}

// layout is one backend's slice of the kits bucket for one slot.
type layout struct {
	// prefix is listed in the kits bucket; it ends in "/", so Trust_1 never matches Trust_10.
	prefix string
	// include reports whether a key, relative to prefix, belongs to the slot's kit.
	include func(rel string) bool
	// required are relative keys that must be present and non-empty.
	required []string
	// archiveDir is where the relative keys go in the archive, below the top directory.
	archiveDir string
	// dirs are directories below archiveDir the archive always holds, even when empty.
	dirs []string
}

func layoutFor(o Options) layout {
	if o.Backend == flip.Flower {
		own := flowerCredentialFile(o.SlotNumber)
		return layout{
			prefix:     flip.FlowerKitPrefix(o.KitDate) + "/",
			include:    func(rel string) bool { return rel == flowerCAFile || rel == own },
			required:   []string{flowerCAFile, own},
			archiveDir: FLKitDir + "/" + flip.KitNet,
			dirs:       []string{flowerCertsDir, flowerKeysDir},
		}
	}
	return layout{
		prefix: flip.FlareKitPrefix(o.KitDate, o.Slot) + "/",
		include: func(rel string) bool {
			return strings.HasPrefix(rel, flareStartupDir+"/") || strings.HasPrefix(rel, flareLocalDir+"/")
		},
		required:   []string{flareClientFile},
		archiveDir: FLKitDir + "/" + flip.KitNet + "/" + flareServicesDir + "/" + o.Slot,
		dirs:       []string{flareStartupDir, flareLocalDir, flareTransferDir},
	}
}
