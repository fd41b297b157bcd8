package deploy

import (
	"fmt"
	"regexp"
	"strings"
)

// resultPrefix starts the line `hubctl host run` prints last on success; the compute layer
// reads the SSM command ID back from it.
const resultPrefix = "hubctl: ssm command "

var resultRE = regexp.MustCompile(`(?m)^hubctl: ssm command ([A-Za-z0-9-]+) on (\S+): (\S+)$`)

// ResultLine is the last line `hubctl host run` prints: which SSM command ran where and how it
// ended.
func ResultLine(commandID, instanceID, status string) string {
	return fmt.Sprintf("%s%s on %s: %s", resultPrefix, commandID, instanceID, status)
}

// CommandIDFromOutput returns the SSM command ID in the last result line of hubctl's output, or
// "" when there is none.
func CommandIDFromOutput(out string) string {
	m := resultRE.FindAllStringSubmatch(strings.ReplaceAll(out, "\r\n", "\n"), -1)
	if len(m) == 0 {
		return ""
	}
	return m[len(m)-1][1]
}
