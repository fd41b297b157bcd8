package release

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/config"
)

// Options select a stack and how an operation reports.
type Options struct {
	// Stack is the stack name (stag, prod); its config is Dir/Pulumi.<Stack>.yaml.
	Stack string
	// Dir is the project directory holding Pulumi.yaml (default ".").
	Dir string
	// Project is the project name in Pulumi.yaml (default "flip-hub").
	Project string
	// Program is the inline program; the CLI passes hub.Program.
	Program pulumi.RunFunc
	// Backend overrides PULUMI_BACKEND_URL (e.g. file:///tmp/state, s3://bucket).
	Backend string
	// PulumiRoot, when set, uses <PulumiRoot>/bin/pulumi instead of the one on PATH.
	PulumiRoot string
	// Out receives progress (or JSON events); Err receives errors and notices.
	Out, Err io.Writer
	// JSON writes one engine event per line to Out instead of the progress display.
	JSON bool
	// Message is the update's message in the stack's history (default: the title of the commit
	// checked out in Dir, as the CLI records it).
	Message string
	// EnvVars are extra environment variables for the pulumi CLI.
	EnvVars map[string]string
	// Existing selects a stack that must already exist, as reads, refresh and destroy need:
	// with a wrong backend or stack name they fail instead of creating an empty stack.
	Existing bool
}

// Stack is an opened stack of the project, ready for operations.
type Stack struct {
	opts  Options
	stack auto.Stack
}

// Open selects (creating when absent) the stack in the project directory.
//
// The stack runs hub.Program (Options.Program) as an inline program over the project directory, so
// the stack's own Pulumi.<stack>.yaml is its config.
func Open(ctx context.Context, opts Options) (*Stack, error) {
	if opts.Stack == "" {
		return nil, fail(Usage, "no stack given; want --stack stag or --stack prod")
	}
	if opts.Program == nil {
		return nil, fail(Usage, "open %s: no program", opts.Stack)
	}
	if opts.Dir == "" {
		opts.Dir = "."
	}
	if opts.Project == "" {
		opts.Project = "flip-hub"
	}
	if opts.Out == nil {
		opts.Out = io.Discard
	}
	if opts.Err == nil {
		opts.Err = io.Discard
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fail(Usage, "project directory %s: %w", opts.Dir, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "Pulumi."+opts.Stack+".yaml")); err != nil {
		return nil, fail(Usage, "stack %s has no config file Pulumi.%s.yaml in %s", opts.Stack, opts.Stack, dir)
	}
	env := map[string]string{}
	for k, v := range opts.EnvVars {
		env[k] = v
	}
	if opts.Backend != "" {
		env["PULUMI_BACKEND_URL"] = opts.Backend
	}
	// The CLI in PulumiRoot, else the one on PATH.
	cmd, err := auto.NewPulumiCommand(&auto.PulumiCommandOptions{Root: opts.PulumiRoot, SkipVersionCheck: true})
	if err != nil {
		return nil, fmt.Errorf("pulumi cli %s: %w", cmp.Or(opts.PulumiRoot, "on PATH"), err)
	}
	wsOpts := []auto.LocalWorkspaceOption{auto.WorkDir(dir), auto.EnvVars(env), auto.Pulumi(messageCommand{cmd})}
	open := auto.UpsertStackInlineSource
	if opts.Existing {
		open = auto.SelectStackInlineSource
	}
	st, err := open(ctx, opts.Stack, opts.Project, ownGoroutine(opts.Program), wsOpts...)
	if opts.Existing && auto.IsSelectStack404Error(err) {
		return nil, fail(Usage, "stack %s does not exist in the backend %s; check the stack name and --backend / PULUMI_BACKEND_URL (nothing was created)",
			opts.Stack, backendName(opts.Backend, env))
	}
	if err != nil {
		return nil, classify(fmt.Errorf("open stack %s: %w", opts.Stack, err))
	}
	return &Stack{opts: opts, stack: st}, nil
}

// Environment is the stack's flip-hub:environment, read from its config.
func (s *Stack) Environment(ctx context.Context) (string, error) {
	v, err := s.stack.GetConfig(ctx, s.opts.Project+":environment")
	if err != nil {
		return "", fmt.Errorf("read %s:environment of %s: %w", s.opts.Project, s.opts.Stack, err)
	}
	return v.Value, nil
}

// IsProd reports whether the stack is a production hub, by its name or its config.
func (s *Stack) IsProd(ctx context.Context) (bool, error) {
	if config.IsProd(s.opts.Stack, "") {
		return true, nil
	}
	env, err := s.Environment(ctx)
	if err != nil {
		return false, err
	}
	return config.IsProd(s.opts.Stack, env), nil
}

// classify maps an Automation API error to an outcome code.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	if auto.IsConcurrentUpdateError(err) {
		return &Error{Code: Concurrent, Err: fmt.Errorf("another update holds the stack; wait for it or cancel it: %w", err)}
	}
	return &Error{Code: Failed, Err: err}
}

// backendName says which backend a stack was looked up in, for messages.
func backendName(flag string, env map[string]string) string {
	switch {
	case flag != "":
		return flag
	case env["PULUMI_BACKEND_URL"] != "":
		return env["PULUMI_BACKEND_URL"]
	case os.Getenv("PULUMI_BACKEND_URL") != "":
		return os.Getenv("PULUMI_BACKEND_URL")
	}
	return "of the CLI's login"
}

// SetSecretConfig sets key (project-qualified, e.g. flip-hub:flipApiAesKey) to value as a secret
// of the stack, encrypted by its secrets provider into Pulumi.<stack>.yaml. The value reaches the
// pulumi CLI on its standard input, never on a command line (the Automation API's SetConfig puts
// it in argv, readable in /proc), and never appears in an error.
func (s *Stack) SetSecretConfig(ctx context.Context, key, value string) error {
	ws := s.stack.Workspace()
	var env []string
	if h := ws.PulumiHome(); h != "" {
		env = append(env, "PULUMI_HOME="+h)
	}
	for k, v := range ws.GetEnvVars() {
		env = append(env, k+"="+v)
	}
	_, _, code, err := ws.PulumiCommand().Run(ctx, ws.WorkDir(), strings.NewReader(value), nil, nil, env,
		"config", "set", "--stack", s.opts.Stack, "--secret", key)
	if err != nil {
		return fail(Failed, "set secret %s of %s: pulumi config set exited %d", key, s.opts.Stack, code)
	}
	return nil
}

// StateURNs are the URNs of the resources the stack's state holds (none for a new stack or after
// a destroy).
func (s *Stack) StateURNs(ctx context.Context) ([]string, error) {
	dep, err := s.stack.Export(ctx)
	if err != nil {
		return nil, fail(Failed, "export %s: %v", s.opts.Stack, err)
	}
	if len(dep.Deployment) == 0 {
		return nil, nil
	}
	var doc struct {
		Resources []struct {
			URN string `json:"urn"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(dep.Deployment, &doc); err != nil {
		return nil, fail(Failed, "read the state of %s: %v", s.opts.Stack, err)
	}
	urns := make([]string, 0, len(doc.Resources))
	for _, r := range doc.Resources {
		urns = append(urns, r.URN)
	}
	return urns, nil
}

// Name is the stack's name (stag, prod).
func (s *Stack) Name() string { return s.opts.Stack }
