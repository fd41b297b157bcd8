// Package engine is the fourth test level: the real pulumi engine (the CLI that .ci/run builds)
// running hub.Program through hubctl, the Automation API path operators and release scripts
// use, over scratch copies of the real Pulumi.yaml and stack files, a file:// backend, and test
// provider plugins (this test binary, installed as pulumi-resource-aws, -random and -command).
// The trust register commands reach a throwaway PostgreSQL; the hub deploy reaches moto_server's
// SSM. What this level cannot prove (AWS's own API validation beyond the documented rules the
// aws test provider enforces, real replacement semantics) is listed in README.md.
package engine
