package registrar

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// List returns every trust with its lowest-numbered FL kit slot, ordered by code (trusts without a
// code last), then creation time. It reads in a read-only transaction and never returns key hashes.
func (r *Registrar) List(ctx context.Context) ([]Registered, error) {
	var out []Registered
	err := r.inTx(ctx, pgx.ReadOnly, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			SELECT t.id::text, coalesce(t.code, ''), t.name, coalesce(t.region, ''),
			       t.created_at, t.last_heartbeat, coalesce(s.slot_name, ''), coalesce(s.slot_number, 0)
			FROM trust t
			LEFT JOIN LATERAL (
				SELECT slot_name, slot_number FROM fl_kit_slot
				WHERE assigned_to_trust_id = t.id
				ORDER BY slot_number, slot_name
				LIMIT 1
			) s ON true
			ORDER BY t.code NULLS LAST, t.created_at, t.id`)
		if err != nil {
			return classify(err)
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (Registered, error) {
			var reg Registered
			var number int32
			err := row.Scan(&reg.TrustID, &reg.Code, &reg.Name, &reg.Region,
				&reg.CreatedAt, &reg.LastHeartbeat, &reg.SlotName, &number)
			reg.SlotNumber = int(number)
			return reg, err
		})
		return classify(err)
	})
	if err != nil {
		return nil, fmt.Errorf("list trusts: %w", err)
	}
	return out, nil
}
