// Package ec2host owns the hardening every flip-hub EC2 host shares, the hub host (compute) and
// an AWS-hosted trust's host (trusthost): IMDSv2 only, and an encrypted gp3 root volume under the
// stack key. Each layer keeps its own reasons for the values it passes (the hop limit, the size).
package ec2host
