package retained

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"go.yaml.in/yaml/v3"

	"github.com/londonaicentre/flip-hub/config"
	"github.com/londonaicentre/flip-hub/internal/adopt"
	"github.com/londonaicentre/flip-hub/internal/plan"
)

// Stack is the opened stack BeforeUp works on (release.Stack).
type Stack interface {
	Name() string
	StateURNs(ctx context.Context) ([]string, error)
	SetSecretConfig(ctx context.Context, key, value string) error
}

// BeforeUp adopts what a destroy of the stack left in the account, before an up (when enabled):
// the persistent resources the planned hub names (Targets) that the state does not hold and the
// stack file does not import are looked up by name (Find). What is found is written to the
// stack file's imports, with the FLIP_API values of a found secret set as stack secrets (unless
// the stack already has them), so the up imports it instead of failing on a name that exists.
// It prints one line per adopted resource; nothing at all when there is nothing to adopt.
func BeforeUp(ctx context.Context, dir string, st Stack, enabled bool, w io.Writer) error {
	if !enabled {
		return nil
	}
	return beforeUp(ctx, options{Dir: dir, Stack: st.Name(), StateURNs: st.StateURNs,
		SetSecret: func(k, v string) error { return st.SetSecretConfig(ctx, k, v) }}, w)
}

// options configure beforeUp.
type options struct {
	// Dir and Stack locate the stack file, Dir/Pulumi.<Stack>.yaml.
	Dir, Stack string
	// StateURNs lists what the stack's state holds.
	StateURNs func(context.Context) ([]string, error)
	// SetSecret sets a stack secret through the pulumi CLI's stdin.
	SetSecret func(key, value string) error
	// Clients, when set, replace the clients built from the default credential chain in the
	// stack's region.
	Clients *Clients
}

func beforeUp(ctx context.Context, o options, w io.Writer) error {
	path := filepath.Join(o.Dir, "Pulumi."+o.Stack+".yaml")
	file, err := readStackFile(path)
	if err != nil {
		return err
	}
	urns, err := o.StateURNs(ctx)
	if err != nil {
		return err
	}
	if !anyMissing(urns, file.imports) {
		// The usual up: the state holds every persistent resource, nothing to look for.
		return nil
	}
	g, err := plan.Run(plan.Options{Stack: o.Stack, Dir: o.Dir})
	if err != nil {
		return fmt.Errorf("plan %s: %w", o.Stack, err)
	}
	missing := Missing(Targets(g), urns, file.imports)
	if len(missing) == 0 {
		return nil
	}
	c := o.Clients
	if c == nil {
		cfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(file.region))
		if err != nil {
			return fmt.Errorf("aws config: %w", err)
		}
		built := ClientsFrom(cfg)
		c = &built
	}
	found, err := Find(ctx, *c, missing, false)
	if err != nil {
		return err
	}
	if len(found.Imports) == 0 {
		return nil
	}
	for _, l := range found.Lines {
		fmt.Fprintln(w, l)
	}
	for _, key := range found.Secrets.Keys() {
		if file.secrets[key] {
			continue
		}
		if err := o.SetSecret(key, found.Secrets[key]); err != nil {
			return err
		}
		fmt.Fprintf(w, "set secret %s from the retained FLIP_API secret\n", key)
	}
	if err := (adopt.Findings{Imports: found.Imports}).WriteStackFile(path); err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "wrote the imports to %s: keep them there (the next ups change nothing)\n", path)
	return err
}

// stackFile is what BeforeUp reads from a stack file.
type stackFile struct {
	region  string
	imports map[string]string
	// secrets are the FLIP_API secret keys the file sets.
	secrets map[string]bool
}

func readStackFile(path string) (stackFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return stackFile{}, fmt.Errorf("stack file: %w", err)
	}
	var doc struct {
		Config map[string]any `yaml:"config"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return stackFile{}, fmt.Errorf("stack file %s: %w", path, err)
	}
	f := stackFile{imports: map[string]string{}, secrets: map[string]bool{}}
	f.region, _ = doc.Config[config.KeyRegion].(string)
	if m, ok := doc.Config[config.KeyImports].(map[string]any); ok {
		for k, v := range m {
			if s, isString := v.(string); isString {
				f.imports[k] = s
			}
		}
	}
	for _, k := range []string{config.KeyFlipAPIAESKey, config.KeyFlipAPIInternalServiceKey} {
		_, f.secrets[k] = doc.Config[k]
	}
	return f, nil
}
