// Package plan runs hub.Program offline, under recording Pulumi mocks, with a stack's
// config loaded from Pulumi.yaml and Pulumi.<stack>.yaml (secure values replaced by
// fakes of the right shape). It returns the resource graph: for every resource its type,
// name, parent, provider, inputs (secrets masked), dependencies and the protect,
// retainOnDelete, deletedWith and import options. The tests, `hubctl plan` and the
// compliance rules all read this graph. It never needs a cloud account or the pulumi CLI,
// and never prints a secret value.
package plan
