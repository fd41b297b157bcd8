// Package ssmrun runs a shell script on one EC2 instance through SSM Run Command (AWS-RunShellScript)
// and reports how it ended, owning the whole exchange with SSM for one command (Runner.Run). SSM keeps
// command text and output, so it never prints or logs the script, and callers never put a plaintext
// secret in a script or comment: scripts read secrets on the host, and CheckNoSecrets guards it. It
// retries only throttling, and never cancels a command it merely stopped waiting for.
package ssmrun
