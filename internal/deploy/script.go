package deploy

import (
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

var scriptTemplate = template.Must(template.New("deploy").Funcs(template.FuncMap{"q": shellQuote, "hostPath": hostPath}).Parse(`#!/bin/bash
# FLIP hub deploy, rendered by flip-hub (package deploy) and sent by ` + "`hubctl host run`" + ` over SSM.
# It carries no secret: SSM keeps command text and output. The FLIP_API internal service key and
# the registry token are read here, on the host, from Secrets Manager with the instance role.
set -euo pipefail
umask 077

readonly DEPLOY_HASH={{q .Hash}}
readonly FLIP_DIR={{q "` + Dir + `"}}
readonly ETC_DIR='/etc'
readonly REGION={{q .Region}}
readonly FL_BACKEND={{q .Backend}}
readonly DOCKER_TAG={{q .Tag}}
readonly DOCKER_FL_TAG={{q .FLTag}}
readonly KIT_DATE={{q .KitDate}}
readonly FLIP_API_SECRET_ARN={{q .FlipAPISecretARN}}
readonly REGISTRY_TOKEN_SECRET_ARN={{q .RegistryTokenSecretARN}}
readonly REGISTRY_HOST={{q .RegistryHost}}
readonly REGISTRY_USER={{q .RegistryUser}}
readonly KITS_BUCKET={{q .KitsBucket}}
readonly HEALTH_URL={{q .HealthURL}}
readonly HEALTH_TIMEOUT={{.HealthTimeoutSeconds}}
readonly LOCK_TIMEOUT=900
export AWS_REGION="${REGION}" AWS_DEFAULT_REGION="${REGION}"

log() { printf '%s flip-deploy: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }
die() {
	log "FAILED: $*" >&2
	exit 1
}
compose() { docker compose --project-name {{q "` + ProjectName + `"}} --project-directory "${FLIP_DIR}" --file "${FLIP_DIR}/compose.yaml" "$@"; }

# write_file PATH MODE: writes stdin to PATH atomically with MODE.
write_file() {
	local tmp
	tmp="$(mktemp "$1.XXXXXX")"
	cat >"${tmp}"
	chmod "$2" "${tmp}"
	mv -f -- "${tmp}" "$1"
}

# write_internal_key DEST: reads the FLIP_API secret JSON on stdin and writes DEST (0600) as an
# env file holding INTERNAL_SERVICE_KEY. The value never appears on a command line or in output.
write_internal_key() {
	python3 -c '
import json, os, re, sys
dest = sys.argv[1]
key = json.load(sys.stdin).get("internal_service_key", "")
if not re.fullmatch(r"[A-Za-z0-9_.~+/=-]{32,}", key):
    sys.exit("the FLIP_API secret has no usable internal_service_key")
tmp = dest + ".tmp"
fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
with os.fdopen(fd, "w") as f:
    f.write("INTERNAL_SERVICE_KEY=\x27" + key + "\x27\n")
os.replace(tmp, dest)
' "$1"
}

# stage_kit S3_PREFIX DEST OWNER [PATTERN...]: syncs one kit directory from the kits bucket into
# DEST.incoming (only the files matching PATTERNs, when given) and refuses an empty one. The live
# DEST is swapped in only once the FL services are stopped.
stage_kit() {
	local src="s3://${KITS_BUCKET}/$1/" staged="$2.incoming" owner="$3"
	shift 3
	local filter=()
	if (($# > 0)); then
		filter=(--exclude '*')
		for p in "$@"; do filter+=(--include "${p}"); done
	fi
	rm -rf -- "${staged}"
	install -d -m 0755 "${staged}"
	aws s3 sync --only-show-errors --no-progress "${filter[@]}" "${src}" "${staged}/" || die "cannot sync the FL kit from ${src}"
	[[ -n "$(ls -A -- "${staged}")" ]] || die "the FL kit ${src} is empty; upload the ${FL_BACKEND} kit release ${KIT_DATE} there, in FLIP's provisioning layout, first"
	# Readable by the container's user, whatever its uid; ` + ServicesDir + ` itself is 0700 root.
	chmod -R a+rX,go-w -- "${staged}"
	if [[ -n "${owner}" ]]; then
		chown -R -- "${owner}" "${staged}"
	fi
}

# swap_kit DEST: replaces DEST by the staged copy, so no stale certificate survives.
swap_kit() {
	rm -rf -- "$1"
	mv -- "$1.incoming" "$1"
}

log "deploy ${DEPLOY_HASH:0:12}: flip-api ${DOCKER_TAG}, ${FL_BACKEND} ${DOCKER_FL_TAG}, kits ${KIT_DATE}"

# 1. The host bootstrap (cloud-init user data) installs Docker, the CloudWatch agent and the AWS CLI.
command -v cloud-init >/dev/null || die "cloud-init is missing; this host was not built by flip-hub"
log "waiting for the host bootstrap (cloud-init) to finish"
rc=0
timeout {{.CloudInitTimeout}} cloud-init status --wait >/dev/null || rc=$?
case "${rc}" in
0 | 2) ;; # 2: finished with recoverable warnings (e.g. deprecated keys)
124) die "the host bootstrap did not finish within {{.CloudInitTimeout}}s; see /var/log/cloud-init-output.log" ;;
*) die "the host bootstrap failed (cloud-init status ${rc}); see /var/log/cloud-init-output.log" ;;
esac
for tool in docker aws python3 curl; do
	command -v "${tool}" >/dev/null || die "${tool} is not installed on the host"
done
docker compose version >/dev/null || die "the docker compose plugin is not installed on the host"
systemctl is-active --quiet docker || die "the docker service is not running"

# One deploy at a time: an overlapping up, or an SSM command its caller gave up on, waits for the
# deploy holding the lock and then gives up rather than run alongside it.
install -d -m 0750 "${FLIP_DIR}"
exec 9>"${FLIP_DIR}/.deploy.lock"
flock -w "${LOCK_TIMEOUT}" 9 || die "another deploy still holds ${FLIP_DIR}/.deploy.lock after ${LOCK_TIMEOUT}s; let it finish (or stop it) and run the deploy again"

# 2. The host's own machinery, before any container starts: the firewall (the FL containers never
# reach the instance metadata service), fl-server's scoped credentials, daily security updates.
log "installing the host firewall, fl-server's credentials and security updates"
install -d -m 0750 {{q "` + BinDir + `"}}
{{range .HostFiles}}write_file "{{hostPath .Path}}" {{.Mode}} <<'{{.Delimiter}}'
{{.Content}}{{.Delimiter}}
{{end}}systemctl daemon-reload
systemctl enable {{q "` + FirewallUnit + `"}} {{q "` + CredentialsTimer + `"}} >/dev/null 2>&1 || die "cannot enable the host's flip units"
systemctl restart {{q "` + FirewallUnit + `"}} || die "the host firewall could not be applied; see journalctl -u ` + FirewallUnit + `"
systemctl start {{q "` + CredentialsUnit + `"}} ||
	die "cannot assume the fl-server role for its credentials; see journalctl -u ` + CredentialsUnit + `"
systemctl start {{q "` + CredentialsTimer + `"}} || die "cannot start the credentials refresh timer"
# Refresh the package lists now rather than at the next daily run, so status reports real numbers.
systemctl start --no-block apt-daily.service >/dev/null 2>&1 || true

# 3. Compose file and non-secret env files.
install -d -m 0750 "${FLIP_DIR}" "${FLIP_DIR}/env"
install -d -m 0700 "${FLIP_DIR}/secrets" {{q "` + ServicesDir + `"}}
write_file "${FLIP_DIR}/compose.yaml" 0640 <<'{{.ComposeDelimiter}}'
{{.Compose}}{{.ComposeDelimiter}}
{{range .EnvFiles}}write_file "${FLIP_DIR}/{{.Path}}" {{.Mode}} <<'{{.Delimiter}}'
{{.Content}}{{.Delimiter}}
{{end}}
# 4. Secrets, read on the host with the instance role.
log "reading the FLIP_API internal service key from Secrets Manager"
flip_api_secret="$(aws secretsmanager get-secret-value --secret-id "${FLIP_API_SECRET_ARN}" --query SecretString --output text)" ||
	die "cannot read the FLIP_API secret ${FLIP_API_SECRET_ARN}"
printf '%s' "${flip_api_secret}" | write_internal_key "${FLIP_DIR}/{{.SecretEnvFile}}" ||
	die "cannot write the fl-server secret env file"
unset flip_api_secret

# 5. Pull every image before touching a running service. Registry credentials live in a
# throw-away DOCKER_CONFIG, never in /root/.docker.
DOCKER_CONFIG="$(mktemp -d)"
export DOCKER_CONFIG
trap 'rm -rf -- "${DOCKER_CONFIG}"' EXIT
if [[ -n "${REGISTRY_TOKEN_SECRET_ARN}" ]]; then
	log "logging in to ${REGISTRY_HOST} with the token from Secrets Manager"
	registry_token="$(aws secretsmanager get-secret-value --secret-id "${REGISTRY_TOKEN_SECRET_ARN}" --query SecretString --output text)" ||
		die "cannot read the registry token secret ${REGISTRY_TOKEN_SECRET_ARN}"
	printf '%s' "${registry_token}" | docker login "${REGISTRY_HOST}" --username "${REGISTRY_USER}" --password-stdin >/dev/null ||
		die "docker login to ${REGISTRY_HOST} failed"
	unset registry_token
else
	log "no registry token secret: pulling public images anonymously"
fi
log "pulling images"
compose pull --quiet || die "pulling the images failed (tags ${DOCKER_TAG} / ${DOCKER_FL_TAG})"
docker logout "${REGISTRY_HOST}" >/dev/null 2>&1 || true

# 6. FL server kits: staged from S3, then swapped in while the FL services are stopped.
{{range .Kits}}stage_kit {{q .S3}} {{q .Host}} {{q .Owner}}{{range .Only}} {{q .}}{{end}}
{{end}}log "stopping the FL services to replace their kits"
compose stop {{range .FLServices}}{{q .}} {{end}}>/dev/null 2>&1 || true
{{range .Kits}}swap_kit {{q .Host}}
{{end}}{{range .RuntimeDirs}}install -d -m 0755 {{q .}}
{{end}}
# 7. Start, then wait for flip-api's health.
log "starting the services"
if ! compose up --detach --remove-orphans; then
	compose ps --all || true
	compose logs --no-color --tail 100 || true
	die "docker compose up failed"
fi
{{if .RegisterService}}log "waiting for the SuperNode key registration"
rc=0
timeout 600 docker compose --project-name {{q "` + ProjectName + `"}} --project-directory "${FLIP_DIR}" --file "${FLIP_DIR}/compose.yaml" wait {{q .RegisterService}} || rc=$?
if [[ "${rc}" != 0 ]]; then
	compose logs --no-color --tail 50 {{q .RegisterService}} || true
	die "registering the SuperNode keys failed (exit ${rc})"
fi
{{end}}
log "waiting up to ${HEALTH_TIMEOUT}s for ${HEALTH_URL}"
deadline=$((SECONDS + HEALTH_TIMEOUT))
until [[ "$(curl -fsS --max-time 5 -o /dev/null -w '%{http_code}' "${HEALTH_URL}" 2>/dev/null)" == 200 ]]; do
	if ((SECONDS >= deadline)); then
		log "flip-api did not answer 200 on ${HEALTH_URL} within ${HEALTH_TIMEOUT}s"
		compose ps --all || true
		compose logs --no-color --tail 100 || true
		die "flip-api is not healthy"
	fi
	sleep 5
done
if ! compose ps --status running --services | grep -qx {{q .FLServer}}; then
	compose ps --all || true
	compose logs --no-color --tail 100 {{q .FLServer}} || true
	die "{{.FLServer}} is not running"
fi

write_file {{q .StateFile}} 0640 <<EOF
DEPLOY_HASH=${DEPLOY_HASH}
FL_BACKEND=${FL_BACKEND}
DOCKER_TAG=${DOCKER_TAG}
DOCKER_FL_TAG=${DOCKER_FL_TAG}
KIT_DATE=${KIT_DATE}
DEPLOYED_AT=$(date -u +%Y-%m-%dT%H:%M:%SZ)
EOF
docker image prune --force --filter until=168h >/dev/null 2>&1 || true
log "deployed: flip-api healthy, {{.FLServer}} running"
`))

// templateParams adds the constants the template prints.
type templateParams struct {
	scriptParams
	ComposeDelimiter string
	CloudInitTimeout int
	StateFile        string
}

// renderScript renders the deploy script.
func renderScript(p scriptParams) (string, error) {
	tp := templateParams{scriptParams: p, CloudInitTimeout: CloudInitTimeoutSeconds, StateFile: StateFile}
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

// shellQuote quotes s for bash as one word: single-quoted, each embedded single quote written
// as a closing quote, an escaped quote and an opening quote.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
