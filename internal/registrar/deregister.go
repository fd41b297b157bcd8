package registrar

import (
	"context"
	"fmt"
	"sort"

	"github.com/jackc/pgx/v5"
)

// Deregister removes the trust with code, in one transaction holding LockKey(code): it frees the
// trust's FL kit slots, deletes the trust row and writes a DELETED audit row (audit rows carry no
// foreign key and outlive the trust). An unknown code is a successful no-op (Found is false, nothing
// is written), so Deregister can be retried.
//
// Other tables that reference trust.id are discovered from pg_catalog (every single-column foreign
// key to trust.id except fl_kit_slot's), so tables flip-api adds later are covered without a code
// change. If any of them has rows pointing at the trust:
//
//   - without force, nothing is changed and the error is a *ReferencedError naming each table,
//     column and row count (errors.Is(err, ErrReferenced));
//   - with force, those rows are deleted in the same transaction before the trust, and reported in
//     Deregistration.Deleted. Rows are deleted rather than their column set to NULL, as flip-api's own
//     delete does: a metric, task or project link for a trust that no longer exists serves no purpose,
//     and NOT NULL columns (trust_task.trust_id, fl_metrics.trust) could not be nulled anyway. If a
//     deleted row is itself referenced from elsewhere the foreign-key error aborts and rolls back
//     the whole deregistration.
//
// These table names, read from pg_catalog, are the only identifiers the registrar quotes into SQL
// text; every value is a bind parameter.
func (r *Registrar) Deregister(ctx context.Context, code string, force bool) (Deregistration, error) {
	if err := validateCode(code); err != nil {
		return Deregistration{}, fmt.Errorf("deregister trust: %w", err)
	}
	var res Deregistration
	err := r.inTx(ctx, pgx.ReadWrite, func(tx pgx.Tx) error {
		var err error
		res, err = r.deregister(ctx, tx, code, force)
		return err
	})
	if err != nil {
		return Deregistration{}, fmt.Errorf("deregister trust %q: %w", code, err)
	}
	return res, nil
}

func (r *Registrar) deregister(ctx context.Context, tx pgx.Tx, code string, force bool) (Deregistration, error) {
	if err := advisoryLock(ctx, tx, LockKey(code)); err != nil {
		return Deregistration{}, err
	}
	if err := call(ctx, r.hooks.afterLock, tx); err != nil {
		return Deregistration{}, err
	}
	cur, found, err := findByCode(ctx, tx, code)
	if err != nil || !found {
		return Deregistration{}, err
	}
	res := Deregistration{Found: true, TrustID: cur.id}

	refs, err := references(ctx, tx, cur.id)
	if err != nil {
		return Deregistration{}, err
	}
	if len(refs) > 0 && !force {
		return Deregistration{}, &ReferencedError{Code: code, Refs: refs}
	}
	for _, ref := range refs {
		sql := "DELETE FROM " + pgx.Identifier{ref.Schema, ref.Table}.Sanitize() +
			" WHERE " + pgx.Identifier{ref.Column}.Sanitize() + " = $1"
		tag, err := tx.Exec(ctx, sql, cur.id)
		if err != nil {
			return Deregistration{}, fmt.Errorf("delete rows of %s referencing the trust: %w", ref.Table, classify(err))
		}
		ref.Rows = tag.RowsAffected()
		res.Deleted = append(res.Deleted, ref)
	}

	rows, err := tx.Query(ctx, `
		UPDATE fl_kit_slot SET assigned_to_trust_id = NULL, assigned_at = NULL
		WHERE assigned_to_trust_id = $1
		RETURNING slot_name, slot_number`, cur.id)
	if err != nil {
		return Deregistration{}, fmt.Errorf("free slot: %w", classify(err))
	}
	type freed struct {
		name   string
		number int32
	}
	var slots []freed
	for rows.Next() {
		var f freed
		if err := rows.Scan(&f.name, &f.number); err != nil {
			rows.Close()
			return Deregistration{}, fmt.Errorf("free slot: %w", classify(err))
		}
		slots = append(slots, f)
	}
	if err := rows.Err(); err != nil {
		return Deregistration{}, fmt.Errorf("free slot: %w", classify(err))
	}
	sort.Slice(slots, func(i, j int) bool {
		if slots[i].number != slots[j].number {
			return slots[i].number < slots[j].number
		}
		return slots[i].name < slots[j].name
	})
	for _, s := range slots {
		res.FreedSlots = append(res.FreedSlots, s.name)
	}

	if _, err := tx.Exec(ctx, `DELETE FROM trust WHERE id = $1`, cur.id); err != nil {
		return Deregistration{}, fmt.Errorf("delete trust: %w", classify(err))
	}
	if err := call(ctx, r.hooks.afterWrite, tx); err != nil {
		return Deregistration{}, err
	}
	if err := (&auditor{tx: tx}).write(ctx, cur.id, cur.name, auditDeleted); err != nil {
		return Deregistration{}, err
	}
	return res, nil
}

// references lists, with row counts, the tables other than fl_kit_slot whose single-column foreign
// key to trust.id has rows pointing at trustID. Table and column names come from pg_catalog and are
// only ever quoted into SQL as identifiers; the trust id is a bind parameter.
func references(ctx context.Context, tx pgx.Tx, trustID string) ([]Reference, error) {
	rows, err := tx.Query(ctx, `
		SELECT n.nspname::text, c.relname::text, a.attname::text
		FROM pg_constraint k
		JOIN pg_class c ON c.oid = k.conrelid
		JOIN pg_namespace n ON n.oid = c.relnamespace
		JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
		JOIN pg_attribute fa ON fa.attrelid = k.confrelid AND fa.attnum = k.confkey[1]
		WHERE k.contype = 'f'
		  AND k.confrelid = 'trust'::regclass
		  AND k.conrelid <> 'fl_kit_slot'::regclass
		  AND cardinality(k.conkey) = 1
		  AND fa.attname = 'id'
		ORDER BY 1, 2, 3`)
	if err != nil {
		return nil, fmt.Errorf("find referencing tables: %w", classify(err))
	}
	candidates, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Reference, error) {
		var ref Reference
		err := row.Scan(&ref.Schema, &ref.Table, &ref.Column)
		return ref, err
	})
	if err != nil {
		return nil, fmt.Errorf("find referencing tables: %w", classify(err))
	}
	var refs []Reference
	for _, ref := range candidates {
		sql := "SELECT count(*) FROM " + pgx.Identifier{ref.Schema, ref.Table}.Sanitize() +
			" WHERE " + pgx.Identifier{ref.Column}.Sanitize() + " = $1"
		if err := tx.QueryRow(ctx, sql, trustID).Scan(&ref.Rows); err != nil {
			return nil, fmt.Errorf("count rows of %s referencing the trust: %w", ref.Table, classify(err))
		}
		if ref.Rows > 0 {
			refs = append(refs, ref)
		}
	}
	return refs, nil
}
