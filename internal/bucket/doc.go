// Package bucket owns the hub's one shape of S3 bucket (flip:storage:Bucket): public access blocked,
// versioned, encrypted at rest, reachable only over TLS 1.2 or later, with lifecycle clean-up and
// server access logs to the log bucket. Any departure from that shape is an explicit Args field that
// carries its reason. It never reads config and never grants access on its own: callers add
// statements through Args.Grants, merged into the bucket's single policy.
package bucket
