package bootstrap

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/londonaicentre/flip-hub/internal/bucket"
	"github.com/londonaicentre/flip-hub/internal/iamdoc"
)

// The state bucket's policy starts from the hub's own TLS-only denials (bucket.TLSOnly: no request
// with aws:SecureTransport false, none over TLS older than 1.2, on the bucket and its objects).
// A policy may already hold statements someone else added; they are kept. IAM accepts several
// spellings of one statement (a lone action as a string or a one-element list, Principal "*" or
// {"AWS": "*"}), and S3 may hand back a different spelling than was put, so statements are
// compared by meaning, not text.

// semanticFields are the statement fields that decide what a statement does; Sid does not.
var semanticFields = []string{"Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}

// hasTLSOnly reports whether doc holds, under any Sid, every statement of bucket.TLSOnly(arn).
func hasTLSOnly(doc, arn string) (bool, error) {
	if doc == "" {
		return false, nil
	}
	_, statements, err := splitPolicy(doc)
	if err != nil {
		return false, err
	}
	have := make([]map[string]any, 0, len(statements))
	for _, raw := range statements {
		n, err := normalStatement(raw)
		if err != nil {
			return false, err
		}
		have = append(have, n)
	}
	for _, want := range bucket.TLSOnly(arn) {
		raw, err := json.Marshal(want)
		if err != nil {
			return false, fmt.Errorf("bucket policy: %w", err)
		}
		w, err := normalStatement(raw)
		if err != nil {
			return false, err
		}
		if !containsStatement(have, w) {
			return false, nil
		}
	}
	return true, nil
}

func containsStatement(have []map[string]any, want map[string]any) bool {
	for _, h := range have {
		if reflect.DeepEqual(h, want) {
			return true
		}
	}
	return false
}

// withTLSOnly returns doc with the TLS-only statements added: every other statement is kept as
// it was, and a statement carrying one of their Sids (an older version of it) is replaced.
func withTLSOnly(doc, arn string) (string, error) {
	if doc == "" {
		return bucket.Policy(arn)
	}
	top, statements, err := splitPolicy(doc)
	if err != nil {
		return "", err
	}
	ours := bucket.TLSOnly(arn)
	sids := map[string]bool{}
	for _, s := range ours {
		sids[s.Sid] = true
	}
	kept := make([]json.RawMessage, 0, len(statements)+len(ours))
	for _, raw := range statements {
		var s struct{ Sid string }
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", fmt.Errorf("bucket policy statement: %w", err)
		}
		if !sids[s.Sid] {
			kept = append(kept, raw)
		}
	}
	for _, s := range ours {
		raw, err := json.Marshal(s)
		if err != nil {
			return "", fmt.Errorf("bucket policy: %w", err)
		}
		kept = append(kept, raw)
	}
	stmts, err := json.Marshal(kept)
	if err != nil {
		return "", fmt.Errorf("bucket policy: %w", err)
	}
	top["Statement"] = stmts
	if _, ok := top["Version"]; !ok {
		top["Version"] = json.RawMessage(`"` + iamdoc.Version + `"`)
	}
	out, err := json.Marshal(top)
	if err != nil {
		return "", fmt.Errorf("bucket policy: %w", err)
	}
	return string(out), nil
}

// splitPolicy parses a policy into its top-level fields and its statements (IAM allows a lone
// statement object in place of the list).
func splitPolicy(doc string) (map[string]json.RawMessage, []json.RawMessage, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal([]byte(doc), &top); err != nil {
		return nil, nil, fmt.Errorf("parse bucket policy: %w", err)
	}
	raw := bytes.TrimSpace(top["Statement"])
	switch {
	case len(raw) == 0:
		return top, nil, nil
	case raw[0] == '{':
		return top, []json.RawMessage{raw}, nil
	}
	var statements []json.RawMessage
	if err := json.Unmarshal(raw, &statements); err != nil {
		return nil, nil, fmt.Errorf("parse bucket policy statements: %w", err)
	}
	return top, statements, nil
}

// normalStatement is one statement's meaning in a form reflect.DeepEqual can compare: every
// scalar-or-list becomes a sorted list of strings, Principal "*" becomes {"AWS": ["*"]}, and
// actions and condition keys (case-insensitive in IAM) are lower-cased.
func normalStatement(raw json.RawMessage) (map[string]any, error) {
	var s map[string]any
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("parse bucket policy statement: %w", err)
	}
	out := map[string]any{}
	for _, f := range semanticFields {
		v, ok := s[f]
		if !ok {
			continue
		}
		switch f {
		case "Effect":
			out[f] = fmt.Sprint(v)
		case "Principal", "NotPrincipal":
			if str, ok := v.(string); ok {
				v = map[string]any{"AWS": str}
			}
			out[f] = normalMap(v, false)
		case "Action", "NotAction":
			out[f] = lower(stringSet(v))
		case "Condition":
			ops, _ := v.(map[string]any)
			n := map[string]any{}
			for op, keys := range ops {
				n[op] = normalMap(keys, true)
			}
			out[f] = n
		default:
			out[f] = stringSet(v)
		}
	}
	return out, nil
}

// normalMap turns {k: scalar-or-list} into {k: sorted strings}, lower-casing keys if asked.
func normalMap(v any, lowerKeys bool) map[string]any {
	m, _ := v.(map[string]any)
	out := map[string]any{}
	for k, val := range m {
		if lowerKeys {
			k = strings.ToLower(k)
		}
		out[k] = stringSet(val)
	}
	return out
}

// stringSet turns a JSON scalar or list into its sorted string values.
func stringSet(v any) []string {
	var out []string
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			out = append(out, fmt.Sprint(e))
		}
	default:
		out = []string{fmt.Sprint(x)}
	}
	sort.Strings(out)
	return out
}

func lower(s []string) []string {
	for i := range s {
		s[i] = strings.ToLower(s[i])
	}
	sort.Strings(s)
	return s
}
