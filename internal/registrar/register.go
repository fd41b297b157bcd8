package registrar

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Register records t, idempotently by t.Code, in one transaction holding the advisory lock
// LockKey(t.Code):
//
//   - unknown code, but one trust of that name without a code (registered upstream, by its admin
//     UI, or by an older release): that row is given the code and handled as a known code below.
//     A name another code already holds is refused with ErrNameTaken.
//   - unknown code: a trust row is inserted, the lowest free FL kit slot is claimed
//     (SELECT … FOR UPDATE SKIP LOCKED, so concurrent registrations never take the same slot) and a
//     REGISTERED audit row is written. Action is Created.
//   - known code, same name, region and hash, holding a slot: nothing is written. Action is Unchanged.
//   - known code, new hash: the hash is replaced and a KEY_ROTATED audit row written. Action is Rotated.
//   - known code, new name or region: the row is updated and an UPDATED audit row written. Action is
//     Updated (and KeyRotated reports a hash change made at the same time).
//   - known code holding no slot (the pool was exhausted before, or the slot was freed by hand): a
//     slot is claimed and a SLOT_ASSIGNED audit row written. Action is at least Updated.
//
// Audit labels the action column does not accept are written as REGISTERED (see the audit
// constants). When no slot is free the error wraps ErrPoolFull and the whole transaction, including
// any insert or rotation, is rolled back.
func (r *Registrar) Register(ctx context.Context, t Trust) (Result, error) {
	if err := t.validate(); err != nil {
		return Result{}, fmt.Errorf("register trust: %w", err)
	}
	var res Result
	err := r.inTx(ctx, pgx.ReadWrite, func(tx pgx.Tx) error {
		var err error
		res, err = r.register(ctx, tx, t)
		return err
	})
	if err != nil {
		return Result{}, fmt.Errorf("register trust %q: %w", t.Code, err)
	}
	return res, nil
}

// current is the stored state of a trust.
type current struct {
	id, name, region, hash string
	slotName               *string
	slotNumber             *int32
}

func (r *Registrar) register(ctx context.Context, tx pgx.Tx, t Trust) (Result, error) {
	if err := advisoryLock(ctx, tx, LockKey(t.Code)); err != nil {
		return Result{}, err
	}
	if err := call(ctx, r.hooks.afterLock, tx); err != nil {
		return Result{}, err
	}
	cur, found, err := findByCode(ctx, tx, t.Code)
	if err != nil {
		return Result{}, err
	}
	if !found {
		// Upstream's registry is keyed by name (register_trust's skip path compares Trust.name),
		// and a trust made by its admin UI or an older release may have no code: such a row is
		// adopted, not duplicated. A name held under another code is refused by create.
		adopted, err := adoptByName(ctx, tx, t)
		if err != nil {
			return Result{}, err
		}
		if adopted {
			if cur, found, err = findByCode(ctx, tx, t.Code); err != nil {
				return Result{}, err
			}
		}
	}
	audit := &auditor{tx: tx}
	if !found {
		return r.create(ctx, tx, audit, t)
	}

	res := Result{TrustID: cur.id}
	nameChanged := cur.name != t.Name
	regionChanged := cur.region != t.Region
	res.KeyRotated = cur.hash != t.APIKeyHash
	if nameChanged {
		if err := checkNameFree(ctx, tx, t.Name, cur.id); err != nil {
			return Result{}, err
		}
	}
	if cur.slotName != nil {
		res.SlotName, res.SlotNumber = *cur.slotName, int(*cur.slotNumber)
	} else {
		if res.SlotName, res.SlotNumber, err = claimSlot(ctx, tx, t.Slot); err != nil {
			return Result{}, err
		}
		res.SlotClaimed = true
	}
	if nameChanged || regionChanged || res.KeyRotated {
		_, err := tx.Exec(ctx, `UPDATE trust SET name = $2, region = $3, api_key_hash = $4 WHERE id = $1`,
			cur.id, t.Name, nullIfEmpty(t.Region), t.APIKeyHash)
		if err != nil {
			return Result{}, fmt.Errorf("update trust: %w", classify(err))
		}
		if err := call(ctx, r.hooks.afterWrite, tx); err != nil {
			return Result{}, err
		}
	}
	if res.SlotClaimed {
		if err := assignSlot(ctx, tx, res.SlotName, cur.id); err != nil {
			return Result{}, err
		}
	}

	var actions []string
	if res.KeyRotated {
		actions = append(actions, auditKeyRotated)
	}
	if nameChanged || regionChanged {
		actions = append(actions, auditUpdated)
	}
	if res.SlotClaimed {
		actions = append(actions, auditSlotAssigned)
	}
	for _, a := range actions {
		if err := audit.write(ctx, cur.id, t.Name, a); err != nil {
			return Result{}, err
		}
	}

	switch {
	case nameChanged || regionChanged || res.SlotClaimed:
		res.Action = Updated
	case res.KeyRotated:
		res.Action = Rotated
	default:
		res.Action = Unchanged
	}
	return res, nil
}

