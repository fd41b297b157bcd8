package testpg

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// maxIdentifier is PostgreSQL's NAMEDATALEN-1.
const maxIdentifier = 63

// DSN returns a libpq/pgx URL for dbname on this server as the superuser over 127.0.0.1.
func (s *Server) DSN(dbname string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.User(Superuser),
		Host:     net.JoinHostPort(Host, strconv.Itoa(s.port)),
		Path:     "/" + dbname,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// CreateDatabase creates a fresh, empty database whose name starts with a sanitised form of name and
// ends with a sequence number unique on this server, registers tb.Cleanup to drop it (terminating
// leftover connections), and returns its DSN. Each test calling it gets its own database, so tests
// may run in parallel on one server.
func (s *Server) CreateDatabase(tb testing.TB, name string) string {
	tb.Helper()
	db := databaseName(name, s.dbSeq.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.admin(ctx, "CREATE DATABASE "+pgx.Identifier{db}.Sanitize()); err != nil {
		tb.Fatalf("testpg: create database %s: %v", db, err)
		return ""
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := s.admin(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{db}.Sanitize()+" WITH (FORCE)"); err != nil {
			tb.Errorf("testpg: drop database %s: %v", db, err)
		}
	})
	return s.DSN(db)
}

// admin runs one statement in the postgres maintenance database.
func (s *Server) admin(ctx context.Context, sql string) error {
	conn, err := pgx.Connect(ctx, s.DSN("postgres"))
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, sql); err != nil {
		return err
	}
	return nil
}

// databaseName turns name into a lower-case identifier of letters, digits and underscores, cut so
// that the "_<seq>" suffix still fits in 63 bytes.
func databaseName(name string, seq int64) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	base := strings.Trim(b.String(), "_")
	if base == "" || base[0] >= '0' && base[0] <= '9' {
		base = "db_" + base
	}
	suffix := "_" + strconv.FormatInt(seq, 10)
	if len(base)+len(suffix) > maxIdentifier {
		base = base[:maxIdentifier-len(suffix)]
	}
	return base + suffix
}
