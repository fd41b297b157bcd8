package adopt

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/londonaicentre/flip-hub/config"
)

// stackConfigKey is the top-level key of a Pulumi.<stack>.yaml that holds the config.
const stackConfigKey = "config"

// ApplyTo rewrites a Pulumi.<stack>.yaml document (nil or empty starts a new one) with the
// findings: the flip-hub:imports entries and the settings, each set in place so that comments,
// key order and every other key survive. Applying the same findings twice gives the same bytes.
// aws:region and aws:allowedAccountIds are only ever added: a stack file that names another
// region or account is refused, since a stack adopts resources of its own account and region.
// Secret values are never written here: set Secrets with `pulumi config set --secret`.
func (f Findings) ApplyTo(stackFile []byte) ([]byte, error) {
	var doc yaml.Node
	if len(bytes.TrimSpace(stackFile)) > 0 {
		if err := yaml.Unmarshal(stackFile, &doc); err != nil {
			return nil, fmt.Errorf("stack file: %w", err)
		}
	}
	if doc.Kind == 0 {
		doc = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode, Tag: "!!map"}}}
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, errors.New("stack file: want a YAML mapping with a config key, as pulumi writes Pulumi.<stack>.yaml")
	}
	cfg, err := mappingAt(doc.Content[0], stackConfigKey, stackConfigKey)
	if err != nil {
		return nil, err
	}
	if len(f.Imports) > 0 {
		imports, err := mappingAt(cfg, config.KeyImports, config.KeyImports)
		if err != nil {
			return nil, err
		}
		keys := make([]string, 0, len(f.Imports))
		for k := range f.Imports {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if err := setValue(imports, k, f.Imports[k], config.KeyImports+"."+k); err != nil {
				return nil, err
			}
		}
	}
	for _, s := range f.Settings {
		if err := applySetting(cfg, s); err != nil {
			return nil, err
		}
	}
	if err := applyTrusts(cfg, f.Trusts); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, fmt.Errorf("stack file: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("stack file: %w", err)
	}
	return out.Bytes(), nil
}

func applySetting(cfg *yaml.Node, s Setting) error {
	switch s.Key {
	case config.KeyRegion:
		region, _ := s.Value.(string)
		if _, v := lookup(cfg, s.Key); v != nil && v.Value != region {
			return fmt.Errorf("%s: the stack file says %q but the adopted resources are in %q; a stack adopts resources of its own region only", s.Key, v.Value, region)
		}
		return setValue(cfg, s.Key, region, s.Key)
	case config.KeyAllowedAccountIDs:
		return addAccounts(cfg, s)
	}
	top, field, ok := strings.Cut(s.Key, ".")
	if !ok {
		return setValue(cfg, s.Key, s.Value, s.Key)
	}
	m, err := mappingAt(cfg, top, top)
	if err != nil {
		return err
	}
	return setValue(m, field, s.Value, s.Key)
}

// addAccounts writes the adopted resources' account as aws:allowedAccountIds, or checks that
// the list the stack file has already allows it.
func addAccounts(cfg *yaml.Node, s Setting) error {
	accounts, _ := s.Value.([]string)
	_, v := lookup(cfg, s.Key)
	if v == nil {
		return setValue(cfg, s.Key, accounts, s.Key)
	}
	if v.Kind != yaml.SequenceNode {
		return fmt.Errorf("%s: the stack file holds a %s; want a list of account IDs", s.Key, kindName(v))
	}
	var have []string
	for _, n := range v.Content {
		have = append(have, n.Value)
	}
	for _, a := range accounts {
		if !slices.Contains(have, a) {
			return fmt.Errorf("%s: the stack file allows %v but the adopted resources are in account %s; a stack adopts resources of its own account only", s.Key, have, a)
		}
	}
	return nil
}

// lookup finds a key of a mapping: its key and value nodes, or nils.
func lookup(m *yaml.Node, key string) (*yaml.Node, *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i], m.Content[i+1]
		}
	}
	return nil, nil
}

// mappingAt returns the mapping under key, creating it (or filling an empty value) when absent.
func mappingAt(m *yaml.Node, key, name string) (*yaml.Node, error) {
	_, v := lookup(m, key)
	switch {
	case v == nil:
		v = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		m.Content = append(m.Content, scalar(key), v)
		m.Style = blockStyle(m.Style)
	case v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null":
		v.Kind, v.Tag, v.Value, v.Style = yaml.MappingNode, "!!map", "", 0
	case v.Kind != yaml.MappingNode:
		return nil, fmt.Errorf("%s: the stack file holds a %s; want a mapping", name, kindName(v))
	}
	return v, nil
}

// setValue sets key of mapping m to value, keeping the comments of an existing entry and its
// quoting when the value is unchanged.
func setValue(m *yaml.Node, key string, value any, name string) error {
	var n yaml.Node
	if err := n.Encode(value); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if n.Kind == yaml.SequenceNode {
		// A short list reads best on one line, as the stack files write them.
		n.Style = yaml.FlowStyle
	}
	_, old := lookup(m, key)
	if old == nil {
		m.Content = append(m.Content, scalar(key), &n)
		m.Style = blockStyle(m.Style)
		return nil
	}
	if sameValue(old, &n) {
		return nil
	}
	n.HeadComment, n.LineComment, n.FootComment = old.HeadComment, old.LineComment, old.FootComment
	*old = n
	return nil
}

// sameValue reports whether an existing node already holds the value: the same scalar (by its
// resolved tag, whatever its quoting) or the same list of scalars.
func sameValue(old, n *yaml.Node) bool {
	if old.Kind != n.Kind {
		return false
	}
	switch old.Kind {
	case yaml.ScalarNode:
		return old.Value == n.Value && old.ShortTag() == n.ShortTag()
	case yaml.SequenceNode:
		if len(old.Content) != len(n.Content) {
			return false
		}
		for i := range old.Content {
			if !sameValue(old.Content[i], n.Content[i]) {
				return false
			}
		}
		return true
	}
	return false
}

func scalar(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
}

// blockStyle turns an empty flow mapping ({}) into a block one once it has entries.
func blockStyle(s yaml.Style) yaml.Style {
	return s &^ yaml.FlowStyle
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.ScalarNode:
		return "scalar"
	case yaml.SequenceNode:
		return "list"
	case yaml.MappingNode:
		return "mapping"
	case yaml.AliasNode:
		return "alias"
	}
	return "document"
}
