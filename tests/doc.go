// Package tests holds the whole-stack suites of flip-hub and the shared harness they and
// the layer tests use: it plans a stack from the real Pulumi.<stack>.yaml under recording
// mocks (package plan), caches the graph per config, and offers graph assertions. It
// needs no cloud account, no pulumi CLI and no provider plugin.
package tests
