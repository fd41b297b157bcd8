package flip

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
)

// Flower's SuperNode key registration job on the hub.
// [deploy/compose.production.flower.yml @00e1b6b register-supernode-keys-net-1]
const (
	// RegisterKeysScript's shebang follows the licence header, so it must be run through bash.
	// [fl-services/flower/register-supernode-keys.sh @958b5b9]
	RegisterKeysScript = "/scripts/register-supernode-keys.sh"
	// EnvFLAPIAddress is where the script POSTs each {name, node_id} (/register_node).
	EnvFLAPIAddress = "FL_API_ADDRESS"
	// EnvTrustNames lists one name per /keys/*.pub, paired in the shell glob's order.
	EnvTrustNames = "TRUST_NAMES"
	// FlowerKeysDir is where the script globs the SuperNode public keys.
	FlowerKeysDir = "/keys"
)

// RegisterKeysEntrypoint is the job's entrypoint: the script through bash.
// [deploy/compose.production.flower.yml entrypoint ["/bin/bash", "/scripts/register-supernode-keys.sh"]]
func RegisterKeysEntrypoint() []string { return []string{"/bin/bash", RegisterKeysScript} }

// FlowerPublicKeyFile is slot N's SuperNode public key in the kit's keys/ folder.
// [deploy/providers/flower/scripts/generate_creds.py supernode_credentials_<N>(.pub)]
func FlowerPublicKeyFile(n int) string { return FlowerCredentialFile(n) + ".pub" }

// FlowerCredentialFile is the SuperNode private credential of slot number n under keys/: the one
// file of keys/ a trust receives. [same generate_creds.py; trust/deploy/compose_trust.production.flower.yml
// --auth-supernode-private-key /keys/supernode_credentials_${FL_KIT_SLOT_NUMBER}]
func FlowerCredentialFile(n int) string { return fmt.Sprintf("supernode_credentials_%d", n) }

// UnnumberedSlot is the slot_number flip-api gives a slot name without a trailing _<N>.
// [flip-api/src/flip_api/db/seed/fl_kit_slots.py @07d48b2]
const UnnumberedSlot = 10000

var slotNumberRE = regexp.MustCompile(`_(\d+)$`)

// SlotNumber is the slot_number flip-api seeds for a slot name: its trailing _<N>, or
// UnnumberedSlot. [flip-api/src/flip_api/db/seed/fl_kit_slots.py]
func SlotNumber(name string) int {
	m := slotNumberRE.FindStringSubmatch(name)
	if m == nil {
		return UnnumberedSlot
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		return UnnumberedSlot
	}
	return n
}

// FlowerNamesInKeyOrder orders slot names so that the i-th name belongs to the i-th key file
// register-supernode-keys.sh finds: it pairs `/keys/*.pub` in the glob's byte order (so
// supernode_credentials_10 comes before _2) with TRUST_NAMES in list order. Slot Trust_N owns
// supernode_credentials_N.
func FlowerNamesInKeyOrder(slots []string) []string {
	out := append([]string(nil), slots...)
	sort.SliceStable(out, func(i, j int) bool {
		return FlowerPublicKeyFile(SlotNumber(out[i])) < FlowerPublicKeyFile(SlotNumber(out[j]))
	})
	return out
}
