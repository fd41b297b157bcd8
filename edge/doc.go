// Package edge owns the hub's public entry points (flip:edge:Edge): the ACM certificates
// for the hub domain (the stack region for the ALB, us-east-1 for CloudFront), the private
// UI bucket read only by this distribution through origin access control, the CloudFront
// distribution with its viewer-request rewrite, cache, origin-request and response-header
// policies, the WAF web ACL and its logs, the internal ALB for /api reached through a
// CloudFront VPC origin, the internet-facing FL NLB that passes TCP (end-to-end mutual TLS)
// through untouched, and the Route53 records when the stack manages DNS. It never reads
// config or the stack name, never opens the UI bucket to anyone but its distribution, never
// serves the API over plain HTTP, and never registers targets (the compute layer does).
package edge
