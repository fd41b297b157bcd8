package registrar

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// DB is what the registrar needs from a database handle: transactions. *pgx.Conn and *pgxpool.Pool
// both satisfy it. Every operation runs inside one transaction begun here.
type DB interface {
	BeginTx(ctx context.Context, opts pgx.TxOptions) (pgx.Tx, error)
}

// Registrar registers partner trusts in the hub database. It is safe for concurrent use when its DB
// is (a *pgxpool.Pool is; a single *pgx.Conn is not).
//
// Each operation runs in one READ COMMITTED transaction, serialised per trust code by a
// transaction-scoped advisory lock (LockKey).
type Registrar struct {
	db    DB
	hooks hooks
}

// hooks are test seams called inside the transaction; production code leaves them nil.
type hooks struct {
	afterLock  func(ctx context.Context, tx pgx.Tx) error // after the per-trust advisory lock is held
	afterWrite func(ctx context.Context, tx pgx.Tx) error // after the trust row is written, before commit
}

// New returns a Registrar working through db.
func New(db DB) *Registrar {
	return &Registrar{db: db}
}

// Action summarises what Register changed.
type Action string

// Actions reported by Register, from most to least significant.
const (
	// Created: the trust did not exist; it was inserted and given a slot.
	Created Action = "created"
	// Updated: the trust's name or region changed, or it was given a slot it lacked (its key may
	// also have been rotated: see Result.KeyRotated).
	Updated Action = "updated"
	// Rotated: only the API key hash changed.
	Rotated Action = "rotated"
	// Unchanged: the trust was already registered exactly so; nothing was written.
	Unchanged Action = "unchanged"
)

// Result is the outcome of Register.
type Result struct {
	TrustID    string // canonical lower-case UUID of the trust row
	SlotName   string // FL kit slot the trust holds, e.g. "Trust_3"
	SlotNumber int
	Action     Action
	KeyRotated bool // the stored API key hash was replaced
	// SlotClaimed reports that this call assigned the slot (always true for Created).
	SlotClaimed bool
}

// Registered is one trust as List reports it. Key hashes are never returned.
type Registered struct {
	TrustID       string
	Code          string // empty for trusts created before flip-api stored codes
	Name          string
	Region        string
	SlotName      string // empty when the trust holds no slot
	SlotNumber    int
	CreatedAt     time.Time
	LastHeartbeat *time.Time // nil until the trust's first heartbeat
}

// HasSlot reports whether the trust holds an FL kit slot.
func (r Registered) HasSlot() bool { return r.SlotName != "" }

// Deregistration is the outcome of Deregister.
type Deregistration struct {
	// Found is false when no trust had the code; nothing was changed.
	Found      bool
	TrustID    string
	FreedSlots []string // slot names returned to the pool, in slot-number order
	// Deleted lists, for a forced deregistration, the referencing rows removed per table.
	Deleted []Reference
}

// inTx runs fn in a READ COMMITTED transaction and commits it, or rolls it back when fn or the commit
// fails. READ COMMITTED is explicit, not inherited from the server or pool defaults: each statement
// after the advisory lock must see what the previous holder of the lock committed.
func (r *Registrar) inTx(ctx context.Context, mode pgx.TxAccessMode, fn func(pgx.Tx) error) (err error) {
	tx, err := r.db.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted, AccessMode: mode})
	if err != nil {
		return fmt.Errorf("begin: %w", classify(err))
	}
	defer func() {
		if err == nil {
			return
		}
		// The caller's context may be the reason for the failure; roll back regardless of it.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_ = tx.Rollback(rctx) // the connection may be gone, which ends the transaction anyway
	}()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", classify(err))
	}
	return nil
}

// call runs an optional hook.
func call(ctx context.Context, h func(context.Context, pgx.Tx) error, tx pgx.Tx) error {
	if h == nil {
		return nil
	}
	if err := h(ctx, tx); err != nil {
		return fmt.Errorf("hook: %w", err)
	}
	return nil
}
