// Package iamdoc builds IAM and resource policy documents as typed Go values and renders
// them to JSON, so every policy in the hub is written once, parsed back in tests, and
// never assembled from strings. It never decides who gets access: callers list the
// statements.
package iamdoc
