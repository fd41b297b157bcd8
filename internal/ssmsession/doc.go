// Package ssmsession owns the `aws ssm start-session` subprocess behind an SSM port-forwarding
// session: it starts it in a process group of its own, reads the session id and readiness from its
// output, and stops the whole group; command lines, targets and ports belong to dbtunnel and forward.
// It never puts anything on the command line but what its caller passes, never logs or returns a
// secret, never lets the subprocess read hubctl's stdin, and never leaves a process running after Stop.
package ssmsession
