package retained

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/londonaicentre/flip-hub/config"
	"github.com/londonaicentre/flip-hub/data"
	"github.com/londonaicentre/flip-hub/internal/plan"
)

// TestTargets reads the targets from the plans of the repository's own stack files: every
// persistent resource the program retains has one, named as the program names it.
func TestTargets(t *testing.T) {
	t.Parallel()
	for _, stack := range []string{"stag", "prod"} {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			g, err := plan.Run(plan.Options{Stack: stack, Dir: filepath.Join("..", "..")})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, tg := range Targets(g) {
				got[tg.Key] = tg.Physical
				r, ok := g.Get(tg.Type, tg.Name)
				if !ok {
					t.Errorf("target %s is %s %s, which the plan lacks", tg.Key, tg.Type, tg.Name)
				} else if !r.RetainOnDelete && tg.Type != typeDomain && tg.Type != typeClient && tg.Type != typeUser {
					t.Errorf("target %s (%s %s) is not retained on destroy: nothing would be left to adopt", tg.Key, tg.Type, tg.Name)
				}
			}
			prefix := "flip-" + stack
			for key, want := range map[string]string{
				config.ImportKMSAlias:      data.KeyAliasName(prefix),
				config.ImportFlipAPISecret: data.FlipAPISecretName(prefix),
			} {
				if got[key] != want {
					t.Errorf("%s names %q; want %q", key, got[key], want)
				}
			}
			for _, key := range []string{config.ImportCognitoUserPool, config.ImportCognitoDomain, config.ImportCognitoAppClient, config.ImportCognitoAdminUser} {
				if got[key] == "" {
					t.Errorf("no target for %s", key)
				}
			}
			for _, p := range config.AppBuckets {
				if got[config.ImportBucket(p)] == "" {
					t.Errorf("no target for the %s bucket", p)
				}
			}
		})
	}
}

func TestMissing(t *testing.T) {
	t.Parallel()
	const stackURN = "urn:pulumi:stag::flip-hub::"
	cases := []struct {
		name    string
		state   []string
		imports map[string]string
		want    []string
	}{
		{name: "new stack", want: []string{config.ImportKMSAlias, config.ImportFlipAPISecret, config.ImportBucket("fl-results")}},
		{name: "state holds them", state: []string{
			stackURN + "flip:data:Key$aws:kms/alias:Alias::stack",
			stackURN + "flip:data:Data$aws:secretsmanager/secret:Secret::flip-api",
			stackURN + "flip:data:Data$aws:s3/bucketV2:BucketV2::fl-results",
		}},
		{name: "a bucket of another name is not the one", state: []string{
			stackURN + "flip:data:Data$aws:s3/bucketV2:BucketV2::ui",
		}, want: []string{config.ImportKMSAlias, config.ImportFlipAPISecret, config.ImportBucket("fl-results")}},
		{name: "already imported", imports: map[string]string{config.ImportFlipAPISecret: "arn:x"},
			want: []string{config.ImportKMSAlias, config.ImportBucket("fl-results")}},
	}
	targets := []Target{
		{Key: config.ImportKMSAlias, Type: typeAlias, Name: "stack", Physical: "alias/flip-stag"},
		{Key: config.ImportFlipAPISecret, Type: typeSecret, Name: "flip-api", Physical: "flip-stag/flip-api"},
		{Key: config.ImportBucket("fl-results"), Type: typeBucket, Name: "fl-results", Physical: "flip-stag-fl-results"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, m := range Missing(targets, tc.state, tc.imports) {
				got = append(got, m.Key)
			}
			// The quick check that skips the plan agrees for these three.
			if all := anyMissing(tc.state, tc.imports); len(tc.want) > 0 && !all {
				t.Errorf("anyMissing = false, but %v are missing", tc.want)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("missing %v; want %v", got, tc.want)
			}
		})
	}
}

// TestAnyMissing: a state holding every persistent resource (the usual up) needs no plan; one
// lacking any of them, or an empty one, does, unless the stack file imports it.
func TestAnyMissing(t *testing.T) {
	t.Parallel()
	var all []string
	imports := map[string]string{}
	for _, s := range specs() {
		all = append(all, "urn:pulumi:stag::flip-hub::flip:x:X$"+s.typ+"::"+s.name)
		imports[s.key] = "id-" + s.name
	}
	if anyMissing(all, nil) {
		t.Error("a state with every persistent resource is said to miss one")
	}
	if !anyMissing(all[1:], nil) {
		t.Errorf("a state without %s is said to miss none", all[0])
	}
	if anyMissing(nil, imports) {
		t.Error("an empty state whose stack file imports everything is said to miss one")
	}
	if !anyMissing(nil, nil) {
		t.Error("an empty state is said to miss none")
	}
}
