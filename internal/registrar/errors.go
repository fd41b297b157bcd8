package registrar

import (
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// Sentinel errors; test with errors.Is.
var (
	// ErrPoolFull: no unassigned fl_kit_slot row could be claimed. The whole registration was
	// rolled back, so no trust row is left behind.
	ErrPoolFull = errors.New("no free fl kit slot")
	// ErrSchemaMissing: a table or column the registrar needs does not exist (SQLSTATE 42P01 or
	// 42703) — flip-api has not yet created its schema in this database, or is a different version.
	ErrSchemaMissing = errors.New("hub schema missing")
	// ErrInvalidHash: the API key hash is not 64 lower-case hex characters (a SHA-256 digest).
	ErrInvalidHash = errors.New("invalid api key hash")
	// ErrInvalidCode: the trust code is not one upstream accepts (internal/flip.TrustCodeRule).
	ErrInvalidCode = errors.New("invalid trust code")
	// ErrInvalidID: a requested trust id is not a lower-case UUID.
	ErrInvalidID = errors.New("invalid trust id")
	// ErrInvalidName: the trust name is empty, padded with spaces, too long or holds control characters.
	ErrInvalidName = errors.New("invalid trust name")
	// ErrInvalidRegion: the region is padded with spaces, too long or holds control characters.
	ErrInvalidRegion = errors.New("invalid trust region")
	// ErrNameTaken: another trust (with another code) already has this name; flip-api treats trust
	// names as unique.
	ErrNameTaken = errors.New("trust name already in use")
	// ErrDuplicateCode: more than one trust row has this code (the table does not enforce
	// uniqueness, and rows created outside the registrar can collide); the registrar refuses to guess.
	ErrDuplicateCode = errors.New("several trusts share this code")
	// ErrReferenced: other hub tables still reference the trust; the error is a *ReferencedError.
	ErrReferenced = errors.New("trust still referenced")
)

// Reference is a set of rows in another table whose foreign key points at a trust.
type Reference struct {
	Schema string
	Table  string
	Column string
	Rows   int64
}

// String names the column and row count, e.g. "project_trust_intersect.trust_id (2 rows)"; the
// schema is shown only when it is not public.
func (r Reference) String() string {
	unit := "rows"
	if r.Rows == 1 {
		unit = "row"
	}
	table := r.Table
	if r.Schema != "" && r.Schema != "public" {
		table = r.Schema + "." + r.Table
	}
	return fmt.Sprintf("%s.%s (%d %s)", table, r.Column, r.Rows, unit)
}

// ReferencedError reports the tables that still reference a trust Deregister was asked to remove
// without force. errors.Is(err, ErrReferenced) holds for it.
type ReferencedError struct {
	Code string
	Refs []Reference
}

func (e *ReferencedError) Error() string {
	parts := make([]string, len(e.Refs))
	for i, r := range e.Refs {
		parts[i] = r.String()
	}
	return fmt.Sprintf("trust %q is still referenced by %s; deregister with force to delete those rows",
		e.Code, strings.Join(parts, ", "))
}

// Is makes errors.Is(err, ErrReferenced) true.
func (e *ReferencedError) Is(target error) bool { return target == ErrReferenced }

// Tables lists the referencing tables, schema-qualified when not in public.
func (e *ReferencedError) Tables() []string {
	out := make([]string, len(e.Refs))
	for i, r := range e.Refs {
		out[i] = r.Table
		if r.Schema != "" && r.Schema != "public" {
			out[i] = r.Schema + "." + r.Table
		}
	}
	return out
}

// classify maps PostgreSQL errors the caller can act on to sentinels, keeping the original error in
// the chain, and strips the server's Detail field, which can echo row values (such as a key hash in
// a unique-violation message).
func classify(err error) error {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return err
	}
	scrubbed := *pgErr
	scrubbed.Detail = ""
	scrubbed.Where = ""
	scrubbed.InternalQuery = ""
	switch pgErr.Code {
	case "42P01", "42703": // undefined_table, undefined_column
		return fmt.Errorf("%w: %w", ErrSchemaMissing, &scrubbed)
	}
	return &scrubbed
}
