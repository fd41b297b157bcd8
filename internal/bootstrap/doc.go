// Package bootstrap owns what a new AWS account needs before the first `pulumi login`: the
// account-and-region Pulumi state bucket (versioned, encrypted, private, TLS-only, ACLs off) and
// one stack's KMS key for the secrets provider (symmetric, rotated, found by its alias). Every run
// converges: it creates what is missing, repairs drifted settings and reuses what exists. It never
// deletes anything, and never writes to a bucket or key it cannot prove this account owns.
package bootstrap
