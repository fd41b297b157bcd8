package ssmrun

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
)

// Preamble is the first lines of every script built by Script. The SSM agent runs the script file
// through sh, which honours the shebang, so the rest runs under bash with errexit, nounset and
// pipefail.
var Preamble = []string{"#!/bin/bash", "set -euo pipefail"}

// Script returns the commands for AWS-RunShellScript: Preamble followed by lines. It never changes
// or joins lines, so a line may itself hold a multi-line heredoc.
func Script(lines ...string) []string {
	out := make([]string, 0, len(Preamble)+len(lines))
	out = append(out, Preamble...)
	return append(out, lines...)
}

// CheckNoSecrets returns an error matching ErrSecretInScript when script contains any non-empty
// secret, either verbatim or in a common encoding (standard or URL base64, with or without padding,
// or hex). The error names the secret's position in the list, never its value. Empty secrets are
// ignored. It cannot find a secret that is split, escaped, or encoded together with other bytes; it
// is a guard against mistakes, not a proof.
//
// Runner.Run applies it to every command with Options.Secrets. The guard matters because SSM stores
// command parameters and output and shows them to anyone with ssm:ListCommands or
// ssm:GetCommandInvocation: scripts read secrets on the host, with the instance role, from Secrets
// Manager.
func CheckNoSecrets(script string, secrets ...string) error {
	for i, s := range secrets {
		if s == "" {
			continue
		}
		for _, f := range secretForms(s) {
			if strings.Contains(script, f.text) {
				return fmt.Errorf("%w: secret %d of %d appears %s; read it on the host from Secrets Manager instead",
					ErrSecretInScript, i+1, len(secrets), f.how)
			}
		}
	}
	return nil
}

type secretForm struct{ how, text string }

func secretForms(s string) []secretForm {
	b := []byte(s)
	return []secretForm{
		// Unpadded base64 is a prefix of the padded form, so it finds both.
		{"verbatim", s},
		{"base64-encoded", base64.RawStdEncoding.EncodeToString(b)},
		{"base64url-encoded", base64.RawURLEncoding.EncodeToString(b)},
		{"hex-encoded", hex.EncodeToString(b)},
		{"hex-encoded", strings.ToUpper(hex.EncodeToString(b))},
	}
}
