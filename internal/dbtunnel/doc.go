// Package dbtunnel connects to the hub's RDS PostgreSQL from an operator's or a release runner's
// machine, where the database is not reachable: it starts an SSM port-forwarding session through the
// hub host (`aws ssm start-session` with AWS-StartPortForwardingSessionToRemoteHost, a subprocess,
// because the AWS CLI and its session-manager-plugin are the maintained implementation of the
// Session Manager stream protocol), waits until the local end is listening, reads the master user's
// credentials from the RDS-managed secret in Secrets Manager, and opens a pgx connection over TLS
// whose server name is the RDS endpoint. Closing the connection ends the session and kills the
// session's whole process group.
//
// It must never put a password or any other secret on a command line, in an error or in a log line,
// never let the session subprocess inherit the variables it is told to drop (such as a key hash),
// never fall back to an unencrypted connection, and never leave a session process running after
// Close or after its context ends.
package dbtunnel
