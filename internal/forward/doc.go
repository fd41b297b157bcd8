// Package forward opens SSM port-forwarding sessions from an operator's machine to the hub: to the
// ports the hub host publishes (flip-api, the FL server) with AWS-StartPortForwardingSession, and
// through the hub host to RDS with AWS-StartPortForwardingSessionToRemoteHost. Each session is an
// `aws ssm start-session` subprocess (the AWS CLI and its session-manager-plugin are the maintained
// implementation of the Session Manager stream protocol) in a process group of its own; the package
// waits until the plugin reports its local port open, hands out the local URL, and on Close or when
// the context ends (Ctrl+C) stops the whole group.
//
// It must never put a secret on a command line (the sessions carry only instance, host and port
// numbers), never bind anything but 127.0.0.1 (the plugin's default), and never leave a session
// process running after Close, after its context ends, or after hubctl dies.
package forward
