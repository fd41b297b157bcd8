// Package adopt reads the Terraform state of a hub deployed by upstream FLIP's Terraform and says
// how flip-hub takes it over: which resources a stack imports (and the IDs), which stay outside,
// which flip-hub cannot adopt yet, the config values that must match what exists, and the
// `terraform state rm` lines that end Terraform's ownership. It works from the state file alone
// and never calls AWS. It must never print, log or write a secret value: the FLIP_API keys it
// finds leave the package only through Findings.Secrets, which redacts itself when formatted.
package adopt
