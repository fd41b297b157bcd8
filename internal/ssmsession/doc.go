// Package ssmsession owns the subprocess behind an SSM port-forwarding session: it runs the AWS CLI
// (`aws ssm start-session`, which starts the session-manager-plugin) in a process group of its own,
// with a parent-death signal where the platform has one, parses the session's output for the
// Session Manager session id and for the plugin's readiness line, keeps the last lines for error
// messages, and on Stop ends the whole group (SIGTERM, then SIGKILL after a grace period). Building
// the command line, validating targets, picking ports and ending the session on the AWS side belong
// to its callers (dbtunnel, forward).
//
// It must never put anything on the command line but what its caller passes, never log or return a
// secret (it copies the session's own output only to the caller's log writer, and quotes only that
// output in errors), never let the subprocess read hubctl's stdin, and never leave a process of the
// group running after Stop.
package ssmsession
