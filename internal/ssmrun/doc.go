// Package ssmrun runs a shell script on one EC2 instance through SSM Run Command (AWS-RunShellScript)
// and reports how it ended, owning the whole exchange with SSM for one command (Runner.Run). It never
// prints or logs the script, and callers never put a plaintext secret in a script or comment, since
// SSM keeps command text and output: scripts read secrets on the host, and CheckNoSecrets guards it.
// It retries only throttling, and never cancels a command it stopped waiting for because the caller's
// context ended.
package ssmrun
