package registrar

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
)

// Audit actions. flip-api declares trusts_audit.action as a native enum whose labels today are
// REGISTERED, DELETED, ADMIN_ADDED and ADMIN_REMOVED. The registrar writes the precise label for a
// rotation, an update or a late slot assignment when the column accepts it (a text column, or an
// enum that has gained the label) and otherwise falls back to REGISTERED — a re-registration — so
// an audit row is always written and the insert never fails on an unknown label.
const (
	auditRegistered   = "REGISTERED"
	auditDeleted      = "DELETED"
	auditKeyRotated   = "KEY_ROTATED"
	auditUpdated      = "UPDATED"
	auditSlotAssigned = "SLOT_ASSIGNED"
)

// auditor writes trusts_audit rows within one transaction, resolving the labels the action column
// accepts the first time a non-standard label is needed.
type auditor struct {
	tx       pgx.Tx
	resolved bool
	enum     bool
	labels   []string
}

// label returns want if the action column accepts it, else REGISTERED.
func (a *auditor) label(ctx context.Context, want string) (string, error) {
	if want == auditRegistered || want == auditDeleted {
		return want, nil
	}
	if !a.resolved {
		err := a.tx.QueryRow(ctx, `
			SELECT t.typtype = 'e',
			       coalesce(array_agg(e.enumlabel::text ORDER BY e.enumsortorder)
			                FILTER (WHERE e.enumlabel IS NOT NULL), '{}')
			FROM pg_attribute a
			JOIN pg_type t ON t.oid = a.atttypid
			LEFT JOIN pg_enum e ON e.enumtypid = t.oid
			WHERE a.attrelid = 'trusts_audit'::regclass AND a.attname = 'action' AND NOT a.attisdropped
			GROUP BY t.typtype`).Scan(&a.enum, &a.labels)
		if err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return "", fmt.Errorf("audit labels: %w: trusts_audit has no action column", ErrSchemaMissing)
			}
			return "", fmt.Errorf("audit labels: %w", classify(err))
		}
		a.resolved = true
	}
	if !a.enum || slices.Contains(a.labels, want) {
		return want, nil
	}
	return auditRegistered, nil
}

// write inserts one audit row for a CLI action (modified_by_user_id NULL).
func (a *auditor) write(ctx context.Context, trustID, trustName, action string) error {
	label, err := a.label(ctx, action)
	if err != nil {
		return err
	}
	_, err = a.tx.Exec(ctx, `
		INSERT INTO trusts_audit (id, trust_id, trust_name, action, modified_by_user_id, audit_date)
		VALUES ($1, $2, $3, $4, NULL, now())`,
		newUUID(), trustID, trustName, label)
	if err != nil {
		return fmt.Errorf("audit %s: %w", label, classify(err))
	}
	return nil
}

// newUUID returns a random (version 4) UUID in canonical form. IDs are made here rather than with
// gen_random_uuid() because flip-api's tables have no server-side defaults.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (it aborts the program instead)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
