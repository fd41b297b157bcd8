package registrar

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Namespaces of the advisory-lock keys, so registrar locks cannot collide with other users of the
// database's single 64-bit advisory-lock space by accident.
const (
	codeLockNamespace = "flip-trust:"
	nameLockNamespace = "flip-trust-name:"
)

// LockKey is the pg_advisory_xact_lock key that serialises every registrar transaction on one trust
// code: the first 8 bytes, big-endian, of SHA-256("flip-trust:" + code). It is computed in Go, not
// with PostgreSQL's internal hashtext, so it is stable across server versions and other tools can
// take the same lock to keep the registrar out while they work on a trust.
func LockKey(code string) int64 { return lockKey(codeLockNamespace, code) }

// nameLockKey serialises registrations that would give a trust the same name. It is always taken
// after the code lock, and a transaction takes at most one of each, so the two cannot deadlock.
func nameLockKey(name string) int64 { return lockKey(nameLockNamespace, name) }

func lockKey(namespace, value string) int64 {
	sum := sha256.Sum256([]byte(namespace + value))
	return int64(binary.BigEndian.Uint64(sum[:8]))
}

// advisoryLock takes a transaction-scoped advisory lock, waiting for it as long as ctx allows. It is
// released by commit, rollback, or the end of the session.
func advisoryLock(ctx context.Context, tx pgx.Tx, key int64) error {
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", key); err != nil {
		return fmt.Errorf("advisory lock: %w", classify(err))
	}
	return nil
}
