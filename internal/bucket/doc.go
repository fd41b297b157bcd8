// Package bucket owns the hub's one shape of S3 bucket (flip:storage:Bucket): every bucket
// blocks public access, versions its objects, encrypts at rest, refuses any request not
// made over TLS 1.2 or later, cleans up incomplete uploads and old versions, and writes
// server access logs to the log bucket. A departure from that shape (SSE-S3 instead of
// SSE-KMS, ACLs enabled, no access logging) is an explicit argument that must carry its
// reason. It never grants access on its own: callers add policy statements through Grants,
// merged into the bucket's single policy. It never reads config.
package bucket
