package plan

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Recorder is a Pulumi mock monitor that records every registration and answers every
// data-source call the program makes with a plausible offline value.
type Recorder struct {
	Region  string
	Account string

	mu        sync.Mutex
	resources []Resource
	invokes   []Invoke
}

var _ pulumi.MockResourceMonitor = (*Recorder)(nil)

// NewResource records a registration and returns its fake ID and state.
func (r *Recorder) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	rec := Resource{
		Type:     args.TypeToken,
		Name:     args.Name,
		Custom:   args.Custom,
		Provider: args.Provider,
		ImportID: args.ID,
	}
	rec.Inputs, rec.SecretInputs = plainMap(args.Inputs)
	if rpc := args.RegisterRPC; rpc != nil {
		rec.Parent = rpc.GetParent()
		rec.Dependencies = sortedCopy(rpc.GetDependencies())
		rec.Protect = rpc.GetProtect()
		rec.RetainOnDelete = rpc.GetRetainOnDelete()
		rec.DeletedWith = rpc.GetDeletedWith()
		rec.IgnoreChanges = sortedCopy(rpc.GetIgnoreChanges())
		rec.ReplaceOnChanges = sortedCopy(rpc.GetReplaceOnChanges())
		if deps := rpc.GetPropertyDependencies(); len(deps) > 0 {
			rec.PropertyDependencies = map[string][]string{}
			for k, v := range deps {
				if urns := v.GetUrns(); len(urns) > 0 {
					rec.PropertyDependencies[k] = sortedCopy(urns)
				}
			}
		}
	}
	id := args.ID
	if id == "" {
		id = fakeID(args.TypeToken, args.Name)
	}
	state := args.Inputs.Copy()
	if args.Custom {
		answerResource(r, args.TypeToken, args.Name, id, state)
	}
	r.mu.Lock()
	r.resources = append(r.resources, rec)
	r.mu.Unlock()
	return id, state, nil
}

// Call answers a data-source call.
func (r *Recorder) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	r.mu.Lock()
	r.invokes = append(r.invokes, Invoke{Token: args.Token, Provider: args.Provider})
	r.mu.Unlock()
	return r.AnswerInvoke(args.Token, args.Args)
}

// AnswerInvoke answers a data-source call with the offline value, without recording it. The
// engine suite's test provider answers the real engine's invokes through it, so the mocks and
// the provider share one source of answers.
func (r *Recorder) AnswerInvoke(token string, args resource.PropertyMap) (resource.PropertyMap, error) {
	answer, ok := invokeAnswers[token]
	if !ok {
		return nil, fmt.Errorf("plan: no offline answer for the data source %s; add one to plan/answers.go", token)
	}
	return resource.NewPropertyMapFromMap(answer(r, args)), nil
}

// AnswerResource fills state (the inputs of a created resource) with the computed attributes
// the mocks give a resource of that type, logical name and ID, without recording it: the
// engine suite's test provider answers the real engine's creates through it.
func (r *Recorder) AnswerResource(typ, name, id string, state resource.PropertyMap) {
	answerResource(r, typ, name, id, state)
}

// Graph returns what was recorded, with URNs filled in and sorted.
func (r *Recorder) Graph(stack, project string) *Graph {
	r.mu.Lock()
	defer r.mu.Unlock()
	g := &Graph{Stack: stack}
	for _, rec := range r.resources {
		rec.URN = urnOf(stack, project, rec.Parent, rec.Type, rec.Name)
		g.Resources = append(g.Resources, rec)
	}
	sort.Slice(g.Resources, func(i, j int) bool { return g.Resources[i].URN < g.Resources[j].URN })
	g.Invokes = append(g.Invokes, r.invokes...)
	sort.Slice(g.Invokes, func(i, j int) bool {
		a, b := g.Invokes[i], g.Invokes[j]
		if a.Token != b.Token {
			return a.Token < b.Token
		}
		return a.Provider < b.Provider
	})
	return g
}

// urnOf builds a URN the way the engine (and the mock monitor) does.
func urnOf(stack, project, parent, typ, name string) string {
	parentType := tokens.Type("")
	if p := resource.URN(parent); p != "" && p.QualifiedType() != resource.RootStackType {
		parentType = p.QualifiedType()
	}
	return string(resource.NewURN(tokens.QName(stack), tokens.PackageName(project), parentType, tokens.Type(typ), name))
}

func fakeID(typ, name string) string {
	mod := typ
	if i := strings.LastIndex(typ, ":"); i >= 0 {
		mod = typ[i+1:]
	}
	return strings.ToLower(mod) + "-" + name
}

func sortedCopy(in []string) []string {
	if len(in) == 0 {
		return nil
	}
	out := append([]string(nil), in...)
	sort.Strings(out)
	return out
}

// plainMap turns a property map into plain values, masking secrets, and lists the
// top-level keys that contain a secret.
func plainMap(pm resource.PropertyMap) (map[string]any, []string) {
	out := make(map[string]any, len(pm))
	var secrets []string
	for k, v := range pm {
		hasSecret := false
		out[string(k)] = plain(v, &hasSecret)
		if hasSecret {
			secrets = append(secrets, string(k))
		}
	}
	sort.Strings(secrets)
	return out, secrets
}

func plain(v resource.PropertyValue, secret *bool) any {
	switch {
	case v.IsSecret():
		*secret = true
		return Secret
	case v.IsNull():
		return nil
	case v.IsBool():
		return v.BoolValue()
	case v.IsNumber():
		return v.NumberValue()
	case v.IsString():
		return v.StringValue()
	case v.IsArray():
		arr := v.ArrayValue()
		out := make([]any, len(arr))
		for i, e := range arr {
			out[i] = plain(e, secret)
		}
		return out
	case v.IsObject():
		obj := v.ObjectValue()
		out := make(map[string]any, len(obj))
		for k, e := range obj {
			out[string(k)] = plain(e, secret)
		}
		return out
	case v.IsOutput():
		o := v.OutputValue()
		if o.Secret {
			*secret = true
			return Secret
		}
		if !o.Known {
			return "[unknown]"
		}
		return plain(o.Element, secret)
	case v.IsComputed():
		return "[unknown]"
	case v.IsResourceReference():
		return string(v.ResourceReferenceValue().URN)
	case v.IsAsset():
		a := v.AssetValue()
		return "[asset " + a.Hash + "]"
	case v.IsArchive():
		return "[archive " + v.ArchiveValue().Hash + "]"
	default:
		return fmt.Sprint(v.V)
	}
}

// FakeIDFor is the ID the recorder gives a created resource of a type and name, so tests
// can follow references between recorded inputs.
func FakeIDFor(typ, name string) string { return fakeID(typ, name) }
