package adopt

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
)

// StateVersion is the only Terraform state format this package reads: the one `terraform
// state pull` prints from Terraform 0.12 on.
const StateVersion = 4

// Resource modes of a Terraform state.
const (
	ModeManaged = "managed"
	ModeData    = "data"
)

// State is a Terraform state (format version 4) reduced to its resource instances. Attributes
// hold every value Terraform stores, sensitive ones included: never print an Instance.
type State struct {
	TerraformVersion string
	Serial           int64
	Lineage          string
	// Instances are the current objects of every resource, in the order of the file. Deposed
	// objects (left over by create_before_destroy) are not included.
	Instances []Instance
	index     map[string]int
}

// Instance is one object of a resource in the state.
type Instance struct {
	// Address is the instance's address as Terraform prints it, e.g.
	// module.flip_api_secret.aws_secretsmanager_secret.this[0].
	Address string
	// Resource is the address without the instance key: module.flip_api_secret.aws_secretsmanager_secret.this.
	Resource string
	// Module is the module path ("" at the root), e.g. module.cognito.
	Module string
	Mode   string
	Type   string
	Name   string
	// Key is the instance key: nil (no count or for_each), an int (count) or a string (for_each).
	Key        any
	Attributes map[string]any
}

// String describes the state without any attribute value.
func (s *State) String() string {
	return fmt.Sprintf("terraform state v%d (terraform %s, serial %d, %d instances)", StateVersion, s.TerraformVersion, s.Serial, len(s.Instances))
}

// Lookup returns the instance at an address.
func (s *State) Lookup(address string) (Instance, bool) {
	i, ok := s.index[address]
	if !ok {
		return Instance{}, false
	}
	return s.Instances[i], true
}

// Attr returns a string attribute ("" when it is missing or not a string).
func (in Instance) Attr(name string) string {
	v, _ := in.Attributes[name].(string)
	return v
}

type rawState struct {
	Version          *int          `json:"version"`
	TerraformVersion string        `json:"terraform_version"`
	Serial           int64         `json:"serial"`
	Lineage          string        `json:"lineage"`
	Resources        []rawResource `json:"resources"`
}

type rawResource struct {
	Module    string        `json:"module"`
	Mode      string        `json:"mode"`
	Type      string        `json:"type"`
	Name      string        `json:"name"`
	Instances []rawInstance `json:"instances"`
}

type rawInstance struct {
	IndexKey   json.RawMessage `json:"index_key"`
	Deposed    string          `json:"deposed"`
	Attributes map[string]any  `json:"attributes"`
}

// ParseState reads a Terraform state file of format version 4, as `terraform state pull`
// prints it. Other versions are refused.
func ParseState(r io.Reader) (*State, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("terraform state: %w", err)
	}
	// A first pass reads the version alone, so an older format is refused as such rather
	// than as whatever its different layout fails on.
	var head struct {
		Version *int `json:"version"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("terraform state: not a state file (%w); want the JSON `terraform state pull` prints", err)
	}
	switch {
	case head.Version == nil:
		return nil, errors.New("terraform state: no format version; want the JSON `terraform state pull` prints (version 4)")
	case *head.Version != StateVersion:
		return nil, fmt.Errorf("terraform state: format version %d; want %d (Terraform 0.12 or later: run `terraform state pull` with a current Terraform)", *head.Version, StateVersion)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var raw rawState
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("terraform state: %w", err)
	}
	st := &State{TerraformVersion: raw.TerraformVersion, Serial: raw.Serial, Lineage: raw.Lineage, index: map[string]int{}}
	for _, res := range raw.Resources {
		if res.Type == "" || res.Name == "" {
			return nil, fmt.Errorf("terraform state: a resource without type or name (module %q)", res.Module)
		}
		if res.Mode != ModeManaged && res.Mode != ModeData {
			return nil, fmt.Errorf("terraform state: %s.%s has mode %q; want managed or data", res.Type, res.Name, res.Mode)
		}
		resource := resourceAddress(res.Module, res.Mode, res.Type, res.Name)
		for _, ri := range res.Instances {
			if ri.Deposed != "" {
				continue
			}
			key, err := parseIndexKey(ri.IndexKey)
			if err != nil {
				return nil, fmt.Errorf("terraform state: %s: %w", resource, err)
			}
			in := Instance{
				Address:    resource + formatKey(key),
				Resource:   resource,
				Module:     res.Module,
				Mode:       res.Mode,
				Type:       res.Type,
				Name:       res.Name,
				Key:        key,
				Attributes: ri.Attributes,
			}
			if _, dup := st.index[in.Address]; dup {
				return nil, fmt.Errorf("terraform state: %s appears twice", in.Address)
			}
			st.index[in.Address] = len(st.Instances)
			st.Instances = append(st.Instances, in)
		}
	}
	return st, nil
}

// resourceAddress forms a resource's address as Terraform prints it: the module path, "data."
// for a data source, then type.name.
func resourceAddress(module, mode, typ, name string) string {
	var b strings.Builder
	if module != "" {
		b.WriteString(module)
		b.WriteByte('.')
	}
	if mode == ModeData {
		b.WriteString("data.")
	}
	b.WriteString(typ)
	b.WriteByte('.')
	b.WriteString(name)
	return b.String()
}

func parseIndexKey(raw json.RawMessage) (any, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	n, err := strconv.Atoi(string(raw))
	if err != nil || n < 0 {
		return nil, fmt.Errorf("index_key %s is neither a count index nor a for_each key", raw)
	}
	return n, nil
}

// formatKey renders an instance key as Terraform does: [0] for count, ["name"] for for_each.
func formatKey(key any) string {
	switch k := key.(type) {
	case int:
		return "[" + strconv.Itoa(k) + "]"
	case string:
		return "[" + hclQuote(k) + "]"
	}
	return ""
}

// hclQuote quotes a for_each key the way Terraform's addrs package does (toHCLQuotedString):
// an HCL string literal, with template introducers ${ and %{ doubled and non-printable runes
// escaped, so the address parses back as an HCL traversal.
func hclQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i, r := range s {
		switch r {
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '$', '%':
			b.WriteRune(r)
			if strings.HasPrefix(s[i+1:], "{") {
				b.WriteRune(r)
			}
		default:
			switch {
			case unicode.IsPrint(r):
				b.WriteRune(r)
			case r < 0x10000:
				fmt.Fprintf(&b, `\u%04x`, r)
			default:
				fmt.Fprintf(&b, `\U%08x`, r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}
