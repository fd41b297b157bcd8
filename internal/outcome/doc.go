// Package outcome owns hubctl's exit codes: the outcome of an operation as a typed error that
// release scripts can branch on (usage, refused by a guard, changes pending, concurrent update).
// Packages return these errors; cmd/hubctl maps them to the process exit code and never reads an
// error's text to choose one.
package outcome
