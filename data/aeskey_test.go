package data_test

import (
	"context"
	"encoding/base64"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"

	"github.com/londonaicentre/flip-hub/data"
	"github.com/londonaicentre/flip-hub/internal/plan"
)

// AESKeyBase64 is the one secret output of the layer: trust kit files carry the hub's AES key.
func TestAESKeyOutput(t *testing.T) {
	t.Parallel()
	minted := base64.StdEncoding.EncodeToString(plan.FakeRandomBytes(data.AESKeyResource, data.KeyBytes))
	cases := []struct {
		name   string
		mutate func(a *data.Args)
		want   string
	}{
		{"minted", nil, minted},
		{"existing hub", func(a *data.Args) {
			a.ExistingAESKey, a.ExistingInternalServiceKey = secretOf(existingAES), secretOf(existingISK)
		}, existingAES},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			args := baseArgs()
			if tc.mutate != nil {
				tc.mutate(&args)
			}
			var d *data.Data
			if _, err := planProgram(t, func(ctx *pulumi.Context) error {
				var err error
				d, err = data.New(ctx, "data", args)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			r, err := internals.UnsafeAwaitOutput(ctx, d.AESKeyBase64)
			if err != nil || !r.Known {
				t.Fatalf("AESKeyBase64: known %v, %v", r.Known, err)
			}
			if !r.Secret {
				t.Error("AESKeyBase64 is not secret")
			}
			if r.Value != tc.want {
				t.Error("AESKeyBase64 is not the FLIP_API AES key")
			}
		})
	}
}
