package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
	"golang.org/x/mod/modfile"
)

type workflowStep map[string]any

type workflowJob struct {
	If          string         `yaml:"if"`
	Environment any            `yaml:"environment"`
	Permissions any            `yaml:"permissions"`
	Strategy    map[string]any `yaml:"strategy"`
	Steps       []workflowStep
}

type workflow struct {
	On          map[string]any `yaml:"on"`
	Permissions any            `yaml:"permissions"`
	Concurrency struct {
		Group            string `yaml:"group"`
		CancelInProgress any    `yaml:"cancel-in-progress"`
	} `yaml:"concurrency"`
	Jobs map[string]workflowJob `yaml:"jobs"`
}

func loadWorkflow(t *testing.T, name string) (workflow, string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(ProjectDir(), ".github", "workflows", name))
	if err != nil {
		t.Fatal(err)
	}
	var w workflow
	if err := yaml.Unmarshal(b, &w); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return w, string(b)
}

// workflowNames are the files of .github/workflows.
func workflowNames(t *testing.T) []string {
	t.Helper()
	var names []string
	for _, pattern := range []string{"*.yml", "*.yaml"} {
		m, err := filepath.Glob(filepath.Join(ProjectDir(), ".github", "workflows", pattern))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range m {
			names = append(names, filepath.Base(p))
		}
	}
	if len(names) == 0 {
		t.Fatal("no workflows in .github/workflows")
	}
	return names
}

func (s workflowStep) str(key string) string {
	v, _ := s[key].(string)
	return v
}

func (s workflowStep) with(key string) (any, bool) {
	// yaml decodes a map nested in a workflowStep as a workflowStep.
	var w map[string]any
	switch m := s["with"].(type) {
	case workflowStep:
		w = m
	case map[string]any:
		w = m
	}
	v, ok := w[key]
	return v, ok
}

// action is the step's action without its ref ("pulumi/actions"), or "" for a run step.
func (s workflowStep) action() string {
	a, _, _ := strings.Cut(s.str("uses"), "@")
	return a
}

// uses reports whether any step of the job runs the action.
func (j workflowJob) uses(action string) bool {
	return slices.ContainsFunc(j.Steps, func(s workflowStep) bool { return s.action() == action })
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

// Two deploys of one stack never overlap, whatever ref started them, and a running update is
// never cancelled by the next push.
func TestDeployConcurrencyPerStack(t *testing.T) {
	t.Parallel()
	w, _ := loadWorkflow(t, "deploy.yml")
	g := w.Concurrency.Group
	if strings.Contains(g, "github.ref") && !strings.Contains(g, "'prod'") {
		t.Errorf("deploy concurrency group %q is per ref; want one group per stack", g)
	}
	if !strings.Contains(g, "'prod'") || !strings.Contains(g, "'stag'") {
		t.Errorf("deploy concurrency group %q does not name the stack", g)
	}
	if w.Concurrency.CancelInProgress != false {
		t.Errorf("deploy concurrency cancel-in-progress is %v; want false (an update is never cancelled midway)", w.Concurrency.CancelInProgress)
	}
}

// The pulumi CLI has one version: .pulumi-version (read by .ci/run and by pulumi/actions in the
// workflows), the CLI module tools/go.mod builds, and the SDK the program links.
func TestPulumiVersionsAgree(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join(ProjectDir(), ".pulumi-version"))
	if err != nil {
		t.Fatal(err)
	}
	file := strings.TrimSpace(string(b))
	if !regexp.MustCompile(`^v?\d+\.\d+\.\d+$`).MatchString(file) {
		t.Fatalf(".pulumi-version holds %q; want one exact version such as 3.274.1", file)
	}
	tools := moduleVersion(t, filepath.Join("tools", "go.mod"), "github.com/pulumi/pulumi/pkg/v3")
	sdk := moduleVersion(t, "go.mod", "github.com/pulumi/pulumi/sdk/v3")
	want := "v" + strings.TrimPrefix(file, "v")
	if tools != want || sdk != want {
		t.Errorf("pulumi versions disagree: .pulumi-version %s, tools/go.mod pkg/v3 %s, go.mod sdk/v3 %s; bump all three together", want, tools, sdk)
	}
}

// moduleVersion is the version of path the go.mod at rel (under the project) builds with,
// replacements included.
func moduleVersion(t *testing.T, rel, path string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(ProjectDir(), rel))
	if err != nil {
		t.Fatal(err)
	}
	f, err := modfile.Parse(rel, b, nil)
	if err != nil {
		t.Fatal(err)
	}
	v := ""
	for _, r := range f.Require {
		if r.Mod.Path == path {
			v = r.Mod.Version
		}
	}
	if v == "" {
		t.Fatalf("%s does not require %s", rel, path)
	}
	for _, r := range f.Replace {
		if r.Old.Path == path && (r.Old.Version == "" || r.Old.Version == v) {
			if r.New.Version == "" {
				t.Fatalf("%s replaces %s with the directory %s; its version is unknown", rel, path, r.New.Path)
			}
			v = r.New.Version
		}
	}
	return v
}

