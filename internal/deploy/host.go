package deploy

import (
	"embed"
	"fmt"
	"regexp"
	"strings"
	"text/template"
)

// The hub's compose network. Every service joins it; the FL services take fixed addresses in
// FLSubnet, so the host firewall can tell their traffic from flip-api's, and every other
// container gets an address from HubDynamicRange. The network must not overlap the VPC (config
// refuses a VPC CIDR that does).
const (
	HubNetwork      = "hub"
	HubSubnet       = "192.168.250.0/24"
	HubDynamicRange = "192.168.250.128/25"
	FLSubnet        = "192.168.250.16/28"
)

// flAddresses are the fixed addresses of the FL services in FLSubnet.
var flAddresses = map[string]string{
	ServiceFLServer:     "192.168.250.16",
	ServiceFLAPI:        "192.168.250.17",
	ServiceRegisterKeys: "192.168.250.18",
}

// IMDSAddress is the EC2 instance metadata service. The FL containers run researchers' job
// code, so they must not reach it: it would hand them the host role's credentials (the
// database master secret, the FLIP_API secret, the app buckets).
const IMDSAddress = "169.254.169.254"

// Host files the deploy installs and keeps up to date. Scripts live in BinDir (root only);
// systemd units and apt settings go under /etc.
const (
	BinDir = Dir + "/bin"
	// FirewallScript applies the host firewall (FirewallUnit runs it at every boot, after Docker).
	FirewallScript = BinDir + "/flip-firewall"
	FirewallUnit   = "flip-firewall.service"
	// CredentialsScript refreshes fl-server's scoped credentials (CredentialsUnit, run by
	// CredentialsTimer).
	CredentialsScript = BinDir + "/flip-fl-credentials"
	CredentialsUnit   = "flip-fl-credentials.service"
	CredentialsTimer  = "flip-fl-credentials.timer"
	// CredentialsDir holds fl-server's credentials; it is mounted read-only at
	// CredentialsMount. The parent ServicesDir is root-only, so no host user can read it.
	CredentialsDir   = ServicesDir + "/fl-aws"
	CredentialsMount = "/run/flip-aws"
	// CredentialsRefresh is how often the timer refreshes them; each set is valid for
	// CredentialsLifetime (the most role chaining allows), so a set in use always has over half
	// an hour left and the SDK's own refresh (15 minutes before expiry) finds a fresh one.
	CredentialsRefresh  = "15min"
	CredentialsLifetime = 3600
	// AptConf switches on the daily list update and unattended security upgrades.
	AptConf = "/etc/apt/apt.conf.d/52flip-security-updates"
)

// The firewall's own chains: FLIP-CONTAINERS is jumped to from Docker's DOCKER-USER chain
// (traffic the containers send through the host), FLIP-HOST from OUTPUT (the host's own).
const (
	chainContainers = "FLIP-CONTAINERS"
	chainHost       = "FLIP-HOST"
)

// The host files are templates under host/, filled with hostParams:
//
//   - flip-firewall.sh: idempotent; rebuilds its two chains from scratch and adds each jump to
//     them once. Containers: the FL services (FLSubnet) may not reach the instance metadata
//     service; flip-api may, for its instance-role credentials; no container sends plain HTTP
//     out of the hub network. Host: plain HTTP leaves the host for the metadata service and for
//     apt alone (Ubuntu's archive mirrors serve HTTP only; apt downloads as its sandbox user
//     _apt and verifies Ubuntu's signatures; the security group opens port 80 for that only).
//   - flip-fl-credentials.sh: assumes the fl-server role with the instance role and writes the
//     result in the AWS SDKs' credential_process format, whose Expiration the SDK refreshes by;
//     the container's config file runs `cat` on it, so the FL image needs nothing of ours.
//     Writes are atomic (rename), so a reader never sees half a file.
//   - the systemd units and timer that run them, and 52flip-security-updates, which turns on
//     what Ubuntu's unattended-upgrades does by default on servers (lists refreshed daily,
//     security updates installed daily) so the host never depends on the AMI's defaults.
//     Kernel updates wait for a reboot, which `hubctl status` reports.
//
//go:embed host/*.tmpl
var hostTemplates embed.FS

// hostParams fill the host file templates.
type hostParams struct {
	HubSubnet, FLSubnet, IMDS         string
	ChainContainers, ChainHost        string
	FirewallScript, CredentialsScript string
	CredentialsDir, CredentialsMount  string
	CredentialsRefresh                string
	CredentialsLifetime               int
	RoleARN, Region                   string
}

var hostTmpl = template.Must(template.New("host").Funcs(template.FuncMap{"q": ShellQuote}).ParseFS(hostTemplates, "host/*.tmpl"))

// renderHost renders one host file template for the stack's fl-server role and region.
func renderHost(name, roleARN, region string) (string, error) {
	var b strings.Builder
	err := hostTmpl.ExecuteTemplate(&b, name+".tmpl", hostParams{
		HubSubnet: HubSubnet, FLSubnet: FLSubnet, IMDS: IMDSAddress,
		ChainContainers: chainContainers, ChainHost: chainHost,
		FirewallScript: FirewallScript, CredentialsScript: CredentialsScript,
		CredentialsDir: CredentialsDir, CredentialsMount: CredentialsMount,
		CredentialsRefresh: CredentialsRefresh, CredentialsLifetime: CredentialsLifetime,
		RoleARN: roleARN, Region: region,
	})
	if err != nil {
		return "", fmt.Errorf("render host file %s: %w", name, err)
	}
	return b.String(), nil
}

// roleARNRE is an IAM role ARN.
var roleARNRE = regexp.MustCompile(`^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$`)

// hostFiles are the files under /etc and BinDir the script installs, by absolute path.
func hostFiles(s Spec) ([]heredocFile, error) {
	unitDir := "/etc/systemd/system/"
	files := []heredocFile{
		{Path: FirewallScript, Mode: "0750", Content: "flip-firewall.sh"},
		{Path: CredentialsScript, Mode: "0750", Content: "flip-fl-credentials.sh"},
		{Path: unitDir + FirewallUnit, Mode: "0644", Content: FirewallUnit},
		{Path: unitDir + CredentialsUnit, Mode: "0644", Content: CredentialsUnit},
		{Path: unitDir + CredentialsTimer, Mode: "0644", Content: CredentialsTimer},
		{Path: AptConf, Mode: "0644", Content: "52flip-security-updates"},
	}
	for i, f := range files {
		text, err := renderHost(f.Content, s.FLServerRoleARN, s.Region)
		if err != nil {
			return nil, err
		}
		files[i].Content = text
	}
	return files, nil
}

// FLServerAWSEnv is the environment that points fl-server's AWS SDK at its scoped credentials
// and keeps it from falling back to the instance metadata service.
func FLServerAWSEnv() map[string]string {
	return map[string]string{
		"AWS_CONFIG_FILE":           CredentialsMount + "/config",
		"AWS_EC2_METADATA_DISABLED": "true",
	}
}
