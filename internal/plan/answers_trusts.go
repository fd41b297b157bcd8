package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// commandType is pulumi-command's local command.
const commandType = "command:local:Command"

// Offline answer for the trusts layer's register commands: the JSON line `hubctl trust register`
// prints, with a trust id derived from the command's logical name and a slot the plan cannot know.
// Other local commands (the hub deploy) keep whatever answer another file gave them: the answer
// registered before this init (files initialise in name order) is chained, not replaced.
func init() {
	previous := resourceAnswers[commandType]
	resourceAnswers[commandType] = func(r *Recorder, name, id string, state resource.PropertyMap) {
		if previous != nil {
			previous(r, name, id, state)
		}
		if !strings.Contains(stringInput(state, "create", ""), " trust register ") {
			return
		}
		line, err := json.Marshal(map[string]any{
			"trustId":    FakeTrustID(name),
			"slotName":   PlannedSlot,
			"slotNumber": 0,
		})
		if err != nil {
			return // a map of strings and an int always marshals
		}
		state["stdout"] = resource.NewProperty(string(line) + "\n")
		state["stderr"] = resource.NewProperty("")
	}
}

// PlannedSlot is the FL kit slot a register command reports in a plan: the real slot is claimed by
// the registrar at deploy time.
const PlannedSlot = "planned"

// FakeTrustID is the trust id the plan's register command for a logical name reports: a
// deterministic lower-case UUID (version 4 layout), distinct per name.
func FakeTrustID(name string) string {
	sum := sha256.Sum256([]byte("flip-hub-plan-trust:" + name))
	h := hex.EncodeToString(sum[:16])
	return fmt.Sprintf("%s-%s-4%s-8%s-%s", h[0:8], h[8:12], h[13:16], h[17:20], h[20:32])
}
