// Package edge owns the hub's public entry points (flip:edge:Edge): the ACM certificates, the private
// UI bucket, the CloudFront distribution with its WAF web ACL, the internal ALB for /api behind a
// CloudFront VPC origin, the internet-facing FL NLB, and the Route53 records when the stack manages
// DNS. It never reads config or the stack name, never opens the UI bucket to anyone but its
// distribution, never serves the API over plain HTTP, and never registers targets (compute does).
package edge