var (
	// usesLine is a uses: line of a workflow, with its trailing comment.
	usesLine = regexp.MustCompile(`(?m)^\s*(?:-\s+)?uses:\s*["']?([^\s"'#]+)["']?[ \t]*(#.*)?$`)
	// pinnedRef is an action pinned to a full commit SHA.
	pinnedRef = regexp.MustCompile(`^[\w.-]+/[\w.-]+(?:/[\w./-]+)?@[0-9a-f]{40}$`)
	// versionComment names the release the SHA is, for readers and for dependabot.
	versionComment = regexp.MustCompile(`^#\s*v\d+\.\d+\.\d+\s*$`)
)

// Every action runs a commit, not a tag that can be moved: a full 40-hex SHA with the release it
// is in a "# vX.Y.Z" comment; one action is pinned to one SHA in every workflow.
func TestActionsPinnedToCommits(t *testing.T) {
	t.Parallel()
	pins := map[string]string{} // action -> "sha # vX.Y.Z" and the first file using it
	for _, name := range workflowNames(t) {
		w, text := loadWorkflow(t, name)
		steps := 0
		for _, job := range w.Jobs {
			for _, s := range job.Steps {
				if s.str("uses") != "" {
					steps++
				}
			}
		}
		lines := usesLine.FindAllStringSubmatch(text, -1)
		if len(lines) != steps {
			t.Errorf("%s: %d uses: lines but %d steps with uses; write each as one `uses: owner/repo@sha # vX.Y.Z` line", name, len(lines), steps)
		}
		for _, m := range lines {
			ref, comment := m[1], strings.TrimSpace(m[2])
			if strings.HasPrefix(ref, "./") {
				continue
			}
			if !pinnedRef.MatchString(ref) {
				t.Errorf("%s: %s is not pinned to a full commit SHA", name, ref)
				continue
			}
			if !versionComment.MatchString(comment) {
				t.Errorf("%s: %s has comment %q; want the release, e.g. # v1.2.3", name, ref, comment)
			}
			action, sha, _ := strings.Cut(ref, "@")
			pin := sha + " " + comment
			if prev, ok := pins[action]; ok && !strings.HasPrefix(prev, pin+" ") {
				t.Errorf("%s pins %s to %s; another workflow pins it to %s", name, action, pin, prev)
			} else if !ok {
				pins[action] = pin + " (" + name + ")"
			}
		}
	}
}

// pulumi/actions installs the CLI .pulumi-version names, never its own default (the newest).
func TestPulumiActionReadsVersionFile(t *testing.T) {
	t.Parallel()
	found := 0
	for _, name := range workflowNames(t) {
		w, _ := loadWorkflow(t, name)
		for jobName, job := range w.Jobs {
			for _, s := range job.Steps {
				if s.action() != "pulumi/actions" {
					continue
				}
				found++
				f, _ := s.with("pulumi-version-file")
				if f != ".pulumi-version" {
					t.Errorf("%s job %s: pulumi/actions step %q has pulumi-version-file %v; want .pulumi-version", name, jobName, s.str("name"), f)
				}
				if _, ok := s.with("pulumi-version"); ok {
					t.Errorf("%s job %s: pulumi/actions step %q sets pulumi-version; the version lives in .pulumi-version", name, jobName, s.str("name"))
				}
			}
		}
	}
	if found == 0 {
		t.Error("no workflow step uses pulumi/actions")
	}
}

// permissionMap reads a permissions: block; "read-all" and "write-all" come back as a scope "*".
func permissionMap(t *testing.T, where string, p any) map[string]string {
	t.Helper()
	switch p := p.(type) {
	case nil:
		return nil
	case string:
		return map[string]string{"*": p}
	case map[string]any:
		m := map[string]string{}
		for k, v := range p {
			m[k] = fmt.Sprint(v)
		}
		return m
	}
	t.Fatalf("%s: permissions %v is neither a map nor a string", where, p)
	return nil
}