// create inserts a new trust. The slot is claimed before anything is written, so a full pool fails
// before the insert; the rollback would undo the insert anyway.
func (r *Registrar) create(ctx context.Context, tx pgx.Tx, audit *auditor, t Trust) (Result, error) {
	if err := checkNameFree(ctx, tx, t.Name, ""); err != nil {
		return Result{}, err
	}
	slotName, slotNumber, err := claimSlot(ctx, tx, t.Slot)
	if err != nil {
		return Result{}, err
	}
	id := t.ID
	if id == "" {
		id = newUUID()
	}
	_, err = tx.Exec(ctx, `
		INSERT INTO trust (id, name, code, region, api_key_hash, created_at)
		VALUES ($1, $2, $3, $4, $5, now())`,
		id, t.Name, t.Code, nullIfEmpty(t.Region), t.APIKeyHash)
	if err != nil {
		return Result{}, fmt.Errorf("insert trust: %w", classify(err))
	}
	if err := call(ctx, r.hooks.afterWrite, tx); err != nil {
		return Result{}, err
	}
	if err := assignSlot(ctx, tx, slotName, id); err != nil {
		return Result{}, err
	}
	if err := audit.write(ctx, id, t.Name, auditRegistered); err != nil {
		return Result{}, err
	}
	return Result{
		TrustID:     id,
		SlotName:    slotName,
		SlotNumber:  slotNumber,
		Action:      Created,
		SlotClaimed: true,
	}, nil
}

// findByCode loads the trust with code, row-locked against concurrent updates and deletes by
// flip-api, together with its lowest-numbered slot. More than one row with the code is refused.
func findByCode(ctx context.Context, tx pgx.Tx, code string) (current, bool, error) {
	rows, err := tx.Query(ctx, `
		SELECT t.id::text, t.name, coalesce(t.region, ''), coalesce(t.api_key_hash, ''),
		       s.slot_name, s.slot_number
		FROM trust t
		LEFT JOIN LATERAL (
			SELECT slot_name, slot_number FROM fl_kit_slot
			WHERE assigned_to_trust_id = t.id
			ORDER BY slot_number, slot_name
			LIMIT 1
		) s ON true
		WHERE t.code = $1
		ORDER BY t.created_at, t.id
		FOR UPDATE OF t`, code)
	if err != nil {
		return current{}, false, fmt.Errorf("find trust: %w", classify(err))
	}
	var found []current
	for rows.Next() {
		var c current
		if err := rows.Scan(&c.id, &c.name, &c.region, &c.hash, &c.slotName, &c.slotNumber); err != nil {
			rows.Close()
			return current{}, false, fmt.Errorf("find trust: %w", classify(err))
		}
		found = append(found, c)
	}
	if err := rows.Err(); err != nil {
		return current{}, false, fmt.Errorf("find trust: %w", classify(err))
	}
	switch len(found) {
	case 0:
		return current{}, false, nil
	case 1:
		return found[0], true, nil
	default:
		return current{}, false, fmt.Errorf("%w: %d trust rows have code %q; remove the extra rows by hand",
			ErrDuplicateCode, len(found), code)
	}
}

