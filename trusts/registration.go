package trusts

import (
	"bufio"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/londonaicentre/flip-hub/internal/protocol"
)

// Environment variables through which the register command hands `hubctl trust` its inputs; hubctl
// reads the same names as the defaults of its flags. Passing everything through the environment keeps
// the command line constant and free of quoting problems (trust names hold apostrophes), and it is the
// only way the hash travels: a process's argv is world-readable in /proc, its environment is not.
const (
	EnvAPIKeyHash  = "FLIP_TRUST_API_KEY_HASH"
	EnvTrustName   = "FLIP_TRUST_NAME"
	EnvTrustRegion = "FLIP_TRUST_REGION"
	EnvInstanceID  = "FLIP_HUB_INSTANCE_ID"
	EnvDBHost      = "FLIP_DB_HOST"
	EnvDBPort      = "FLIP_DB_PORT"
	EnvDBName      = "FLIP_DB_NAME"
	EnvDBSecretARN = "FLIP_DB_SECRET_ARN"
	EnvAWSRegion   = "FLIP_AWS_REGION"
	// EnvDSN makes hubctl connect directly instead of through the SSM tunnel (tests, break-glass).
	// The register commands set it empty, so a DSN left in the shell that runs `hubctl up` cannot
	// send a stack's trusts to another database.
	EnvDSN = "FLIP_DB_DSN"
)

// Keys of one trust's entry in Trusts.Keys, and so in the stack's `trusts` output that
// `hubctl kits` reads.
const (
	KeyAPIKey             = "apiKey"
	KeyInternalServiceKey = "internalServiceKey"
	KeyAPIKeyHash         = "apiKeyHash"
	KeyTrustID            = "trustId"
	KeySlotName           = "slotName"
	KeySlotNumber         = "slotNumber"
)

// Registration is what `hubctl trust register` prints on stdout as one JSON line, and what the
// component parses from the command's stdout: nothing secret.
type Registration struct {
	TrustID    string `json:"trustId"`
	SlotName   string `json:"slotName"`
	SlotNumber int    `json:"slotNumber"`
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// ParseRegistration reads the registration from a register command's stdout: its last non-empty
// line, which must be the JSON object hubctl prints. Empty output (a command that has not run, or
// an offline plan) is the zero Registration; anything else that is not a well-formed registration
// is an error, so a changed hubctl cannot silently leave kits without a trust id.
func ParseRegistration(stdout string) (Registration, error) {
	var last string
	sc := bufio.NewScanner(strings.NewReader(stdout))
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			last = line
		}
	}
	if err := sc.Err(); err != nil {
		return Registration{}, fmt.Errorf("registration output: %w", err)
	}
	if last == "" {
		return Registration{}, nil
	}
	var r Registration
	dec := json.NewDecoder(strings.NewReader(last))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return Registration{}, fmt.Errorf("registration output %q is not the JSON line hubctl prints: %w", clip(last), err)
	}
	switch {
	case !uuidRE.MatchString(r.TrustID):
		return Registration{}, fmt.Errorf("registration output %q: trustId is not a lower-case UUID", clip(last))
	case r.SlotName == "":
		return Registration{}, fmt.Errorf("registration output %q: no slotName", clip(last))
	case r.SlotNumber < 0:
		return Registration{}, fmt.Errorf("registration output %q: slotNumber %d is negative", clip(last), r.SlotNumber)
	}
	return r, nil
}

// clip bounds a line quoted in an error.
func clip(s string) string {
	const limit = 200
	if len(s) > limit {
		return s[:limit] + "…"
	}
	return s
}

// RegisterCommand is the command line that registers (and, run again, updates) trust code. It holds
// no value but the code: everything else comes from the environment (see the Env constants).
func RegisterCommand(hubctl, code string) string {
	return hubctl + " trust register --code " + code + " " + protocol.Arg()
}

// DeregisterCommand is the command line that removes trust code from the hub database; force also
// deletes the rows of other tables that still reference the trust.
func DeregisterCommand(hubctl, code string, force bool) string {
	cmd := hubctl + " trust deregister --code " + code
	if force {
		cmd += " --force"
	}
	return cmd + " " + protocol.Arg()
}
