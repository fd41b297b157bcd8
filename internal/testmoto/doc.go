// Package testmoto starts a throwaway moto_server on a loopback port for tests and hands out
// aws-sdk-go-v2 configuration that can only reach it.
//
// It owns the moto_server process (start, readiness, reset, stop on cleanup) and the fake-credential,
// loopback-only aws.Config that tests point real SDK clients at. It must never bind or dial anything
// but a loopback address, never read the caller's AWS profile, environment credentials or instance
// metadata, and never skip silently: a missing moto_server fails the test unless FLIP_SKIP_MOTO=1
// says the run opts out. It is imported only from _test.go files.
package testmoto
