// Package testpg starts a real, throwaway PostgreSQL server for tests: it finds initdb and pg_ctl,
// initialises a cluster in a private temporary directory, starts it on a free port of 127.0.0.1 with
// its unix socket inside that directory, hands out a fresh database (and its DSN) per test, and stops
// the server with pg_ctl stop -m immediate before removing the directory. When the test runs as root,
// every PostgreSQL binary runs as the postgres user through runuser.
//
// It must never listen on anything but 127.0.0.1, never touch a cluster it did not create, and never
// skip silently: missing PostgreSQL binaries fail the test with a message saying what to install,
// unless FLIP_SKIP_PG=1 says the run opts out, in which case the test is skipped with that reason.
// It is imported only from _test.go files.
package testpg
