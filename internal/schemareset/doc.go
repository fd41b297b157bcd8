// Package schemareset carries out the hub database's documented schema recreation, which a
// schema-changing FLIP release needs because flip-api has no migrations: drop and recreate the public
// schema, restart flip-api, wait for its tables, re-register every trust. It owns the guards around
// that step (a verified manual RDS snapshot on prod, the stack name typed back, a dry run). It never
// drops anything before every guard has passed or anything but the public schema, never sees a
// trust's plaintext API key, and never prints a secret.
package schemareset
