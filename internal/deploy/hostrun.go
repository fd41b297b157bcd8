package deploy

import (
	"strings"
	"time"

	"github.com/londonaicentre/flip-hub/internal/protocol"
)

// HostRunCommand is the command line a deploy runs locally: `hubctl host run` sends the script it
// reads on stdin to the instance over SSM. label names the deploy in the SSM command's comment,
// followed by the first 12 characters of the content hash. Every argument is a plain
// identifier, so the text shows exactly what runs and holds nothing secret.
func HostRunCommand(hubctl, instanceID, region, logGroup, label, hash string, timeout, pingTimeout time.Duration) string {
	short := hash
	if len(short) > 12 {
		short = short[:12]
	}
	return strings.Join([]string{
		ShellQuote(hubctl), "host", "run",
		"--instance", ShellQuote(instanceID),
		"--region", ShellQuote(region),
		"--timeout", timeout.String(),
		"--ping-timeout", pingTimeout.String(),
		"--log-group", ShellQuote(logGroup),
		"--comment", ShellQuote(label + " " + short),
		"--script", "-",
		protocol.Arg(),
	}, " ")
}
