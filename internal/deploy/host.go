package deploy

import (
	"fmt"
	"regexp"
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

// firewallScript is idempotent: it rebuilds its two chains from scratch and adds each jump to
// them once.
//
// Containers: the FL services (FLSubnet) may not reach the instance metadata service; flip-api
// may, for its instance-role credentials. No container sends plain HTTP out of the hub network.
//
// Host: plain HTTP leaves the host for the instance metadata service and for apt alone. Ubuntu's
// archive mirrors serve HTTP only, and apt downloads as its sandbox user _apt, verifying
// Ubuntu's signatures; the security group opens port 80 for that and nothing else uses it.
var firewallScript = fmt.Sprintf(`#!/bin/bash
# flip-firewall: the hub host's firewall, installed by the FLIP hub deploy. Do not edit here.
set -euo pipefail
readonly HUB_SUBNET=%[1]q FL_SUBNET=%[2]q IMDS=%[3]q
ipt() { iptables -w 10 "$@"; }
# chain NAME: an empty chain of that name.
chain() { ipt -N "$1" 2>/dev/null || true; ipt -F "$1"; }
# jump FROM TO: FROM's first rule sends everything to TO, added once.
jump() { ipt -C "$1" -j "$2" 2>/dev/null || ipt -I "$1" 1 -j "$2"; }

if ! ipt -L DOCKER-USER -n >/dev/null 2>&1; then
	echo "flip-firewall: Docker's DOCKER-USER chain is missing; is Docker running?" >&2
	exit 1
fi
chain %[4]s
ipt -A %[4]s -s "${FL_SUBNET}" -d "${IMDS}/32" -j REJECT
ipt -A %[4]s -d "${IMDS}/32" -j RETURN
ipt -A %[4]s -s "${HUB_SUBNET}" ! -d "${HUB_SUBNET}" -p tcp --dport 80 -j REJECT
jump DOCKER-USER %[4]s

chain %[5]s
ipt -A %[5]s -o lo -j RETURN
ipt -A %[5]s -d "${IMDS}/32" -j RETURN
ipt -A %[5]s -p tcp --dport 80 -m owner --uid-owner _apt -j RETURN
ipt -A %[5]s -p tcp --dport 80 -j REJECT
jump OUTPUT %[5]s
echo "flip-firewall: rules applied"
`, HubSubnet, FLSubnet, IMDSAddress, chainContainers, chainHost)

var firewallUnit = fmt.Sprintf(`# Installed by the FLIP hub deploy. Do not edit here.
[Unit]
Description=FLIP hub firewall (FL containers kept from instance metadata; plain HTTP for apt only)
After=docker.service
Requires=docker.service
PartOf=docker.service

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=%s

[Install]
WantedBy=multi-user.target docker.service
`, FirewallScript)

// credentialsScript assumes the fl-server role with the instance role and writes the result
// in the format of the AWS SDKs' credential_process, whose output carries an Expiration the SDK
// refreshes by. The container's config file runs `cat` on it, so the FL image needs nothing
// of ours. Writes are atomic (rename), so a reader never sees half a file.
var credentialsScript = `#!/bin/bash
# flip-fl-credentials: fl-server's scoped AWS credentials, installed by the FLIP hub deploy.
set -euo pipefail
umask 022
readonly ROLE_ARN="$1" REGION="$2" DIR=` + shellQuote(CredentialsDir) + `
install -d -m 0755 "${DIR}"
tmp="$(mktemp "${DIR}/.credentials.XXXXXX")"
trap 'rm -f -- "${tmp}"' EXIT
aws sts assume-role --region "${REGION}" --role-arn "${ROLE_ARN}" --role-session-name flip-fl-server \
	--duration-seconds ` + fmt.Sprint(CredentialsLifetime) + ` --output json |
	python3 -c '
import json, sys
c = json.load(sys.stdin)["Credentials"]
json.dump({"Version": 1, "AccessKeyId": c["AccessKeyId"], "SecretAccessKey": c["SecretAccessKey"],
           "SessionToken": c["SessionToken"], "Expiration": c["Expiration"]}, sys.stdout)
' >"${tmp}"
chmod 0644 "${tmp}"
mv -f -- "${tmp}" "${DIR}/credentials.json"
printf '[default]\nregion = %s\ncredential_process = cat %s/credentials.json\n' "${REGION}" ` + shellQuote(CredentialsMount) + ` >"${DIR}/config.tmp"
mv -f -- "${DIR}/config.tmp" "${DIR}/config"
echo "flip-fl-credentials: refreshed"
`

func credentialsUnit(roleARN, region string) string {
	return fmt.Sprintf(`# Installed by the FLIP hub deploy. Do not edit here.
[Unit]
Description=FLIP fl-server scoped AWS credentials
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
ExecStart=%s %s %s
`, CredentialsScript, roleARN, region)
}

var credentialsTimer = fmt.Sprintf(`# Installed by the FLIP hub deploy. Do not edit here.
[Unit]
Description=Refresh FLIP fl-server scoped AWS credentials

[Timer]
OnBootSec=30s
OnUnitActiveSec=%s
AccuracySec=1min

[Install]
WantedBy=timers.target
`, CredentialsRefresh)

// aptConf turns on what Ubuntu's unattended-upgrades package does by default on servers, so
// the host never depends on the AMI's defaults: lists refreshed daily, security updates
// installed daily (50unattended-upgrades allows the -security pocket). Kernel updates wait for
// a reboot, which `hubctl status` reports.
const aptConf = `// Installed by the FLIP hub deploy. Do not edit here.
APT::Periodic::Update-Package-Lists "1";
APT::Periodic::Unattended-Upgrade "1";
APT::Periodic::AutocleanInterval "7";
`

// roleARNRE is an IAM role ARN.
var roleARNRE = regexp.MustCompile(`^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$`)

// hostFiles are the files under /etc and BinDir the script installs, by absolute path.
func hostFiles(s Spec) []heredocFile {
	unitDir := "/etc/systemd/system/"
	return []heredocFile{
		{Path: FirewallScript, Mode: "0750", Content: firewallScript},
		{Path: CredentialsScript, Mode: "0750", Content: credentialsScript},
		{Path: unitDir + FirewallUnit, Mode: "0644", Content: firewallUnit},
		{Path: unitDir + CredentialsUnit, Mode: "0644", Content: credentialsUnit(s.FLServerRoleARN, s.Region)},
		{Path: unitDir + CredentialsTimer, Mode: "0644", Content: credentialsTimer},
		{Path: AptConf, Mode: "0644", Content: aptConf},
	}
}

// FLServerAWSEnv is the environment that points fl-server's AWS SDK at its scoped credentials
// and keeps it from falling back to the instance metadata service.
func FLServerAWSEnv() map[string]string {
	return map[string]string{
		"AWS_CONFIG_FILE":           CredentialsMount + "/config",
		"AWS_EC2_METADATA_DISABLED": "true",
	}
}
