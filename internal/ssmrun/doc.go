// Package ssmrun runs a shell script on one EC2 instance through AWS Systems Manager Run Command
// (AWS-RunShellScript) and reports how it ended.
//
// It owns the whole exchange with SSM for one command: waiting until the instance's SSM agent is
// Online, sending the command, polling GetCommandInvocation to a terminal status, copying the
// script's output to the caller, retrying throttled calls with backoff, cancelling the command when
// its own deadline passes, and turning every outcome into a typed error (ErrNotOnline,
// ErrCommandFailed, ErrCancelled, ErrTimedOut, ErrThrottled). It talks to AWS only through the
// narrow API interface, which *ssm.Client satisfies.
//
// It must never print or log the script text, and callers must never put a plaintext secret in a
// script or comment: SSM stores command parameters and output and shows them to anyone with
// ssm:ListCommands or ssm:GetCommandInvocation. Scripts read secrets on the host, with the instance
// role, from Secrets Manager. Options.Secrets and CheckNoSecrets are the guard callers use to prove
// it. The package never retries anything but throttling, and never cancels a command it merely
// stopped waiting for because the caller's context ended.
package ssmrun
