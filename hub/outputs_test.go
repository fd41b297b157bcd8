package hub

import (
	"reflect"
	"slices"
	"testing"
)

func TestOutputKey(t *testing.T) {
	t.Parallel()
	var other Outputs
	cases := []struct {
		name  string
		field any
		want  string
	}{
		{"string field", &Out.DBAddress, "dbAddress"},
		{"int field", &Out.FLPort, "flPort"},
		{"map field", &Out.BucketNames, "bucketNames"},
		{"first field", &Out.AESKeyBase64, "aesKeyBase64"},
		{"last field", &Out.WebACLARN, "webAclArn"},
		{"another value's field is no output", &other.Region, ""},
		{"not a pointer", Out.Region, ""},
	}
	for _, tc := range cases {
		if got := OutputKey(tc.field); got != tc.want {
			t.Errorf("%s: OutputKey = %q; want %q", tc.name, got, tc.want)
		}
	}
	keys := OutputKeys()
	seen := map[string]bool{}
	for _, k := range keys {
		if k == "" || seen[k] {
			t.Errorf("output key %q is empty or repeated", k)
		}
		seen[k] = true
	}
	if n := reflect.TypeOf(Out).NumField(); len(keys) != n {
		t.Errorf("%d keys for %d fields", len(keys), n)
	}
}

func TestDecodeOutputs(t *testing.T) {
	t.Parallel()
	o, masked, err := DecodeOutputs(map[string]any{
		"dbAddress": "db.example", "dbPort": float64(5432), "bucketNames": map[string]any{"fl-kits": "k"},
		"hubLogGroupNames": []any{"/a", "/b"}, "trusts": "[secret]", "aesKeyBase64": "[secret]", "unknownToThisRelease": 1,
	}, "[secret]")
	if err != nil {
		t.Fatal(err)
	}
	if o.DBAddress != "db.example" || o.DBPort != 5432 || o.BucketNames["fl-kits"] != "k" || !slices.Equal(o.HubLogGroupNames, []string{"/a", "/b"}) {
		t.Errorf("decoded %+v", o)
	}
	slices.Sort(masked)
	if !slices.Equal(masked, []string{"aesKeyBase64", "trusts"}) || o.Trusts != nil {
		t.Errorf("masked %v, trusts %v; want both secrets masked and left zero", masked, o.Trusts)
	}
	if _, _, err := DecodeOutputs(map[string]any{"dbPort": "not a port"}, "[secret]"); err == nil {
		t.Error("a port that is not a number was accepted")
	}
}

func TestHas(t *testing.T) {
	t.Parallel()
	o := Outputs{DBAddress: "db", DBPort: 5432, HubLogGroupNames: []string{}, BucketNames: map[string]string{"a": "b"}}
	cases := []struct {
		name  string
		field any
		want  bool
	}{
		{"set string", &Out.DBAddress, true},
		{"set int", &Out.DBPort, true},
		{"set map", &Out.BucketNames, true},
		{"empty list", &Out.HubLogGroupNames, false},
		{"unset", &Out.Region, false},
		{"not a field of Out", &o.DBAddress, false},
	}
	for _, tc := range cases {
		if got := o.Has(tc.field); got != tc.want {
			t.Errorf("%s: Has = %v; want %v", tc.name, got, tc.want)
		}
	}
}
