// Package data owns the hub's stateful resources: the stack's customer-managed KMS key (flip:data:Key,
// built first because every layer encrypts with it) and the data layer (flip:data:Data) of RDS
// PostgreSQL, the FLIP_API secret, the application and log buckets and the kit-slot parameter.
// Persistent resources are deliberately retained on destroy; prod adds protect, deletion protection
// and a final snapshot. It never reads config or the stack name, and never puts a secret value in a
// non-secret input or output.
package data
