package release

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
)

// StatefulTypes are the resource types whose deletion or replacement loses data or
// identity: the database, the user pool, buckets, secrets, the stack key, and the random
// values that are the hub's keys (replacing one silently rotates a key).
var StatefulTypes = []string{
	"aws:rds/instance:Instance",
	"aws:rds/cluster:Cluster",
	"aws:cognito/userPool:UserPool",
	"aws:s3/bucketV2:BucketV2",
	"aws:s3/bucket:Bucket",
	"aws:secretsmanager/secret:Secret",
	// A new FLIP_API secret version replaces the hub's AES key and internal service key.
	"aws:secretsmanager/secretVersion:SecretVersion",
	"aws:kms/key:Key",
	// The hub host (its volume holds the FL kits and the deploy state), the logs kept for audit,
	// the app client every user's session belongs to, and the seeded users.
	"aws:ec2/instance:Instance",
	"aws:cloudwatch/logGroup:LogGroup",
	"aws:cognito/userPoolClient:UserPoolClient",
	"aws:cognito/user:User",
	"random:index/randomBytes:RandomBytes",
	"random:index/randomPassword:RandomPassword",
	"random:index/randomString:RandomString",
}

// destructive are the operations that remove or recreate a resource.
var destructive = []apitype.OpType{
	apitype.OpDelete,
	apitype.OpReplace,
	apitype.OpCreateReplacement,
	apitype.OpDeleteReplaced,
	apitype.OpDiscardReplaced,
	apitype.OpImportReplacement,
}

// Step is one planned operation on one resource.
type Step struct {
	URN  string
	Type string
	Op   apitype.OpType
}

// Violation is a planned destructive step on a stateful resource that nobody allowed.
type Violation struct {
	URN string
	Op  apitype.OpType
}

func (v Violation) String() string { return fmt.Sprintf("%s %s", v.Op, v.URN) }

// IsStateful reports whether a resource type holds state the hub cannot recreate.
func IsStateful(typ string) bool { return slices.Contains(StatefulTypes, typ) }

// CheckSteps returns the destructive steps on stateful resources whose URN is not in
// allow, one per URN (a replacement shows up as several steps), sorted by URN.
func CheckSteps(steps []Step, allow []string) []Violation {
	seen := map[string]apitype.OpType{}
	for _, s := range steps {
		if !IsStateful(s.Type) || !slices.Contains(destructive, s.Op) || slices.Contains(allow, s.URN) {
			continue
		}
		op := s.Op
		if op != apitype.OpDelete {
			op = apitype.OpReplace
		}
		if prev, ok := seen[s.URN]; !ok || prev == apitype.OpDelete {
			seen[s.URN] = op
		}
	}
	out := make([]Violation, 0, len(seen))
	for urn, op := range seen {
		out = append(out, Violation{URN: urn, Op: op})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].URN < out[j].URN })
	return out
}

// protectedReplaceMarker is how the engine (pkg/resource/deploy, v3.274.1) says it refuses to
// replace a protected resource: "unable to replace resource \"<URN>\" as it is currently marked
// for protection".
const protectedReplaceMarker = "marked for protection"

// CheckProtected returns, from a failed preview's diagnostics, the stateful resources the plan
// would replace but for the engine's protect, unless allowed; one per URN, sorted.
func CheckProtected(diags []Diagnostic, allow []string) []Violation {
	seen := map[string]bool{}
	var out []Violation
	for _, d := range diags {
		typ := resourceType(d.URN)
		if !IsStateful(typ) || !strings.Contains(d.Message, protectedReplaceMarker) || slices.Contains(allow, d.URN) || seen[d.URN] {
			continue
		}
		seen[d.URN] = true
		out = append(out, Violation{URN: d.URN, Op: apitype.OpReplace})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].URN < out[j].URN })
	return out
}

// resourceType is the type token of a URN ("urn:pulumi:stack::project::parent$type::name").
func resourceType(urn string) string {
	parts := strings.Split(urn, "::")
	if len(parts) < 4 {
		return ""
	}
	types := strings.Split(parts[2], "$")
	return types[len(types)-1]
}

func describeViolations(stack string, vs []Violation) error {
	lines := make([]string, len(vs))
	for i, v := range vs {
		lines[i] = "  " + v.String()
	}
	return fail(Refused, "refusing to update %s: the plan would %s\n%s\nre-run with --allow-replace=URN for each resource you mean to lose, after taking a backup",
		stack, plural(len(vs), "destroy or replace a stateful resource", "destroy or replace stateful resources"), strings.Join(lines, "\n"))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// HasChanges reports whether a change summary has any operation other than "same".
func HasChanges(summary map[apitype.OpType]int) bool {
	for op, n := range summary {
		if op != apitype.OpSame && n > 0 {
			return true
		}
	}
	return false
}
