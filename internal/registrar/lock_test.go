package registrar

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"testing"
	"time"
)

func TestLockKey(t *testing.T) {
	t.Parallel()
	tests := []string{"gstt", "kch", "a1", "trust-with-a-long-code-of-32-chr"}
	seen := map[int64]string{}
	for _, code := range tests {
		t.Run(code, func(t *testing.T) {
			// The documented derivation, so other tools can take the same lock.
			sum := sha256.Sum256([]byte("flip-trust:" + code))
			want := int64(binary.BigEndian.Uint64(sum[:8]))
			if got := LockKey(code); got != want {
				t.Errorf("LockKey(%q) = %d, want %d", code, got, want)
			}
			if LockKey(code) == nameLockKey(code) {
				t.Errorf("code and name locks of %q collide", code)
			}
		})
		if other, dup := seen[LockKey(code)]; dup {
			t.Errorf("LockKey(%q) == LockKey(%q)", code, other)
		}
		seen[LockKey(code)] = code
	}
}

func TestRegisterWaitsForTheTrustLock(t *testing.T) {
	t.Parallel()
	db := newTestDB(t, 4)
	r := New(db.pool)
	holder, err := db.admin.Acquire(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Release()
	if _, err := holder.Exec(ctx(t), "SELECT pg_advisory_lock($1)", LockKey("gstt")); err != nil {
		t.Fatal(err)
	}

	t.Run("a lock on another code does not block", func(t *testing.T) {
		c, cancel := context.WithTimeout(ctx(t), 20*time.Second)
		defer cancel()
		if _, err := r.Register(c, Trust{Code: "kch", Name: "King's", APIKeyHash: hashOf("k")}); err != nil {
			t.Fatalf("Register(kch) error = %v", err)
		}
	})

	t.Run("gives up when the context ends, writing nothing", func(t *testing.T) {
		c, cancel := context.WithTimeout(ctx(t), 300*time.Millisecond)
		defer cancel()
		_, err := r.Register(c, gstt("key-1"))
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Register() while locked error = %v, want context.DeadlineExceeded", err)
		}
		if n := db.int64("SELECT count(*) FROM trust WHERE code = 'gstt'"); n != 0 {
			t.Errorf("trust rows = %d, want 0", n)
		}
	})

	t.Run("proceeds once the lock is released", func(t *testing.T) {
		done := make(chan error, 1)
		go func() {
			_, err := r.Register(ctx(t), gstt("key-1"))
			done <- err
		}()
		// Wait until the registration is queued on the advisory lock.
		deadline := time.Now().Add(20 * time.Second)
		const waiting = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
		for db.int64(waiting) != 1 {
			if time.Now().After(deadline) {
				t.Fatal("registration never waited on the advisory lock")
			}
			time.Sleep(10 * time.Millisecond)
		}
		select {
		case err := <-done:
			t.Fatalf("Register() finished while the lock was held: %v", err)
		default:
		}
		if _, err := holder.Exec(ctx(t), "SELECT pg_advisory_unlock($1)", LockKey("gstt")); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("Register() after unlock error = %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("Register() still blocked after the lock was released")
		}
		if n := db.int64("SELECT count(*) FROM trust WHERE code = 'gstt'"); n != 1 {
			t.Errorf("trust rows = %d, want 1", n)
		}
	})
}
