package tests

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

type workflow struct {
	On          map[string]any `yaml:"on"`
	Concurrency struct {
		Group string `yaml:"group"`
	} `yaml:"concurrency"`
	Jobs map[string]struct {
		If          string         `yaml:"if"`
		Environment any            `yaml:"environment"`
		Strategy    map[string]any `yaml:"strategy"`
		Steps       []map[string]any
	} `yaml:"jobs"`
}

func loadWorkflow(t *testing.T, name string) (workflow, string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(ProjectDir(), ".github", "workflows", name))
	if err != nil {
		t.Fatal(err)
	}
	var w workflow
	if err := yaml.Unmarshal(b, &w); err != nil {
		t.Fatal(err)
	}
	return w, string(b)
}

// cloudSecret matches what gives a job a cloud identity or a stack's passphrase.
var cloudSecret = regexp.MustCompile(`configure-aws-credentials|secrets\.PULUMI_CONFIG_PASSPHRASE|AWS_[A-Z_]*ROLE`)

// A pull request runs code nobody has reviewed: no job it triggers may hold prod's role or
// passphrase, and a job holding stag's runs only for same-repository, non-dependabot pull
// requests, in an environment that scopes those secrets to stag.
func TestPullRequestsNeverReachProd(t *testing.T) {
	t.Parallel()
	w, _ := loadWorkflow(t, "preview.yml")
	if _, ok := w.On["pull_request"]; !ok {
		t.Fatal("preview.yml is not the pull-request workflow")
	}
	for name, job := range w.Jobs {
		text, err := yaml.Marshal(job)
		if err != nil {
			t.Fatal(err)
		}
		if !cloudSecret.Match(text) {
			continue
		}
		env, _ := job.Environment.(string)
		switch {
		case env == "" || strings.Contains(env, "prod"):
			t.Errorf("job %s holds cloud credentials in environment %q; want a stag-scoped environment", name, env)
		case strings.Contains(string(text), "prod"):
			t.Errorf("job %s holds cloud credentials and mentions prod:\n%s", name, text)
		case !strings.Contains(job.If, "head.repo.full_name == github.repository") || !strings.Contains(job.If, "dependabot"):
			t.Errorf("job %s runs with credentials for forks or dependabot (if: %q)", name, job.If)
		}
	}
}

// Two deploys of one stack never overlap, whatever ref started them.
func TestDeployConcurrencyPerStack(t *testing.T) {
	t.Parallel()
	w, _ := loadWorkflow(t, "deploy.yml")
	g := w.Concurrency.Group
	if strings.Contains(g, "github.ref") && !strings.Contains(g, "'prod'") {
		t.Errorf("deploy concurrency group %q is per ref; want one group per stack", g)
	}
}