// adoptByName gives code t.Code to the one trust named t.Name that has no code, under the name
// lock, and reports whether it did. Several such rows are refused: which one is the trust is a
// decision for a person.
func adoptByName(ctx context.Context, tx pgx.Tx, t Trust) (bool, error) {
	if err := advisoryLock(ctx, tx, nameLockKey(t.Name)); err != nil {
		return false, err
	}
	rows, err := tx.Query(ctx, `SELECT id::text FROM trust WHERE name = $1 AND code IS NULL FOR UPDATE`, t.Name)
	if err != nil {
		return false, fmt.Errorf("find trust by name: %w", classify(err))
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return false, fmt.Errorf("find trust by name: %w", classify(err))
	}
	switch len(ids) {
	case 0:
		return false, nil
	case 1:
		if _, err := tx.Exec(ctx, `UPDATE trust SET code = $2 WHERE id = $1`, ids[0], t.Code); err != nil {
			return false, fmt.Errorf("adopt trust %q: %w", t.Name, classify(err))
		}
		return true, nil
	default:
		return false, fmt.Errorf("%w: %d trust rows named %q have no code; give the right one code %q by hand",
			ErrDuplicateCode, len(ids), t.Name, t.Code)
	}
}

// checkNameFree refuses a name another trust already has. The name lock makes the check hold
// against a concurrent registrar transaction giving the same name to another code.
func checkNameFree(ctx context.Context, tx pgx.Tx, name, selfID string) error {
	if err := advisoryLock(ctx, tx, nameLockKey(name)); err != nil {
		return err
	}
	var otherCode *string
	err := tx.QueryRow(ctx, `
		SELECT code FROM trust
		WHERE name = $1 AND ($2 = '' OR id::text <> $2)
		LIMIT 1`, name, selfID).Scan(&otherCode)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("check name: %w", classify(err))
	}
	holder := "a trust without a code"
	if otherCode != nil {
		holder = fmt.Sprintf("trust %q", *otherCode)
	}
	return fmt.Errorf("%w: %q belongs to %s", ErrNameTaken, name, holder)
}

// claimSlot row-locks the lowest-numbered unassigned slot, skipping slots other transactions are
// claiming. It returns an error wrapping ErrPoolFull when there is none.
func claimSlot(ctx context.Context, tx pgx.Tx, prefer string) (string, int, error) {
	var name string
	var number int32
	// The preferred slot first when it is free, then the lowest-numbered.
	err := tx.QueryRow(ctx, `
		SELECT slot_name, slot_number FROM fl_kit_slot
		WHERE assigned_to_trust_id IS NULL
		ORDER BY (slot_name = $1) DESC, slot_number, slot_name
		LIMIT 1
		FOR UPDATE SKIP LOCKED`, prefer).Scan(&name, &number)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", 0, poolFull(ctx, tx)
	}
	if err != nil {
		return "", 0, fmt.Errorf("claim slot: %w", classify(err))
	}
	return name, int(number), nil
}

// poolFull builds the ErrPoolFull error, saying whether the pool is empty or exhausted.
func poolFull(ctx context.Context, tx pgx.Tx) error {
	var total int64
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM fl_kit_slot`).Scan(&total); err != nil {
		return fmt.Errorf("%w (counting slots: %w)", ErrPoolFull, classify(err))
	}
	if total == 0 {
		return fmt.Errorf("%w: fl_kit_slot is empty; flip-api seeds it at boot from /flip/fl_kit_slot_names", ErrPoolFull)
	}
	return fmt.Errorf("%w: all %d fl_kit_slot rows are assigned or being claimed; add FL kits to the pool", ErrPoolFull, total)
}

// assignSlot points a claimed slot at the trust.
func assignSlot(ctx context.Context, tx pgx.Tx, slotName, trustID string) error {
	tag, err := tx.Exec(ctx, `
		UPDATE fl_kit_slot SET assigned_to_trust_id = $2, assigned_at = now()
		WHERE slot_name = $1 AND assigned_to_trust_id IS NULL`, slotName, trustID)
	if err != nil {
		return fmt.Errorf("assign slot: %w", classify(err))
	}
	if tag.RowsAffected() != 1 {
		return fmt.Errorf("assign slot %q: it was assigned by someone else meanwhile", slotName)
	}
	return nil
}

// nullIfEmpty stores an empty optional string as NULL, as flip-api does.
func nullIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
