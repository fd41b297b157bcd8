package deploy

import (
	_ "embed"
	"fmt"
	"strings"
	"text/template"
)

// scriptParams are the values the deploy script is rendered from. Every field is a name, a
// path, an ARN or a setting; none is a secret.
type scriptParams struct {
	Hash                   string
	Backend                string
	Region                 string
	Tag                    string
	FLTag                  string
	KitDate                string
	Compose                string
	EnvFiles               []heredocFile
	HostFiles              []heredocFile
	SecretEnvFile          string
	FlipAPISecretARN       string
	RegistryTokenSecretARN string
	RegistryHost           string
	RegistryUser           string
	KitsBucket             string
	Kits                   []KitDir
	RuntimeDirs            []string
	FLServices             []string
	FLServer               string
	RegisterService        string
	HealthURL              string
	HealthTimeoutSeconds   int
}

// heredocFile is a file the script writes from a quoted heredoc.
type heredocFile struct {
	Path      string
	Mode      string
	Delimiter string
	Content   string
}

// CloudInitTimeoutSeconds bounds the wait for the host's first-boot bootstrap (Docker, the
// CloudWatch agent, the AWS CLI) before the deploy gives up.
const CloudInitTimeoutSeconds = 900

// StateFile records, on the host, what the last successful deploy deployed.
const StateFile = Dir + "/deployed.env"

// deployScript is the deploy script's template (deploy.sh.tmpl); templateParams fill it.
//
//go:embed deploy.sh.tmpl
var deployScript string

var scriptTemplate = template.Must(template.New("deploy").Funcs(template.FuncMap{"q": ShellQuote, "hostPath": hostPath}).Parse(deployScript))

// templateParams adds the constants the template prints.
type templateParams struct {
	scriptParams
	ComposeDelimiter string
	CloudInitTimeout int
	StateFile        string
	// Fixed paths and names of the host.
	Dir, ServicesDir, BinDir, ProjectName           string
	FirewallUnit, CredentialsUnit, CredentialsTimer string
}

// renderScript renders the deploy script.
func renderScript(p scriptParams) (string, error) {
	tp := templateParams{
		scriptParams: p, CloudInitTimeout: CloudInitTimeoutSeconds, StateFile: StateFile,
		Dir: Dir, ServicesDir: ServicesDir, BinDir: BinDir, ProjectName: ProjectName,
		FirewallUnit: FirewallUnit, CredentialsUnit: CredentialsUnit, CredentialsTimer: CredentialsTimer,
	}
	var err error
	if tp.ComposeDelimiter, err = delimiter("FLIP_EOF_COMPOSE", p.Compose); err != nil {
		return "", err
	}
	for i := range tp.EnvFiles {
		f := &tp.EnvFiles[i]
		if f.Delimiter, err = delimiter(fmt.Sprintf("FLIP_EOF_ENV_%d", i+1), f.Content); err != nil {
			return "", err
		}
	}
	for i := range tp.HostFiles {
		f := &tp.HostFiles[i]
		if f.Delimiter, err = delimiter(fmt.Sprintf("FLIP_EOF_HOST_%d", i+1), f.Content); err != nil {
			return "", err
		}
	}
	var b strings.Builder
	if err := scriptTemplate.Execute(&b, tp); err != nil {
		return "", fmt.Errorf("render deploy script: %w", err)
	}
	return b.String(), nil
}

// delimiter returns name as a heredoc delimiter after checking that content ends in a newline
// and never holds it as a line, which would end the heredoc early.
func delimiter(name, content string) (string, error) {
	if content != "" && !strings.HasSuffix(content, "\n") {
		return "", fmt.Errorf("render deploy script: %s content does not end in a newline", name)
	}
	for _, line := range strings.Split(content, "\n") {
		if line == name {
			return "", fmt.Errorf("render deploy script: content holds the heredoc delimiter %s", name)
		}
	}
	return name, nil
}

// hostPath writes an absolute host path for the script: under /etc through ETC_DIR, anything
// else as it is. Paths are constants of this package, never user input.
func hostPath(p string) string {
	if rest, ok := strings.CutPrefix(p, "/etc/"); ok {
		return "${ETC_DIR}/" + rest
	}
	return p
}

// ShellQuote quotes s for bash as one word: single-quoted, each embedded single quote written
// as a closing quote, an escaped quote and an opening quote.
func ShellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
