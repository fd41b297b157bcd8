package schemareset

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/londonaicentre/flip-hub/internal/progress"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// grant is one privilege on schema public held by a role other than its owner.
type grant struct {
	role      string // "" for PUBLIC
	privilege string // USAGE or CREATE
}

// recreate drops and recreates schema public in one transaction, then puts back what the old
// schema granted to roles other than its owner (on PostgreSQL 15 and later: USAGE to PUBLIC) and the
// extensions that lived in it. It returns the database's name.
func recreate(ctx context.Context, db DB, o Options) (string, error) {
	tx, err := db.BeginTx(ctx, pgx.TxOptions{})
	if err != nil {
		return "", fmt.Errorf("begin: %w", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }() // a no-op after Commit

	if _, err := tx.Exec(ctx, fmt.Sprintf("SET LOCAL lock_timeout = '%dms'", o.LockTimeout.Milliseconds())); err != nil {
		return "", fmt.Errorf("set lock timeout: %w", err)
	}
	var dbName string
	if err := tx.QueryRow(ctx, `SELECT current_database()`).Scan(&dbName); err != nil {
		return "", fmt.Errorf("current database: %w", err)
	}
	// The connection must reach the stack's own database: a DSN meant for another hub would
	// otherwise lose that hub's schema under this stack's snapshot and confirmation.
	if o.DBName == "" || dbName != o.DBName {
		return "", fmt.Errorf("%w: connected to database %q, but the %s hub's database is %q; nothing was dropped", ErrRefused, dbName, o.Stack, o.DBName)
	}
	grants, err := publicGrants(ctx, tx)
	if err != nil {
		return "", err
	}
	exts, err := publicExtensions(ctx, tx)
	if err != nil {
		return "", err
	}
	if _, err := tx.Exec(ctx, `DROP SCHEMA public CASCADE`); err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "55P03" { // lock_not_available
			return "", fmt.Errorf("drop schema public: flip-api (or another session) held its tables for more than %s; "+
				"stop flip-api (docker compose stop flip-api) and run the reset again: %w", o.LockTimeout, err)
		}
		return "", fmt.Errorf("drop schema public: %w", err)
	}
	if _, err := tx.Exec(ctx, `CREATE SCHEMA public`); err != nil {
		return "", fmt.Errorf("create schema public: %w", err)
	}
	for _, g := range grants {
		to := "PUBLIC"
		if g.role != "" {
			to = pgx.Identifier{g.role}.Sanitize()
		}
		if _, err := tx.Exec(ctx, "GRANT "+g.privilege+" ON SCHEMA public TO "+to); err != nil {
			return "", fmt.Errorf("grant %s on schema public to %s: %w", g.privilege, to, err)
		}
	}
	for _, e := range exts {
		if _, err := tx.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS "+pgx.Identifier{e}.Sanitize()+" SCHEMA public"); err != nil {
			return "", fmt.Errorf("create extension %s again: %w", e, err)
		}
	}
	if _, err := tx.Exec(ctx, `COMMENT ON SCHEMA public IS 'standard public schema'`); err != nil {
		return "", fmt.Errorf("comment on schema public: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return "", fmt.Errorf("commit schema recreation: %w", err)
	}
	return dbName, nil
}

func publicGrants(ctx context.Context, tx pgx.Tx) ([]grant, error) {
	rows, err := tx.Query(ctx, `
		SELECT CASE WHEN a.grantee = 0 THEN '' ELSE pg_get_userbyid(a.grantee) END, a.privilege_type
		FROM pg_namespace n, aclexplode(n.nspacl) a
		WHERE n.nspname = 'public' AND a.grantee <> n.nspowner
		ORDER BY 1, 2`)
	if err != nil {
		return nil, fmt.Errorf("read grants on schema public: %w", err)
	}
	gs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (grant, error) {
		var g grant
		err := r.Scan(&g.role, &g.privilege)
		return g, err
	})
	if err != nil {
		return nil, fmt.Errorf("read grants on schema public: %w", err)
	}
	for _, g := range gs {
		if g.privilege != "USAGE" && g.privilege != "CREATE" {
			return nil, fmt.Errorf("schema public grants %q, which a schema cannot hold", g.privilege)
		}
	}
	return gs, nil
}

func publicExtensions(ctx context.Context, tx pgx.Tx) ([]string, error) {
	rows, err := tx.Query(ctx, `
		SELECT e.extname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
		WHERE n.nspname = 'public' ORDER BY e.extname`)
	if err != nil {
		return nil, fmt.Errorf("read extensions in schema public: %w", err)
	}
	exts, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("read extensions in schema public: %w", err)
	}
	return exts, nil
}

// waitTables polls until flip-api has created its tables and, when there are trusts to register,
// seeded the kit-slot pool.
func waitTables(ctx context.Context, db DB, o Options) error {
	defer progress.Heartbeat(o.Heartbeat, "waiting for flip-api's tables")()
	ctx, cancel := context.WithTimeout(ctx, o.TablesTimeout)
	defer cancel()
	o.logf("waiting for flip-api to create %v", Tables)
	tick := time.NewTicker(o.TablesPoll)
	defer tick.Stop()
	var last string
	for {
		var n int
		err := db.QueryRow(ctx, `SELECT count(*) FROM information_schema.tables
			WHERE table_schema = 'public' AND table_name = ANY($1)`, Tables).Scan(&n)
		switch {
		case err != nil && ctx.Err() == nil:
			return fmt.Errorf("look for flip-api's tables: %w", err)
		case err == nil && n < len(Tables):
			last = fmt.Sprintf("%d of %d tables", n, len(Tables))
		case err == nil && len(o.Trusts) > 0:
			var slots int
			if err := db.QueryRow(ctx, `SELECT count(*) FROM fl_kit_slot`).Scan(&slots); err != nil && ctx.Err() == nil {
				return fmt.Errorf("count kit slots: %w", err)
			}
			if slots > 0 {
				o.logf("flip-api's tables are back; %d kit slots seeded", slots)
				return nil
			}
			last = "tables present, kit-slot pool still empty"
		case err == nil:
			o.logf("flip-api's tables are back")
			return nil
		}
		select {
		case <-ctx.Done():
			if last == "" {
				last = "no answer"
			}
			return fmt.Errorf("flip-api did not recreate its tables within %s (%s): read its logs; once it is up, "+
				"register the trusts with `hubctl trust register`: %w", o.TablesTimeout, last, ctx.Err())
		case <-tick.C:
		}
	}
}
