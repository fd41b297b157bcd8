package compliance

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Statement is one statement of an IAM, key or bucket policy, normalised: single values
// become one-element lists.
type Statement struct {
	Sid       string
	Effect    string
	Actions   []string
	Resources []string
	// Principals maps a principal kind ("AWS", "Service", "Federated", or "*" for a bare
	// "*" principal) to its values.
	Principals   map[string][]string
	HasCondition bool
	// Condition keeps the raw condition block, operator → key → value(s).
	Condition map[string]map[string]any
}

// PolicyStatements parses a policy document held as JSON text in an input. It returns
// no statements for an unknown or secret value, and an error for text that is not a
// policy.
func PolicyStatements(doc any) ([]Statement, error) {
	text, ok := doc.(string)
	if !ok || text == "" || text == Unknown || text == Secret {
		if m, isMap := doc.(map[string]any); isMap {
			b, err := json.Marshal(m)
			if err != nil {
				return nil, fmt.Errorf("policy document: %w", err)
			}
			text = string(b)
		} else {
			return nil, nil
		}
	}
	var raw struct {
		Statement json.RawMessage `json:"Statement"`
	}
	if err := json.Unmarshal([]byte(text), &raw); err != nil {
		return nil, fmt.Errorf("policy document: %w", err)
	}
	var list []map[string]any
	if len(raw.Statement) > 0 && raw.Statement[0] == '{' {
		var one map[string]any
		if err := json.Unmarshal(raw.Statement, &one); err != nil {
			return nil, fmt.Errorf("policy statement: %w", err)
		}
		list = []map[string]any{one}
	} else if len(raw.Statement) > 0 {
		if err := json.Unmarshal(raw.Statement, &list); err != nil {
			return nil, fmt.Errorf("policy statements: %w", err)
		}
	}
	out := make([]Statement, 0, len(list))
	for _, s := range list {
		st := Statement{Principals: map[string][]string{}, Condition: map[string]map[string]any{}}
		st.Sid, _ = s["Sid"].(string)
		st.Effect, _ = s["Effect"].(string)
		st.Actions = oneOrMany(s["Action"])
		st.Resources = oneOrMany(s["Resource"])
		switch p := s["Principal"].(type) {
		case string:
			st.Principals["*"] = []string{p}
		case map[string]any:
			for k, val := range p {
				st.Principals[k] = oneOrMany(val)
			}
		}
		if cond, ok := s["Condition"].(map[string]any); ok && len(cond) > 0 {
			st.HasCondition = true
			for op, body := range cond {
				if m, ok := body.(map[string]any); ok {
					st.Condition[op] = m
				}
			}
		}
		out = append(out, st)
	}
	return out, nil
}

func oneOrMany(x any) []string {
	switch v := x.(type) {
	case string:
		return []string{v}
	case []any:
		return stringsOf(v)
	}
	return nil
}

// Allows reports whether the statement allows.
func (s Statement) Allows() bool { return s.Effect == "Allow" }

// AnyPrincipal reports whether the statement names every principal ("*" or AWS "*").
func (s Statement) AnyPrincipal() bool {
	for _, kind := range []string{"*", "AWS"} {
		for _, p := range s.Principals[kind] {
			if p == "*" {
				return true
			}
		}
	}
	return false
}

// AllResources reports whether the statement applies to every resource.
func (s Statement) AllResources() bool {
	for _, r := range s.Resources {
		if r == "*" {
			return true
		}
	}
	return false
}

// WildcardActions returns the actions that are "*" or a whole service ("s3:*").
func (s Statement) WildcardActions() []string {
	var out []string
	for _, a := range s.Actions {
		if a == "*" || strings.HasSuffix(a, ":*") {
			out = append(out, a)
		}
	}
	return out
}

// Grants reports whether the statement's actions cover action, wildcards included
// ("iam:Put*" covers "iam:PutRolePolicy"). Comparison ignores case, as IAM does.
func (s Statement) Grants(action string) bool {
	for _, a := range s.Actions {
		if wildcardMatch(strings.ToLower(a), strings.ToLower(action)) {
			return true
		}
	}
	return false
}

// wildcardMatch matches IAM-style patterns: * is any run, ? one character.
func wildcardMatch(pattern, s string) bool {
	for len(pattern) > 0 {
		switch pattern[0] {
		case '*':
			for i := len(s); i >= 0; i-- {
				if wildcardMatch(pattern[1:], s[i:]) {
					return true
				}
			}
			return false
		case '?':
			if s == "" {
				return false
			}
		default:
			if s == "" || s[0] != pattern[0] {
				return false
			}
		}
		pattern, s = pattern[1:], s[1:]
	}
	return s == ""
}

// DeniesInsecureTransport reports whether the statement denies every request made
// without TLS (Condition Bool aws:SecureTransport false).
func (s Statement) DeniesInsecureTransport() bool {
	if s.Effect != "Deny" || !s.AnyPrincipal() {
		return false
	}
	for _, op := range []string{"Bool", "BoolIfExists"} {
		for k, val := range s.Condition[op] {
			if strings.EqualFold(k, "aws:SecureTransport") {
				for _, x := range oneOrManyAny(val) {
					if strings.EqualFold(x, "false") {
						return true
					}
				}
			}
		}
	}
	return false
}

func oneOrManyAny(x any) []string {
	switch v := x.(type) {
	case bool:
		if v {
			return []string{"true"}
		}
		return []string{"false"}
	default:
		return oneOrMany(x)
	}
}
