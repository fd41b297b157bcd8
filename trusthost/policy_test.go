package trusthost_test

import (
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/londonaicentre/flip-hub/internal/iamdoc"
	"github.com/londonaicentre/flip-hub/trusthost"
)

var grants = trusthost.Grants{
	Partition: "aws", Region: "eu-west-2",
	KitSecret:  "arn:aws:secretsmanager:eu-west-2:111111111111:secret:flip-stag-trust-gstt-kit-AbCdEf",
	KMSKey:     "arn:aws:kms:eu-west-2:111111111111:key/1234",
	KitsBucket: "flip-stag-fl-kits",
}

// TestKitGrants: the objects a slot may read, per backend: NVFLARE's slot directory, Flower's CA
// certificate and the slot's own SuperNode key, never another slot's or the server's.
func TestKitGrants(t *testing.T) {
	t.Parallel()
	cases := []struct {
		backend, slot string
		n             int
		list          string
		objects       []string
	}{
		{"nvflare", "Trust_2", 2, "fl-flare-participant-kits/2025-06-01/net-1/services/Trust_2/",
			[]string{"arn:aws:s3:::flip-stag-fl-kits/fl-flare-participant-kits/2025-06-01/net-1/services/Trust_2/*"}},
		{"flower", "Trust_2", 2, "fl-flower-participant-kits/2025-06-01/net-1/", []string{
			"arn:aws:s3:::flip-stag-fl-kits/fl-flower-participant-kits/2025-06-01/net-1/certificates/ca.crt",
			"arn:aws:s3:::flip-stag-fl-kits/fl-flower-participant-kits/2025-06-01/net-1/keys/supernode_credentials_2",
		}},
	}
	for _, tc := range cases {
		g := trusthost.KitGrants(grants, tc.backend, "2025-06-01", tc.slot, tc.n)
		if g.ListPrefix != tc.list || !slices.Equal(g.Objects, tc.objects) {
			t.Errorf("%s: list %q objects %v; want %q %v", tc.backend, g.ListPrefix, g.Objects, tc.list, tc.objects)
		}
	}
}

// TestPolicy: four read statements, each naming its exact resources, with the key usable only
// through Secrets Manager and S3 and the bucket listable only under the slot's prefix.
func TestPolicy(t *testing.T) {
	t.Parallel()
	raw, err := trusthost.Policy(trusthost.KitGrants(grants, "nvflare", "2025-06-01", "Trust_1", 1))
	if err != nil {
		t.Fatal(err)
	}
	var doc iamdoc.Document
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"ReadOwnKit":                 {grants.KitSecret},
		"DecryptThroughSecretsAndS3": {grants.KMSKey},
		"ListOwnSlotKit":             {"arn:aws:s3:::flip-stag-fl-kits"},
		"ReadOwnSlotKit":             {"arn:aws:s3:::flip-stag-fl-kits/fl-flare-participant-kits/2025-06-01/net-1/services/Trust_1/*"},
	}
	if len(doc.Statement) != len(want) {
		t.Fatalf("%d statements; want %d", len(doc.Statement), len(want))
	}
	for _, s := range doc.Statement {
		if !slices.Equal(s.Resource, want[s.Sid]) {
			t.Errorf("%s names %v; want %v", s.Sid, s.Resource, want[s.Sid])
		}
		for _, a := range s.Action {
			if strings.Contains(a, "*") || strings.HasPrefix(a, "s3:Put") || strings.HasPrefix(a, "s3:Delete") {
				t.Errorf("%s allows %s", s.Sid, a)
			}
		}
	}
	if !strings.Contains(raw, `"s3:prefix":["fl-flare-participant-kits/2025-06-01/net-1/services/Trust_1/"`) {
		t.Errorf("listing is not bound to the slot's prefix: %s", raw)
	}
	for name, g := range map[string]trusthost.Grants{
		"no secret":       {Partition: "aws", KMSKey: "k", KitsBucket: "b", ListPrefix: "p/", Objects: []string{"o"}},
		"no objects":      {Partition: "aws", KitSecret: "s", KMSKey: "k", KitsBucket: "b", ListPrefix: "p/"},
		"wildcard prefix": {Partition: "aws", KitSecret: "s", KMSKey: "k", KitsBucket: "b", ListPrefix: "*", Objects: []string{"o"}},
	} {
		if _, err := trusthost.Policy(g); err == nil {
			t.Errorf("%s: policy rendered", name)
		}
	}
}

func TestSplitCredentials(t *testing.T) {
	t.Parallel()
	raw := make([]byte, 3*24)
	for i := range raw {
		raw[i] = byte(i)
	}
	out, err := trusthost.SplitCredentials(base64.StdEncoding.EncodeToString(raw), 3)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, c := range out {
		if len(c) != 32 || strings.ContainsAny(c, "+/=") || seen[c] {
			t.Errorf("credential %q: want 32 distinct URL-safe characters", c)
		}
		seen[c] = true
	}
	if _, err := trusthost.SplitCredentials(base64.StdEncoding.EncodeToString(raw[:70]), 3); err == nil {
		t.Error("too few bytes were split")
	}
}
