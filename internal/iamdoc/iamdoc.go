package iamdoc

import (
	"encoding/json"
	"fmt"
)

// Version is the policy language version every document uses.
const Version = "2012-10-17"

// Statement is one policy statement. Principal and Condition are maps as IAM writes them,
// e.g. Principal{"Service": "logs.amazonaws.com"} and
// Condition{"StringEquals": {"aws:SourceAccount": "123456789012"}}.
type Statement struct {
	Sid       string                    `json:"Sid,omitempty"`
	Effect    string                    `json:"Effect"`
	Principal map[string]any            `json:"Principal,omitempty"`
	Action    []string                  `json:"Action"`
	Resource  []string                  `json:"Resource,omitempty"`
	Condition map[string]map[string]any `json:"Condition,omitempty"`
}

// Document is a whole policy.
type Document struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Allow and Deny are the two effects.
const (
	Allow = "Allow"
	Deny  = "Deny"
)

// JSON renders statements as a policy document.
func JSON(statements ...Statement) (string, error) {
	if len(statements) == 0 {
		return "", fmt.Errorf("policy document: no statements")
	}
	for i, s := range statements {
		if s.Effect != Allow && s.Effect != Deny {
			return "", fmt.Errorf("policy statement %d (%s): effect %q is neither Allow nor Deny", i, s.Sid, s.Effect)
		}
		if len(s.Action) == 0 {
			return "", fmt.Errorf("policy statement %d (%s): no actions", i, s.Sid)
		}
	}
	b, err := json.Marshal(Document{Version: Version, Statement: statements})
	if err != nil {
		return "", fmt.Errorf("policy document: %w", err)
	}
	return string(b), nil
}

// Parse reads a policy document, for tests and policy checks.
func Parse(doc string) (Document, error) {
	var d Document
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		return Document{}, fmt.Errorf("parse policy document: %w", err)
	}
	return d, nil
}