// Least privilege: a workflow grants contents: read and nothing more; a job asks for what it
// uses: id-token: write only to assume a role through OIDC, pull-requests: write only to comment
// on the pull request. Every job states its permissions.
func TestWorkflowPermissionsLeastPrivilege(t *testing.T) {
	t.Parallel()
	for _, name := range workflowNames(t) {
		w, _ := loadWorkflow(t, name)
		top := permissionMap(t, name, w.Permissions)
		if len(top) != 1 || top["contents"] != "read" {
			t.Errorf("%s: workflow permissions %v; want exactly contents: read", name, top)
		}
		for jobName, job := range w.Jobs {
			where := name + " job " + jobName
			perms := permissionMap(t, where, job.Permissions)
			if perms == nil {
				t.Errorf("%s: no permissions block; state what the job needs (contents: read at least)", where)
				continue
			}
			for scope, level := range perms {
				switch {
				case scope == "*" || level == "write-all":
					t.Errorf("%s: permissions %s: %s; name each scope", where, scope, level)
				case level != "write":
				case scope == "id-token":
					if !job.uses("aws-actions/configure-aws-credentials") {
						t.Errorf("%s: id-token: write without an OIDC role assumption", where)
					}
				case scope == "pull-requests":
					comments := slices.ContainsFunc(job.Steps, func(s workflowStep) bool {
						v, _ := s.with("comment-on-pr")
						return v == true
					})
					if !comments {
						t.Errorf("%s: pull-requests: write without a step commenting on the pull request", where)
					}
				default:
					t.Errorf("%s: %s: write is more than any job here needs", where, scope)
				}
			}
			if job.uses("aws-actions/configure-aws-credentials") && perms["id-token"] != "write" {
				t.Errorf("%s: assumes a role through OIDC without id-token: write", where)
			}
		}
	}
}

// testCommand matches a step that runs the test suite.
var testCommand = regexp.MustCompile(`\bgo test\b|\.ci/run\b`)

// The suite runs once per push or pull request: in one job, never in a matrix leg.
func TestTestsRunOnce(t *testing.T) {
	t.Parallel()
	var jobs []string
	for _, name := range workflowNames(t) {
		w, _ := loadWorkflow(t, name)
		for jobName, job := range w.Jobs {
			if !slices.ContainsFunc(job.Steps, func(s workflowStep) bool { return testCommand.MatchString(s.str("run")) }) {
				continue
			}
			jobs = append(jobs, name+" job "+jobName)
			if _, ok := job.Strategy["matrix"]; ok {
				t.Errorf("%s job %s runs the tests in every matrix leg; run them in one job", name, jobName)
			}
		}
	}
	if len(jobs) != 1 {
		t.Errorf("the tests run in %d jobs (%v); want exactly one", len(jobs), jobs)
	}
}

// A failing step fails its job: continue-on-error is only for the advisory policy-pack step.
func TestOnlyThePolicyPackIsAdvisory(t *testing.T) {
	t.Parallel()
	for _, name := range workflowNames(t) {
		w, _ := loadWorkflow(t, name)
		for jobName, job := range w.Jobs {
			for _, s := range job.Steps {
				coe, ok := s["continue-on-error"]
				if !ok || coe == false {
					continue
				}
				if _, policy := s.with("policyPacks"); !policy {
					t.Errorf("%s job %s: step %q has continue-on-error; only the policy-pack step may", name, jobName, s.str("name"))
				}
				if _, comments := s.with("comment-on-pr"); comments {
					t.Errorf("%s job %s: step %q posts the preview and is advisory; the preview diff must stay blocking", name, jobName, s.str("name"))
				}
			}
		}
	}
}

// A deploy ends with hubctl status on the stack it updated, after the update and in the same job
// (same backend, passphrase and role).
func TestDeploySmokeChecksStatus(t *testing.T) {
	t.Parallel()
	w, _ := loadWorkflow(t, "deploy.yml")
	for jobName, job := range w.Jobs {
		up, status := -1, -1
		for i, s := range job.Steps {
			run := s.str("run")
			switch {
			case strings.Contains(run, "hubctl up "):
				up = i
			case strings.Contains(run, `hubctl status --stack "$STACK"`):
				status = i
			}
		}
		if up < 0 {
			continue
		}
		if status < up {
			t.Errorf("deploy job %s runs hubctl up but no hubctl status --stack \"$STACK\" after it", jobName)
		}
	}
}

// Dependabot watches the actions and both Go modules every week.
func TestDependabotCoversActionsAndModules(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join(ProjectDir(), ".github", "dependabot.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Version int `yaml:"version"`
		Updates []struct {
			Ecosystem string `yaml:"package-ecosystem"`
			Directory string `yaml:"directory"`
			Schedule  struct {
				Interval string `yaml:"interval"`
			} `yaml:"schedule"`
		} `yaml:"updates"`
	}
	if err := yaml.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Version != 2 {
		t.Errorf("dependabot.yml version %d; want 2", cfg.Version)
	}
	got := map[string]string{}
	for _, u := range cfg.Updates {
		got[u.Ecosystem+" "+u.Directory] = u.Schedule.Interval
	}
	for _, want := range []string{"github-actions /", "gomod /", "gomod /tools"} {
		if got[want] != "weekly" {
			t.Errorf("dependabot.yml: %s has interval %q; want weekly", want, got[want])
		}
	}
}
