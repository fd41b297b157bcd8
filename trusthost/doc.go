// Package trusthost owns one AWS-hosted trust (flip:trusthost:TrustHost): upstream FLIP's trust_ec2
// host in a private subnet of the hub's VPC with no public address, no key pair and no ingress, its
// security group, its instance role (SSM, the CloudWatch agent, its own kit secret and its own
// slot's FL material, nothing else of the hub), the kit secret, and the trust deploy, which runs
// `hubctl host run` to send package trustdeploy's script over SSM. It never reads config or the
// stack name, never creates a resource inside an Apply, and never puts a secret in a command.
package trusthost
