package plan

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/londonaicentre/flip-hub/config"
)

// StackConfig is the raw config a program run sees: values as Pulumi hands them to a
// program (objects and arrays as JSON) and which keys are secret.
type StackConfig struct {
	Values     map[string]string
	SecretKeys []string
}

// Clone returns a deep copy, for tests that mutate one key.
func (c StackConfig) Clone() StackConfig {
	out := StackConfig{Values: make(map[string]string, len(c.Values)), SecretKeys: append([]string(nil), c.SecretKeys...)}
	for k, v := range c.Values {
		out.Values[k] = v
	}
	return out
}

// SetObject replaces a key with the JSON of v.
func (c StackConfig) SetObject(key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("set %s: %w", key, err)
	}
	c.Values[key] = string(b)
	return nil
}

// Object decodes a JSON-valued key into a generic value for editing.
func (c StackConfig) Object(key string) (any, error) {
	var v any
	raw, ok := c.Values[key]
	if !ok {
		return nil, fmt.Errorf("%s is not set", key)
	}
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return nil, fmt.Errorf("decode %s: %w", key, err)
	}
	return v, nil
}

type projectFile struct {
	Name   string `yaml:"name"`
	Config map[string]struct {
		Default any  `yaml:"default"`
		Value   any  `yaml:"value"`
		Secret  bool `yaml:"secret"`
	} `yaml:"config"`
}

type stackFile struct {
	Config map[string]any `yaml:"config"`
}

// LoadStackConfig reads dir/Pulumi.yaml and dir/Pulumi.<stack>.yaml the way the pulumi CLI
// would hand them to the program: project defaults first, the stack's values over them,
// and every `secure:` value replaced by a deterministic fake of the right shape (the
// real ciphertext is never decrypted here).
func LoadStackConfig(dir, stack string) (StackConfig, error) {
	var proj projectFile
	if err := readYAML(filepath.Join(dir, "Pulumi.yaml"), &proj); err != nil {
		return StackConfig{}, err
	}
	if proj.Name == "" {
		return StackConfig{}, fmt.Errorf("%s: no project name", filepath.Join(dir, "Pulumi.yaml"))
	}
	var st stackFile
	if err := readYAML(filepath.Join(dir, "Pulumi."+stack+".yaml"), &st); err != nil {
		return StackConfig{}, err
	}
	out := StackConfig{Values: map[string]string{}}
	secret := map[string]bool{}
	for key, decl := range proj.Config {
		full := key
		if !strings.Contains(key, ":") {
			full = proj.Name + ":" + key
		}
		v := decl.Default
		if v == nil {
			v = decl.Value
		}
		if v == nil {
			continue
		}
		s, isSecret, err := render(full, v)
		if err != nil {
			return StackConfig{}, err
		}
		out.Values[full] = s
		secret[full] = isSecret || decl.Secret
	}
	for key, v := range st.Config {
		full := key
		if !strings.Contains(key, ":") {
			full = proj.Name + ":" + key
		}
		s, isSecret, err := render(full, v)
		if err != nil {
			return StackConfig{}, err
		}
		out.Values[full] = s
		secret[full] = isSecret
	}
	for k, s := range secret {
		if s {
			out.SecretKeys = append(out.SecretKeys, k)
		}
	}
	sort.Strings(out.SecretKeys)
	return out, nil
}

func readYAML(path string, dst any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	if err := yaml.Unmarshal(b, dst); err != nil {
		return fmt.Errorf("parse %s: %w", path, err)
	}
	return nil
}

// render turns a YAML config value into the string a program receives.
func render(key string, v any) (string, bool, error) {
	if m, ok := v.(map[string]any); ok && len(m) == 1 {
		if _, ok := m["secure"]; ok {
			return FakeSecret(key), true, nil
		}
	}
	switch x := v.(type) {
	case string:
		return x, false, nil
	case bool, int, int64, float64:
		return fmt.Sprint(x), false, nil
	}
	secret := false
	clean := unsecure(key, v, &secret)
	b, err := json.Marshal(clean)
	if err != nil {
		return "", false, fmt.Errorf("config %s: %w", key, err)
	}
	return string(b), secret, nil
}

// unsecure replaces nested secure values by fakes, reporting that it did.
func unsecure(key string, v any, secret *bool) any {
	switch x := v.(type) {
	case map[string]any:
		if s, ok := x["secure"]; ok && len(x) == 1 {
			if _, isString := s.(string); isString {
				*secret = true
				return FakeSecret(key)
			}
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = unsecure(key+"."+k, e, secret)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = unsecure(fmt.Sprintf("%s[%d]", key, i), e, secret)
		}
		return out
	default:
		return v
	}
}

// FakeSecret is the stand-in for a secret config value: deterministic, recognisable,
// and of the shape the key's validation expects.
func FakeSecret(key string) string {
	sum := sha256.Sum256([]byte("flip-hub-plan-fake:" + key))
	switch key {
	case config.KeyFlipAPIAESKey:
		return base64.StdEncoding.EncodeToString(sum[:])
	case config.KeyFlipAPIInternalServiceKey:
		return base64.RawURLEncoding.EncodeToString(sum[:])
	default:
		return "fake-secret-" + base64.RawURLEncoding.EncodeToString(sum[:12])
	}
}
