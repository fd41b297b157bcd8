// Package release drives the flip-hub program through the Pulumi Automation API for
// release scripts and operators: preview, up, refresh, destroy and outputs of a stack,
// with hub.Program as an inline program over the project directory (so the stack's own
// Pulumi.<stack>.yaml is its config), progress streamed as Pulumi prints it or as one
// JSON event per line, and exit codes a script can branch on. Its guards refuse an up on
// prod that would delete or replace a stateful resource unless that resource is named,
// and refuse every destroy of prod. It never prints a secret output unless asked to.
package release
