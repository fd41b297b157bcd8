package plan

import (
	"encoding/json"
	"errors"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/config"
	"github.com/londonaicentre/flip-hub/hub"
)

// Options selects what to plan.
type Options struct {
	// Stack names the stack; its config comes from Dir unless Config is set.
	Stack string
	// Dir holds Pulumi.yaml and Pulumi.<stack>.yaml (default ".").
	Dir string
	// Config, when set, is used instead of the files (tests mutate a loaded copy).
	Config *StackConfig
	// Program defaults to hub.Program.
	Program pulumi.RunFunc
}

// Run runs the program under recording mocks and returns its graph. When the program
// fails (e.g. bad config), the error is returned with whatever was recorded before it.
func Run(opts Options) (*Graph, error) {
	if opts.Dir == "" {
		opts.Dir = "."
	}
	if opts.Program == nil {
		opts.Program = hub.Program
	}
	var cfg StackConfig
	if opts.Config != nil {
		cfg = *opts.Config
	} else {
		loaded, err := LoadStackConfig(opts.Dir, opts.Stack)
		if err != nil {
			return nil, err
		}
		cfg = loaded
	}
	rec := &Recorder{Region: cfg.Values[config.KeyRegion], Account: firstAccount(cfg.Values[config.KeyAllowedAccountIDs])}
	err := pulumi.RunErr(opts.Program,
		pulumi.WithMocks(config.Project, opts.Stack, rec),
		func(info *pulumi.RunInfo) {
			info.Config = cfg.Values
			info.ConfigSecretKeys = cfg.SecretKeys
		})
	g := rec.Graph(opts.Stack, config.Project)
	if err != nil {
		return g, unwrapRunError(err)
	}
	return g, nil
}

func firstAccount(raw string) string {
	var ids []string
	if json.Unmarshal([]byte(raw), &ids) == nil && len(ids) > 0 && ids[0] != "" {
		return ids[0]
	}
	return FakeAccount
}

// unwrapRunError keeps the program's own error (e.g. config.Errors) reachable with
// errors.As, whatever the SDK wrapped around it.
func unwrapRunError(err error) error {
	var cfgErr config.Errors
	if errors.As(err, &cfgErr) {
		return cfgErr
	}
	return err
}
