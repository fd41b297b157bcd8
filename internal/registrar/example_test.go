package registrar_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/londonaicentre/flip-hub/internal/registrar"
)

// keyHash is how hubctl turns a freshly minted trust API key into what the hub stores.
func keyHash(plaintext string) string {
	sum := sha256.Sum256([]byte(plaintext))
	return hex.EncodeToString(sum[:])
}

func ExampleRegistrar_Register() {
	ctx := context.Background()
	dsn, drop, err := registrar.NewExampleDB(1) // a hub database whose slot pool holds one FL kit
	if err != nil {
		fmt.Println(err)
		return
	}
	defer drop()
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer pool.Close()

	r := registrar.New(pool)
	gstt := registrar.Trust{
		Code:       "gstt",
		Name:       "Guy's and St Thomas' NHS Foundation Trust",
		Region:     "London",
		APIKeyHash: keyHash("example-key-1"),
	}
	res, err := r.Register(ctx, gstt)
	fmt.Println(res.Action, res.SlotName, res.SlotNumber, err)

	// Registering again is safe: nothing changes.
	res, err = r.Register(ctx, gstt)
	fmt.Println(res.Action, err)

	// A new key rotates the stored hash; the trust keeps its id and slot.
	gstt.APIKeyHash = keyHash("example-key-2")
	res, err = r.Register(ctx, gstt)
	fmt.Println(res.Action, res.SlotName, err)

	// The pool is exhausted: the second trust is not registered at all.
	_, err = r.Register(ctx, registrar.Trust{Code: "kch", Name: "King's College Hospital", APIKeyHash: keyHash("k")})
	fmt.Println(errors.Is(err, registrar.ErrPoolFull))

	// Printing a Trust never shows its hash.
	fmt.Printf("%v\n", gstt)
	// Output:
	// created Trust_1 1 <nil>
	// unchanged <nil>
	// rotated Trust_1 <nil>
	// true
	// registrar.Trust{Code:"gstt", Name:"Guy's and St Thomas' NHS Foundation Trust", Region:"London", APIKeyHash:[redacted]}
}

func ExampleRegistrar_Deregister() {
	ctx := context.Background()
	dsn, drop, err := registrar.NewExampleDB(2)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer drop()
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer pool.Close()

	r := registrar.New(pool)
	res, err := r.Register(ctx, registrar.Trust{Code: "kch", Name: "King's College Hospital", APIKeyHash: keyHash("k")})
	if err != nil {
		fmt.Println(err)
		return
	}
	// flip-api queues a task for the trust: the trust is now referenced.
	if _, err := pool.Exec(ctx, `INSERT INTO trust_task (id, trust_id, task_type, payload)
		VALUES ('40000000-0000-4000-8000-000000000001', $1, 'COHORT_QUERY', '{}')`, res.TrustID); err != nil {
		fmt.Println(err)
		return
	}

	_, err = r.Deregister(ctx, "kch", false)
	var refErr *registrar.ReferencedError
	if errors.As(err, &refErr) {
		fmt.Println("refused, referenced by", refErr.Tables())
	}

	gone, err := r.Deregister(ctx, "kch", true)
	fmt.Println(gone.Found, gone.FreedSlots, gone.Deleted, err)

	// Deregistering again is a no-op.
	gone, err = r.Deregister(ctx, "kch", true)
	fmt.Println(gone.Found, err)
	// Output:
	// refused, referenced by [trust_task]
	// true [Trust_1] [trust_task.trust_id (1 row)] <nil>
	// false <nil>
}
