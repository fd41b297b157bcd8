// Package release drives the flip-hub program through the Pulumi Automation API for release scripts
// and operators: preview, up, refresh, destroy and outputs of a stack, with hub.Program inline,
// progress as Pulumi prints it or as JSON events, and exit codes a script can branch on. Its guards
// refuse every destroy of prod and an up on prod that would delete or replace a stateful resource
// not named; it never prints a secret output unless asked to.
package release
