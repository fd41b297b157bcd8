package main

import (
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

	"github.com/londonaicentre/flip-hub/internal/compliance"
)

// View converts a resource as the policy engine sees it into the neutral view the rules
// read: the same shape the recorded graph gives, so a rule behaves alike in both.
// Secrets become compliance.Secret and values not known yet compliance.Unknown.
// Property dependencies are folded into Dependencies (the engine sends them, and
// Parent, only to stack policies). The engine does not report retainOnDelete to
// analyzers, so no rule may rely on it.
func View(r policyx.AnalyzerResource) compliance.View {
	deps := append([]string(nil), r.Dependencies...)
	for _, urns := range r.PropertyDependencies {
		deps = append(deps, urns...)
	}
	slices.Sort(deps)
	return compliance.View{
		Type:           r.Type,
		Name:           r.Name,
		URN:            r.URN,
		Inputs:         Plain(r.Properties),
		Protect:        r.Options.Protect,
		RetainOnDelete: r.Options.RetainOnDelete,
		Parent:         r.Parent,
		Dependencies:   slices.Compact(deps),
	}
}

// Plain turns a property map into plain JSON-like values.
func Plain(m property.Map) map[string]any {
	out := make(map[string]any, m.Len())
	for k, v := range m.All {
		out[k] = plainValue(v)
	}
	return out
}

func plainValue(v property.Value) any {
	switch {
	case v.Secret():
		return compliance.Secret
	case v.IsComputed():
		return compliance.Unknown
	case v.IsNull():
		return nil
	case v.IsBool():
		return v.AsBool()
	case v.IsNumber():
		return v.AsNumber()
	case v.IsString():
		return v.AsString()
	case v.IsArray():
		arr := v.AsArray()
		out := make([]any, 0, arr.Len())
		for _, e := range arr.All {
			out = append(out, plainValue(e))
		}
		return out
	case v.IsMap():
		return Plain(v.AsMap())
	case v.IsResourceReference():
		return string(v.AsResourceReference().URN)
	case v.IsAsset():
		return "[asset]"
	case v.IsArchive():
		return "[archive]"
	default:
		return compliance.Unknown
	}
}
