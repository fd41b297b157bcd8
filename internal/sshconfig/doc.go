// Package sshconfig writes the ssh client blocks that reach a hub host, and each AWS-hosted
// trust's host, through AWS Systems Manager: `ssh flip-stag` (or `ssh flip-trust-<code>`) pushes
// the operator's public key with EC2 Instance Connect and tunnels through an SSM session
// (AWS-StartSSHSession), so no security group ever opens port 22. It replaces only the blocks it
// wrote before, between its own markers, and never touches the rest of the operator's ssh config.
package sshconfig
