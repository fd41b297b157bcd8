// Package config owns the typed configuration of a flip-hub stack: it reads every
// flip-hub:* key (and aws:region, aws:allowedAccountIds) with the Pulumi config.Try*
// functions, applies the environment defaults of the stag/prod table, and validates
// everything before the program registers a single resource. Every error names the
// offending key and says what a valid value looks like. It never creates resources,
// never logs a value, and never returns a secret except as a Pulumi secret output.
package config
