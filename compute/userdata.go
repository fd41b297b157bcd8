package compute

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"text/template"

	"github.com/londonaicentre/flip-hub/internal/awsid"
	"github.com/londonaicentre/flip-hub/internal/deploy"
)

// Signing keys the bootstrap pins. A download whose key has another fingerprint is refused,
// so a compromised mirror or a hijacked DNS name cannot install software on the hub host.
const (
	// DockerKeyFingerprint is Docker's apt repository signing key
	// (https://docs.docker.com/engine/install/ubuntu/).
	DockerKeyFingerprint = "9DC858229FC7DD38854AE2D88D81803C0EBFCD88"
	// CloudWatchAgentKeyFingerprint is the Amazon CloudWatch Agent package signing key
	// (CloudWatch user guide, "Verifying the signature of the CloudWatch agent package").
	CloudWatchAgentKeyFingerprint = "937616F3450B7D806CBD9725D58167303B789C72"
)

// Host paths the bootstrap writes.
const (
	cwAgentConfig = "/opt/aws/amazon-cloudwatch-agent/etc/flip-hub.json"
	dockerDaemon  = "/etc/docker/daemon.json"
	// containerLogs is where Docker's json-file driver writes each container's log.
	containerLogs = "/var/lib/docker/containers/*/*-json.log"
)

// maxUserData is EC2's limit on user data, before base64.
const maxUserData = 16 << 10

// LogGroups are the host's CloudWatch log groups (created by the component, so their
// retention and key are set by the stack, not by the agent).
type LogGroups struct {
	// Containers receives every container's stdout and stderr, one stream per container.
	Containers string
	// System receives syslog and the bootstrap's cloud-init output.
	System string
	// Deploy receives the full output of each deploy command (SSM Run Command).
	Deploy string
}

// UserDataArgs are the values the bootstrap is rendered from. None is secret.
type UserDataArgs struct {
	Region string
	// Arch is the Debian architecture of the AMI: amd64 or arm64.
	Arch      string
	LogGroups LogGroups
}

var (
	logGroupRE = regexp.MustCompile(`^[A-Za-z0-9_./#-]{1,512}$`)
)

func (a UserDataArgs) validate() error {
	switch {
	case !awsid.Region(a.Region):
		return fmt.Errorf("user data: region %q is not an AWS region", a.Region)
	case a.Arch != "amd64" && a.Arch != "arm64":
		return fmt.Errorf("user data: architecture %q; want amd64 or arm64", a.Arch)
	}
	for _, g := range []string{a.LogGroups.Containers, a.LogGroups.System} {
		if !logGroupRE.MatchString(g) {
			return fmt.Errorf("user data: log group %q is not a log group name", g)
		}
	}
	return nil
}

// dockerDaemonConfig is /etc/docker/daemon.json. json-file logs rotate at 5 × 50 MB per
// container and label each line with its compose service, so the one container log group can be
// filtered by service; live-restore keeps containers up while dockerd restarts (upgrades);
// no-new-privileges is the default for any container the compose file does not cover.
func dockerDaemonConfig() (string, error) {
	b, err := json.MarshalIndent(map[string]any{
		"log-driver": "json-file",
		"log-opts": map[string]string{
			"max-size": "50m",
			"max-file": "5",
			"labels":   "com.docker.compose.service",
		},
		"live-restore":      true,
		"no-new-privileges": true,
	}, "", "  ")
	if err != nil {
		return "", fmt.Errorf("docker daemon config: %w", err)
	}
	return string(b) + "\n", nil
}

// cloudWatchAgentConfig ships the container logs and the host's system logs to their groups
// and publishes memory and root-disk use (which EC2 metrics lack). It never sets retention or
// creates groups: the stack owns both.
func cloudWatchAgentConfig(g LogGroups) (string, error) {
	type file struct {
		FilePath         string `json:"file_path"`
		LogGroupName     string `json:"log_group_name"`
		LogStreamName    string `json:"log_stream_name"`
		PublishMultiLogs bool   `json:"publish_multi_logs,omitempty"`
		Timezone         string `json:"timezone"`
	}
	cfg := map[string]any{
		"agent": map[string]any{
			"metrics_collection_interval": 60,
			// Docker's container log directories are readable by root only.
			"run_as_user": "root",
		},
		"logs": map[string]any{
			"logs_collected": map[string]any{
				"files": map[string]any{
					"collect_list": []file{
						// With a wildcard the agent tails only the newest matching file unless
						// publish_multi_logs is set; then every container gets its own stream.
						{FilePath: containerLogs, LogGroupName: g.Containers, LogStreamName: "{instance_id}", PublishMultiLogs: true, Timezone: "UTC"},
						{FilePath: "/var/log/syslog", LogGroupName: g.System, LogStreamName: "{instance_id}/syslog", Timezone: "UTC"},
						{FilePath: "/var/log/cloud-init-output.log", LogGroupName: g.System, LogStreamName: "{instance_id}/cloud-init-output", Timezone: "UTC"},
					},
				},
			},
		},
		"metrics": map[string]any{
			"namespace":         "FLIP/HubHost",
			"append_dimensions": map[string]string{"InstanceId": "${aws:InstanceId}"},
			"metrics_collected": map[string]any{
				"mem":  map[string]any{"measurement": []string{"mem_used_percent"}},
				"disk": map[string]any{"measurement": []string{"used_percent"}, "resources": []string{"/"}},
			},
		},
	}
	b, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return "", fmt.Errorf("cloudwatch agent config: %w", err)
	}
	return string(b) + "\n", nil
}

// userDataScript is the bootstrap's template (userdata.sh.tmpl).
//
//go:embed userdata.sh.tmpl
var userDataScript string

var userDataTemplate = template.Must(template.New("userdata").Funcs(template.FuncMap{"q": deploy.ShellQuote}).Parse(userDataScript))

// UserData renders the hub host's bootstrap script (EC2 user data).
func UserData(a UserDataArgs) (string, error) {
	if err := a.validate(); err != nil {
		return "", err
	}
	daemon, err := dockerDaemonConfig()
	if err != nil {
		return "", err
	}
	agent, err := cloudWatchAgentConfig(a.LogGroups)
	if err != nil {
		return "", err
	}
	for name, content := range map[string]string{"FLIP_EOF_DAEMON": daemon, "FLIP_EOF_CWAGENT": agent} {
		if strings.Contains(content, name) {
			return "", fmt.Errorf("user data: content holds the heredoc delimiter %s", name)
		}
	}
	var b bytes.Buffer
	err = userDataTemplate.Execute(&b, map[string]any{
		"Region":            a.Region,
		"Arch":              a.Arch,
		"DockerKey":         DockerKeyFingerprint,
		"CWAgentKey":        CloudWatchAgentKeyFingerprint,
		"DockerDaemon":      dockerDaemon,
		"DaemonJSON":        daemon,
		"CWAgentConfigPath": cwAgentConfig,
		"CWAgentJSON":       agent,
		"FlipDir":           deploy.Dir,
		"ServicesDir":       deploy.ServicesDir,
		"SecretsDir":        deploy.Dir + "/secrets",
	})
	if err != nil {
		return "", fmt.Errorf("user data: %w", err)
	}
	if b.Len() > maxUserData {
		return "", fmt.Errorf("user data: %d bytes; EC2 allows %d", b.Len(), maxUserData)
	}
	return b.String(), nil
}
