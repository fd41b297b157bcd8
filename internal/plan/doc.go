// Package plan runs hub.Program offline under recording Pulumi mocks, with a stack's config from
// Pulumi.yaml and Pulumi.<stack>.yaml (secure values replaced by fakes of the right shape), and
// returns the resource Graph that the tests, `hubctl plan` and the compliance rules read. It never
// needs a cloud account or the pulumi CLI, and never prints a secret value.
package plan
