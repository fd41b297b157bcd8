// Package network owns the hub's VPC (flip:network:Network): subnets carved from the VPC
// CIDR over the configured zones, the internet and NAT gateways, route tables, flow logs,
// the VPC endpoints the private hub host needs, and every security group of the hub with
// its described, least-privilege rules. It never opens port 22 or 3389, never routes a
// private subnet to the internet gateway, and never reads config or the stack name.
package network
