// Package testpg starts a real, throwaway PostgreSQL server for tests in a private temporary
// directory and hands out a fresh database and DSN per test. It never listens on anything but
// 127.0.0.1, never touches a cluster it did not create, and never skips silently: missing PostgreSQL
// binaries fail the test with what to install, unless FLIP_SKIP_PG=1 skips it with that reason. It is
// imported only from _test.go files.
package testpg
