package compliance

// Exceptions are the resources allowed to fail a rule, each with its reason. An entry
// that no longer matches a failing resource is reported as unused, so the table cannot
// quietly outlive what it excuses.
var Exceptions = []Exception{
	{
		Rule: "s3-encrypted-kms", Type: TypeBucket, Name: "logs",
		Reason: "log delivery forces SSE-S3: S3 server access logging and ELB access logs deliver only to " +
			"targets encrypted with SSE-S3 (AES256), not SSE-KMS; the bucket is still encrypted, private and TLS-only",
	},
	{
		Rule: "s3-acls-disabled", Type: TypeBucket, Name: "logs",
		Reason: "CloudFront standard logging writes through ACLs (it adds the awslogsdelivery FULL_CONTROL grant), " +
			"so the log bucket keeps ACLs enabled as BucketOwnerPreferred; its public access block still refuses public ACLs",
	},
	{
		Rule: "s3-access-logging", Type: TypeBucket, Name: "logs",
		Reason: "the log bucket is the access-log target itself; logging it into itself would log every delivery, without end",
	},
	{
		Rule: "ssm-parameter-encrypted", Type: TypeSSMParameter, Name: "fl-kit-slot-names",
		Reason: "/flip/fl_kit_slot_names holds the public list of FL kit slot names (Trust_1, …), no secret; " +
			"flip-api seeds its slot pool from it as a String parameter",
	},
	{
		Rule: "sg-no-egress-to-internet", Type: TypeSGEgress, Name: "host-out-https",
		Reason: "the hub host pulls images from ghcr.io and reaches AWS APIs without a VPC endpoint over HTTPS, " +
			"through the NAT gateways; port 443 only, and nothing on the internet can reach the host",
	},
	{
		Rule: "sg-no-egress-to-internet", Type: TypeSGEgress, Name: "host-out-http",
		Reason: "Ubuntu's archive mirrors serve security updates over HTTP only; apt checks Ubuntu's signatures, " +
			"and the host firewall (deploy.FirewallScript) lets only apt's _apt user and the metadata service use port 80",
	},
	{
		Rule: "sg-no-egress-to-internet", Type: TypeSGEgress, Name: "trust-*-out-https",
		Reason: "an AWS-hosted trust host pulls its images from ghcr.io and Docker Hub, reaches AWS APIs and the hub's API " +
			"(CloudFront) over HTTPS through the hub's NAT gateways; port 443 only, and nothing can reach the host",
	},
	{
		Rule: "sg-no-egress-to-internet", Type: TypeSGEgress, Name: "trust-*-out-http",
		Reason: "Ubuntu's archive mirrors serve the trust host's security updates over HTTP only; apt checks Ubuntu's signatures",
	},
	{
		Rule: "sg-no-egress-to-internet", Type: TypeSGEgress, Name: "trust-*-out-fl",
		Reason: "the trust's FL client connects to the hub's FL endpoint (NLB_SUBDOMAIN), the internet-facing NLB's public " +
			"addresses, which the stack does not allocate; the FL port only, and the NLB admits only the trusts' networks",
	},
	{
		Rule: "lb-access-logs", Type: TypeLB, Name: "fl",
		Reason: "a network load balancer writes access logs only for TLS listeners; the FL NLB passes TCP through " +
			"untouched (NVFLARE's mutual TLS ends on the hub host), so there is nothing to log; VPC flow logs record its traffic",
	},
}
