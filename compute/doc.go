// Package compute owns the hub host (flip:compute:Compute): a private EC2 instance with no public
// address and no key pair, its recovery alarm, log groups, first-boot bootstrap and load balancer
// registrations, and the hub deploy, which runs `hubctl host run` to send package deploy's script
// over SSM. It never reads config or the stack name, never creates a resource inside an Apply, and
// never puts a secret value in any input: user data and the deploy script name secrets by ARN.
package compute
