// Package dbtunnel connects to the hub's RDS PostgreSQL from a machine that cannot reach it: an SSM
// port-forwarding session through the hub host (Open), the master credentials from the RDS-managed
// secret (ReadCredentials), and a pgx connection over TLS through the session (Connect, Settings).
// It never puts a secret on a command line, in an error or in a log line, never lets the session
// inherit the variables it is told to drop, never falls back to an unencrypted connection, and never
// leaves a session process running after Close or after its context ends.
package dbtunnel
