// Package testmoto owns a throwaway moto_server on a loopback port for tests (start, readiness,
// reset, stop on cleanup) and the fake-credential aws.Config that points real SDK clients at it alone.
// It never binds or dials anything but loopback, never reads the caller's AWS profile, environment
// credentials or instance metadata, and never skips silently: a missing moto_server fails the test
// unless FLIP_SKIP_MOTO=1. It is imported only from _test.go files.
package testmoto
