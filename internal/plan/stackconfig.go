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

	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"go.yaml.in/yaml/v3"

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

type stackFile struct {
	Config map[string]any `yaml:"config"`
}

// LoadStackConfig reads dir/Pulumi.yaml and dir/Pulumi.<stack>.yaml the way the pulumi CLI
// would hand them to the program: project defaults first, the stack's values over them,
// and every `secure:` value replaced by a deterministic fake of the right shape (the
// real ciphertext is never decrypted here). It refuses what the CLI refuses before any
// program runs (see checkLikeCLI): a declared key without a default that the stack does not
// set, and a value of the wrong declared type.
func LoadStackConfig(dir, stack string) (StackConfig, error) {
	// The SDK's own project loader: the same parsing and project-schema checks as the CLI.
	proj, err := workspace.LoadProject(filepath.Join(dir, "Pulumi.yaml"))
	if err != nil {
		return StackConfig{}, fmt.Errorf("load %s: %w", filepath.Join(dir, "Pulumi.yaml"), err)
	}
	project := proj.Name.String()
	var st stackFile
	if err := readYAML(filepath.Join(dir, "Pulumi."+stack+".yaml"), &st); err != nil {
		return StackConfig{}, err
	}
	stackValues := map[string]any{}
	for key, v := range st.Config {
		stackValues[fullKey(project, key)] = v
	}
	if err := checkLikeCLI(stack, proj, stackValues); err != nil {
		return StackConfig{}, err
	}
	out := StackConfig{Values: map[string]string{}}
	secret := map[string]bool{}
	for key, decl := range proj.Config {
		full := fullKey(project, key)
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
	for full, v := range stackValues {
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

func fullKey(project, key string) string {
	if strings.Contains(key, ":") {
		return key
	}
	return project + ":" + key
}

// checkLikeCLI applies the rules the pulumi CLI applies to a stack's config before it runs a
// program (pkg/workspace mergeConfig and validateStackConfigValues, v3.274.1), in its order and
// with its messages: every key the project declares in its own namespace with neither default
// nor value must be set by the stack; a key declared secret must be set as a secure value; a
// set value must have the declared type (the SDK's workspace.ValidateConfigValue decides).
// TestLoadStackConfigAgreesWithTheCLI runs the real CLI on the same files to keep this honest.
func checkLikeCLI(stack string, proj *workspace.Project, stackValues map[string]any) error {
	project := proj.Name.String()
	keys := make([]string, 0, len(proj.Config))
	for k := range proj.Config {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var missing []string
	for _, k := range keys {
		decl := proj.Config[k]
		full := fullKey(project, k)
		_, found := stackValues[full]
		ns, _, _ := strings.Cut(full, ":")
		if !found && decl.Default == nil && decl.Value == nil && ns == project {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("Stack '%s' is missing configuration %s %s", stack, plural(len(missing), "value", "values"), quoteKeys(missing)) //nolint:staticcheck // the CLI's own message, capital and all
	}
	for _, k := range keys {
		decl := proj.Config[k]
		v, found := stackValues[fullKey(project, k)]
		if !found || !decl.IsExplicitlyTyped() {
			continue
		}
		secure := isSecure(v)
		if decl.Secret && !secure {
			return fmt.Errorf("Stack '%s' with configuration key '%s' must be encrypted as it's secret", stack, k) //nolint:staticcheck // the CLI's message
		}
		content, err := cliContent(fullKey(project, k), v)
		if err != nil {
			return err
		}
		if !workspace.ValidateConfigValue(*decl.Type, decl.Items, content) {
			return fmt.Errorf("Stack '%s' with configuration key '%s' must be of type '%s'", stack, k, workspace.InferFullTypeName(*decl.Type, decl.Items)) //nolint:staticcheck // the CLI's message
		}
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// quoteKeys lists keys as the CLI does: 'a', 'b' and 'c'.
func quoteKeys(keys []string) string {
	q := make([]string, len(keys))
	for i, k := range keys {
		q[i] = "'" + k + "'"
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}

func isSecure(v any) bool {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return false
	}
	_, ok = m["secure"].(string)
	return ok
}

// cliContent is the value the CLI type-checks: objects and arrays as decoded JSON, anything
// else as the string the stack file holds (a secure value as its stand-in).
func cliContent(key string, v any) (any, error) {
	switch v.(type) {
	case map[string]any, []any:
		if isSecure(v) {
			return FakeSecret(key), nil
		}
		s, _, err := render(key, v)
		if err != nil {
			return nil, err
		}
		var content any
		if err := json.Unmarshal([]byte(s), &content); err != nil {
			return nil, fmt.Errorf("config %s: %w", key, err)
		}
		return content, nil
	default:
		s, _, err := render(key, v)
		return s, err
	}
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

// StackNames lists the stacks that have a stack file (Pulumi.<stack>.yaml) in dir, sorted: the
// values `--stack` completes to.
func StackNames(dir string) []string {
	files, _ := filepath.Glob(filepath.Join(dir, "Pulumi.*.yaml"))
	var names []string
	for _, f := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "Pulumi."), ".yaml")
		if name != "" && !strings.Contains(name, ".") {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}
