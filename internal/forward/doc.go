// Package forward opens SSM port-forwarding sessions from an operator's machine to the hub: to the
// ports the hub host publishes (flip-api, the FL server) and through the hub host to RDS, or to the
// web UIs an AWS-hosted trust's host publishes (Trust, upstream's forward-trust-all.sh), each an
// `aws ssm start-session` subprocess whose local URL it hands out (Start, Run). It never puts a
// secret on a command line, never binds anything but 127.0.0.1, and never leaves a session process
// running after Close, after its context ends, or after hubctl dies.
package forward
