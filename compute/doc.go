// Package compute owns the hub host (flip:compute:Compute): one EC2 instance in a private
// subnet with no public address and no key pair, IMDSv2 only, an encrypted gp3 root volume on
// the stack key, the identity layer's instance profile, an alarm that recovers it when the EC2
// system status check fails, its registration in the ALB (flip-api) and NLB (FL) target groups,
// its CloudWatch log groups, the first-boot bootstrap (Docker Engine with the compose plugin,
// the CloudWatch agent, the AWS CLI), and the hub deploy: a local command that runs
// `hubctl host run` to send the rendered deploy script (package deploy) to the host over SSM.
//
// It never reads config or the stack name, never creates a resource inside an Apply, and never
// puts a secret value in any input: the user data and the deploy script name secrets by ARN and
// the host reads them with its instance role. The deploy command invokes `hubctl` from PATH by
// default (see DefaultHubctl); build it first with `go build -o "$(go env GOPATH)/bin/hubctl"
// ./cmd/hubctl` or set Args.HubctlPath.
package compute
