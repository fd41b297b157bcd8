package registrar

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
)

var exampleSeq atomic.Int64

// NewExampleDB creates a database holding the hub schema fixture with slots pool slots, on the
// package's test server, for runnable examples (which have no *testing.T). The returned function
// drops it.
func NewExampleDB(slots int) (dsn string, drop func(), err error) {
	if pgErr != nil {
		return "", nil, pgErr
	}
	ctx := context.Background()
	name := fmt.Sprintf("example_%d", exampleSeq.Add(1))
	admin, err := pgx.Connect(ctx, pgServer.DSN("postgres"))
	if err != nil {
		return "", nil, err
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", nil, err
	}
	drop = func() {
		c, err := pgx.Connect(ctx, pgServer.DSN("postgres"))
		if err != nil {
			return
		}
		defer c.Close(ctx)
		_, _ = c.Exec(ctx, "DROP DATABASE "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	}
	dsn = pgServer.DSN(name)
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		drop()
		return "", nil, err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, schemaSQL); err != nil {
		drop()
		return "", nil, err
	}
	if _, err := conn.Exec(ctx, "DELETE FROM fl_kit_slot"); err != nil {
		drop()
		return "", nil, err
	}
	if _, err := conn.Exec(ctx, "INSERT INTO fl_kit_slot (slot_name, slot_number) SELECT 'Trust_' || n, n FROM generate_series(1, $1::int) AS n", slots); err != nil {
		drop()
		return "", nil, err
	}
	return dsn, drop, nil
}
