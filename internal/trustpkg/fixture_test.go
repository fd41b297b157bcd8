package trustpkg_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/londonaicentre/flip-hub/internal/flip"
	"github.com/londonaicentre/flip-hub/internal/kit"
	"github.com/londonaicentre/flip-hub/internal/testmoto"
)

// The kit release every fixture seeds, and a second one holding stale material.
const (
	kitDate   = "2025-06-01"
	staleDate = "2025-01-01"
	// brokenDate holds an NVFLARE slot without fed_client.json.
	brokenDate = "2025-02-02"
)

// slots are the three provisioned slots. Trust_10 shares Trust_1's prefix, so a prefix without
// its trailing slash, or a credential match without an exact name, would leak it.
var slots = []struct {
	name   string
	number int
}{{"Trust_1", 1}, {"Trust_3", 3}, {"Trust_10", 10}}

// secret is the distinctive content of one file of the fixture: a search for it in an archive
// proves whether that file (or a copy of it) is there.
func secret(owner, file string) string {
	return fmt.Sprintf("FIXTURE<%s|%s>", owner, file)
}

// Hub-side files, which no trust archive may hold. [deploy/compose.production.nvflare.yml;
// deploy/providers/flower/scripts/generate_creds.py]
var hubFlareFiles = []string{"startup/fed_server.json", "startup/server.key", "startup/server.crt", "startup/rootCA.pem", "local/resources.json.default"}

var hubAdminFiles = []string{"startup/fed_admin.json", "startup/client.key", "startup/client.crt", "startup/rootCA.pem"}

var flareSlotFiles = []string{
	"startup/fed_client.json", "startup/client.key", "startup/client.crt", "startup/rootCA.pem",
	"startup/start.sh", "local/resources.json.default", "local/log.config.default",
}

var flowerHubFiles = []string{"certificates/ca.key", "certificates/server.pem", "certificates/server.key"}

var bucketSeq atomic.Int64

// env is a kits bucket in moto, seeded with both backends' kits for the three slots.
type env struct {
	s3     *s3.Client
	bucket string
	// seeded are the secret() markers of every object put, so a test can name what must be absent
	// as "everything but what is allowed".
	seeded []string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	srv := testmoto.Check(t, moto, motoErr)
	e := &env{
		s3:     s3.NewFromConfig(srv.AWSConfig(), func(o *s3.Options) { o.UsePathStyle = true }),
		bucket: fmt.Sprintf("flip-stag-fl-kits-trustpkg-%d", bucketSeq.Add(1)),
	}
	ctx := context.Background()
	if _, err := e.s3.CreateBucket(ctx, &s3.CreateBucketInput{
		Bucket:                    aws.String(e.bucket),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintEuWest2},
	}); err != nil {
		t.Fatalf("moto CreateBucket %s: %v", e.bucket, err)
	}
	e.seed(t)
	return e
}

func (e *env) put(t *testing.T, key, body, marker string) {
	t.Helper()
	if marker != "" {
		e.seeded = append(e.seeded, marker)
	}
	if _, err := e.s3.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(e.bucket), Key: aws.String(key), Body: strings.NewReader(body),
	}); err != nil {
		t.Fatalf("moto PutObject %s: %v", key, err)
	}
}

// seed writes upstream's layouts: NVFLARE's per-participant kits and Flower's one net-1 kit.
func (e *env) seed(t *testing.T) {
	t.Helper()
	flare := func(date, participant string, files []string) {
		for _, f := range files {
			marker := secret(date+"/"+participant, f)
			body := marker
			if f == "startup/fed_client.json" {
				body = fmt.Sprintf(`{"client": {"fqsn": %q}, "marker": %q}`, participant, marker)
			}
			e.put(t, flip.FlareKitPrefix(date, participant)+"/"+f, body, marker)
		}
	}
	flare(kitDate, flip.FlareServerParticipant, hubFlareFiles)
	flare(kitDate, flip.FlareAdminParticipant, hubAdminFiles)
	for _, s := range slots {
		flare(kitDate, s.name, flareSlotFiles)
		// Beside startup/ and local/: not material the client mounts.
		flare(kitDate, s.name, []string{"readme.txt", "transfer/stale-model.pt"})
		// A console "folder" marker.
		e.put(t, flip.FlareKitPrefix(kitDate, s.name)+"/startup/", "", "")
		flare(staleDate, s.name, flareSlotFiles)
	}
	flare(brokenDate, "Trust_3", []string{"local/resources.json.default"})

	flower := func(date string) {
		prefix := flip.FlowerKitPrefix(date)
		for _, f := range append([]string{"certificates/ca.crt"}, flowerHubFiles...) {
			e.put(t, prefix+"/"+f, secret(date+"/flower", f), secret(date+"/flower", f))
		}
		for _, s := range slots {
			for _, f := range []string{fmt.Sprintf("keys/supernode_credentials_%d", s.number), fmt.Sprintf("keys/supernode_credentials_%d.pub", s.number)} {
				e.put(t, prefix+"/"+f, secret(date+"/flower", f), secret(date+"/flower", f))
			}
		}
	}
	flower(kitDate)
	flower(staleDate)
}

// envKit is the kit file internal/kit writes for a trust in a slot.
func envKit(t *testing.T, backend flip.Backend, slot string, number int, date string) []byte {
	t.Helper()
	out, err := kit.Render(nil, kit.Trust{
		APIKey:             "example-trust-api-key-not-a-real-one-0000000",
		InternalServiceKey: "example-internal-key-not-a-real-one-00000000",
		TrustID:            "3f2b8c1e-9a4d-4e5f-8b6a-0c1d2e3f4a5b",
		SlotName:           slot,
		SlotNumber:         number,
	}, kit.Hub{
		AESKeyBase64:     "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
		Domain:           "flip.example.nhs.uk",
		FLBackend:        string(backend),
		KitDate:          date,
		DockerTag:        "sha-1a2b3c4",
		DockerRegistry:   "ghcr.io/londonaicentre",
		DockerFLTag:      "sha-9f8e7d6",
		DockerFLRegistry: "ghcr.io/londonaicentre/",
	})
	if err != nil {
		t.Fatalf("kit.Render: %v", err)
	}
	return out
}
