package retained

import (
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/londonaicentre/flip-hub/config"
	"github.com/londonaicentre/flip-hub/internal/plan"
)

// Target is one persistent resource of a stack: the imports key that adopts it, the program's
// resource (type and name), and its name in AWS, read from the planned inputs.
type Target struct {
	Key      string
	Type     string
	Name     string
	Physical string
}

// Resource types of the targets.
const (
	typeAlias  = "aws:kms/alias:Alias"
	typeSecret = "aws:secretsmanager/secret:Secret"
	typePool   = "aws:cognito/userPool:UserPool"
	typeDomain = "aws:cognito/userPoolDomain:UserPoolDomain"
	typeClient = "aws:cognito/userPoolClient:UserPoolClient"
	typeUser   = "aws:cognito/user:User"
	typeBucket = "aws:s3/bucketV2:BucketV2"
)

// spec is where a target's physical name is in the program's graph.
type spec struct {
	key, typ, name, input string
}

func specs() []spec {
	out := []spec{
		// The alias names the key: finding the alias finds the key (config.ImportKMSKey).
		{config.ImportKMSAlias, typeAlias, "stack", "name"},
		{config.ImportFlipAPISecret, typeSecret, "flip-api", "name"},
		{config.ImportCognitoUserPool, typePool, "users", "name"},
		{config.ImportCognitoDomain, typeDomain, "users", "domain"},
		{config.ImportCognitoAppClient, typeClient, "spa", "name"},
		{config.ImportCognitoAdminUser, typeUser, "admin", "username"},
		{config.ImportCognitoResearcherUser, typeUser, "researcher", "username"},
	}
	for _, p := range config.AppBuckets {
		out = append(out, spec{config.ImportBucket(p), typeBucket, p, "bucket"})
	}
	return out
}

// Targets lists the persistent resources of a stack's planned graph (hubctl plan's), in a fixed
// order: the key's alias, the secret, the pool before its parts, the buckets. A resource the
// stack does not have (no researcher user) or whose name is not known yet is left out.
func Targets(g *plan.Graph) []Target {
	var out []Target
	for _, s := range specs() {
		r, ok := g.Get(s.typ, s.name)
		if !ok {
			continue
		}
		if name := r.String(s.input); name != "" {
			out = append(out, Target{Key: s.key, Type: s.typ, Name: s.name, Physical: name})
		}
	}
	return out
}

// anyMissing reports whether the state lacks, and the stack file does not import, any of the
// persistent resources a stack can have: only then is the hub planned to learn their names.
func anyMissing(stateURNs []string, imports map[string]string) bool {
	var all []Target
	for _, s := range specs() {
		all = append(all, Target{Key: s.key, Type: s.typ, Name: s.name})
	}
	return len(Missing(all, stateURNs, imports)) > 0
}

// Missing keeps the targets the stack's state does not hold (by type and name) and whose imports
// key the stack file does not set: what a destroy left behind, or what exists from before.
func Missing(targets []Target, stateURNs []string, imports map[string]string) []Target {
	held := map[string]bool{}
	for _, u := range stateURNs {
		urn := resource.URN(u)
		if urn.IsValid() {
			held[urn.Type().String()+"::"+urn.Name()] = true
		}
	}
	var out []Target
	for _, t := range targets {
		if held[t.Type+"::"+t.Name] || imports[t.Key] != "" {
			continue
		}
		out = append(out, t)
	}
	return out
}
