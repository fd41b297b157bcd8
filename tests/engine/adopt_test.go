package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/londonaicentre/flip-hub/internal/adopt"
)

// TestAdoptRoundTrip follows the adoption runbook against an account that holds what upstream's
// Terraform built: the module-based fixture's resources are seeded into the aws test provider's
// account record under their import IDs, with their Terraform attributes under the AWS
// provider's property names (pulumi-aws is the Terraform provider bridged, and its names are
// the Terraform names in camel case). Then `hubctl adopt` writes the stack file and secrets,
// and `hubctl preview` must import every adopted resource and replace or delete none of them;
// the FLIP_API values must have come across (compared by hash).
func TestAdoptRoundTrip(t *testing.T) {
	t.Parallel()
	h := newHub(t, "stag", nil)
	fixture := filepath.Join(suite.repo, "internal", "adopt", "testdata", "tfstate-modules.json")
	f, err := os.Open(fixture)
	if err != nil {
		t.Fatal(err)
	}
	st, err := adopt.ParseState(f)
	_ = f.Close()
	if err != nil {
		t.Fatal(err)
	}
	found := adopt.Find(st)
	if seeded := seedTerraform(t, h.record, st, found); len(seeded) == 0 {
		t.Fatal("the fixture has no resource to import")
	}

	if r := h.run(upTimeout, "adopt", "--stack", "stag", "--tfstate", fixture); r.code != 0 {
		t.Fatalf("adopt failed\n%s", r)
	}
	for _, key := range found.Secrets.Keys() {
		got := strings.TrimSpace(string(h.pulumi("config", "get", key)))
		if sha(got) != sha(found.Secrets[key]) {
			t.Errorf("stack secret %s has sha256 %s; the Terraform secret's value has %s", key, sha(got), sha(found.Secrets[key]))
		}
	}

	r := h.run(upTimeout, "preview", "--stack", "stag", "--events")
	if r.code != 0 {
		t.Fatalf("preview after adoption failed\n%s", r)
	}
	ch := changes(parseEvents(t, r.stdout))
	imported := map[string]bool{}
	for _, urn := range ch["import"] {
		imported[urn] = true
	}
	if len(imported) != len(found.Imports) {
		t.Errorf("the preview imports %d resources; adoption wrote %d imports (%v)\nimported: %v",
			len(imported), len(found.Imports), found.Imports, ch["import"])
	}
	// Nothing adopted is replaced, and nothing at all is deleted.
	for _, op := range []string{"replace", "create-replacement", "delete-replaced", "delete", "import-replacement"} {
		for _, urn := range ch[op] {
			if imported[urn] || op == "delete" || op == "import-replacement" {
				t.Errorf("the preview after adoption would %s %s", op, urn)
			}
		}
	}
	if t.Failed() {
		t.Logf("preview changes: %v", ch)
	}
}

func sha(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:8])
}

// seedTerraform puts every resource adoption imports into the account record under its import
// ID, as an AWS provider read would return it, and returns import ID → Terraform address.
func seedTerraform(t *testing.T, record string, st *adopt.State, found adopt.Findings) map[string]string {
	t.Helper()
	p := &testProvider{kind: "aws", record: record}
	seeded := map[string]string{}
	for _, row := range found.Rows {
		if row.Action != adopt.Import {
			continue
		}
		in, ok := st.Lookup(row.Address)
		if !ok {
			t.Fatalf("report row %s has no instance in the fixture", row.Address)
		}
		attrs := tfToPulumi(in.Attributes)
		if in.Type == "aws_ses_email_identity" {
			// flip-hub's identity is SES v2's resource, whose read names the address emailIdentity.
			attrs["emailIdentity"] = attrs["email"]
		}
		props := resource.NewPropertyMapFromMap(attrs)
		inputs := props.Copy()
		for _, computed := range []resource.PropertyKey{"id", "arn", "keyId", "endpoint", "creationDate", "lastModifiedDate"} {
			delete(inputs, computed)
		}
		if err := p.saveState(row.ID, inputs, props); err != nil {
			t.Fatal(err)
		}
		if err := p.updateRecord(func(rec *accountRecord) error {
			rec.Resources[row.ID] = "terraform:" + row.Address
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		seeded[row.ID] = row.Address
	}
	return seeded
}

// tfToPulumi renames a Terraform object's attributes to the AWS provider's property names:
// snake_case to camelCase, recursively through nested blocks (lists of objects). Map-typed
// attributes (tags, a Cognito user's attributes) keep their keys: those are data, not names.
func tfToPulumi(attrs map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range attrs {
		if v == nil {
			continue
		}
		out[camel(k)] = tfBlockValue(v)
	}
	return out
}

func tfBlockValue(v any) any {
	l, ok := v.([]any)
	if !ok {
		return v
	}
	conv := make([]any, len(l))
	for i, e := range l {
		if m, isMap := e.(map[string]any); isMap {
			conv[i] = tfToPulumi(m)
		} else {
			conv[i] = e
		}
	}
	return conv
}

func camel(s string) string {
	parts := strings.Split(s, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			r := []rune(parts[i])
			r[0] = unicode.ToUpper(r[0])
			parts[i] = string(r)
		}
	}
	return strings.Join(parts, "")
}
