// Package registrar registers, updates and removes partner trusts in the hub's PostgreSQL database:
// the trust row (by its code), its FL kit slot and the trusts_audit rows, one transaction per
// operation, on tables flip-api creates and seeds. It never creates, alters or seeds the schema, never
// sees a plaintext trust API key (only its SHA-256 hex digest), never logs or puts a key hash in an
// error, and never builds SQL text from values: every value is a bind parameter.
package registrar
