package trustpkg_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/londonaicentre/flip-hub/internal/flip"
	"github.com/londonaicentre/flip-hub/internal/trustpkg"
)

// fakeOptions packs GSTT's kit from Trust_3 out of a fake bucket.
func fakeOptions(t *testing.T, backend flip.Backend) trustpkg.Options {
	t.Helper()
	return trustpkg.Options{
		Code: "GSTT", Backend: backend, Bucket: "flip-stag-fl-kits", KitDate: kitDate,
		Slot: "Trust_3", SlotNumber: 3,
		EnvKit: envKit(t, backend, "Trust_3", 3, kitDate), EnvKitName: ".env.GSTT.stag",
		OutDir: t.TempDir(),
	}
}

// goodFlare is a complete NVFLARE kit for Trust_3 in the fake bucket.
func goodFlare() map[string]string {
	p := flip.FlareKitPrefix(kitDate, "Trust_3") + "/"
	return map[string]string{p + "startup/fed_client.json": "{}", p + "local/resources.json.default": "{}"}
}

func TestBuildRefusesUnsafeKeys(t *testing.T) {
	t.Parallel()
	p := flip.FlareKitPrefix(kitDate, "Trust_3") + "/"
	cases := map[string]string{
		"dot-dot into another slot":  p + "startup/../../Trust_1/startup/client.key",
		"dot-dot out of the archive": p + "local/../../../../../../etc/cron.d/x",
		"empty element":              p + "startup//client.key",
		"dot element":                p + "startup/./client.key",
		"backslash":                  p + `startup/..\..\Trust_1\startup\client.key`,
		"newline breaks manifest":    p + "startup/a\nb",
		"file and directory":         p + "startup/fed_client.json/x",
	}
	for name, key := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			objs := goodFlare()
			objs[key] = "x"
			o := fakeOptions(t, flip.NVFlare)
			_, err := trustpkg.Build(context.Background(), &fakeS3{objects: objs}, o)
			if !errors.Is(err, trustpkg.ErrUnsafeKey) {
				t.Fatalf("Build error = %v, want ErrUnsafeKey", err)
			}
			if names := dirNames(t, o.OutDir); len(names) != 0 {
				t.Errorf("a refused build left %v", names)
			}
		})
	}
	// Outside startup/ and local/ a key is never packed, so it is not inspected either.
	t.Run("outside the kit", func(t *testing.T) {
		t.Parallel()
		objs := goodFlare()
		objs[p+"../Trust_1/startup/client.key"] = "x"
		res, err := trustpkg.Build(context.Background(), &fakeS3{objects: objs}, fakeOptions(t, flip.NVFlare))
		if err != nil {
			t.Fatal(err)
		}
		if res.FileCount != 4 {
			t.Errorf("FileCount = %d, want 4 (env kit, two kit files, manifest)", res.FileCount)
		}
	})
}

// TestBuildFollowsListingPages puts the credential on a later page than the CA certificate.
func TestBuildFollowsListingPages(t *testing.T) {
	t.Parallel()
	p := flip.FlowerKitPrefix(kitDate) + "/"
	objs := map[string]string{p + "certificates/ca.crt": "ca", p + "certificates/server.key": "hub"}
	for n := 1; n <= 12; n++ {
		objs[fmt.Sprintf("%skeys/supernode_credentials_%d", p, n)] = fmt.Sprint("key ", n)
		objs[fmt.Sprintf("%skeys/supernode_credentials_%d.pub", p, n)] = fmt.Sprint("pub ", n)
	}
	res, err := trustpkg.Build(context.Background(), &fakeS3{objects: objs, pageSize: 2}, fakeOptions(t, flip.Flower))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(res.Entries, "flip-trust-GSTT/fl-kit/net-1/keys/supernode_credentials_3") || res.FileCount != 4 {
		t.Errorf("Entries = %q, want the CA, credential 3, env kit and manifest", res.Entries)
	}
}

func TestBuildRefusesEmptyRequiredObject(t *testing.T) {
	t.Parallel()
	objs := goodFlare()
	objs[flip.FlareKitPrefix(kitDate, "Trust_3")+"/startup/fed_client.json"] = ""
	_, err := trustpkg.Build(context.Background(), &fakeS3{objects: objs}, fakeOptions(t, flip.NVFlare))
	if !errors.Is(err, trustpkg.ErrIncompleteKit) {
		t.Fatalf("Build error = %v, want ErrIncompleteKit", err)
	}
}
