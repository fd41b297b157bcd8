// Package registrar registers, updates and removes partner trusts in the hub's PostgreSQL database:
// the trust row (identified by its code), the FL kit slot it holds in fl_kit_slot, and the
// trusts_audit rows that record each change, each operation in one READ COMMITTED transaction
// serialised per trust code by a transaction-scoped advisory lock. It works on tables that flip-api
// creates and seeds, through the narrow DB interface that *pgx.Conn and *pgxpool.Pool satisfy.
//
// It must never create, alter or seed the schema, never see a plaintext trust API key (only its
// SHA-256 hex digest), never log or put a key hash in an error message, and never build SQL text from
// values: every value is a bind parameter, and the only identifiers it quotes into SQL are the names
// of referencing tables read from pg_catalog.
package registrar
