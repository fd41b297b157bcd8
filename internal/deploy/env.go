package deploy

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/londonaicentre/flip-hub/internal/flip"
)

// File is one rendered file: its path relative to Dir and its content.
type File struct {
	Path    string
	Content string
}

// flipAPIInternalURL is flip-api on the hub's compose network. fl-server must never go through
// CloudFront: the /api/* behaviour removes X-Internal-Service-Key from every request it forwards
// (edge.StripCode), so the header is honoured only inside the hub.
var flipAPIInternalURL = fmt.Sprintf("http://%s:%d/api", ServiceFlipAPI, APIPort)

// flAPIURL is fl-api on the hub's compose network.
var flAPIURL = fmt.Sprintf("http://%s:8000", ServiceFLAPI)

// s3Endpoint is the regional S3 endpoint: new buckets' global DNS names lag behind.
func s3Endpoint(region string) string { return "https://s3." + region + ".amazonaws.com" }

// envModel returns each service's non-secret environment, keyed by env file path.
func envModel(s Spec) (map[string]map[string]string, error) {
	slots, err := json.Marshal(s.KitSlotNames)
	if err != nil {
		return nil, fmt.Errorf("kit slot names: %w", err)
	}
	nets, err := json.Marshal(map[string]string{Net: flAPIURL})
	if err != nil {
		return nil, fmt.Errorf("net endpoints: %w", err)
	}
	common := map[string]string{
		"AWS_REGION":          s.Region,
		"AWS_DEFAULT_REGION":  s.Region,
		"AWS_ENDPOINT_URL_S3": s3Endpoint(s.Region),
		"LOG_LEVEL":           s.LogLevel,
	}
	with := func(extra map[string]string) map[string]string {
		out := make(map[string]string, len(common)+len(extra))
		for k, v := range common {
			out[k] = v
		}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}

	flipAPI := with(map[string]string{
		"ENV":                          "production",
		"ENFORCE_MFA":                  strconv.FormatBool(s.EnforceMFA),
		"AWS_COGNITO_USER_POOL_ID":     s.UserPoolID,
		"AWS_COGNITO_APP_CLIENT_ID":    s.AppClientID,
		"POSTGRES_USER":                s.DBUser,
		"POSTGRES_SECRET_ARN":          s.DBSecretARN,
		"DB_HOST":                      s.DBHost,
		"DB_PORT":                      strconv.Itoa(s.DBPort),
		"POSTGRES_DB":                  s.DBName,
		"TRUST_API_KEY_HEADER":         s.TrustAPIKeyHeader,
		"INTERNAL_SERVICE_KEY_HEADER":  InternalServiceKeyHeader,
		"AWS_SECRET_NAME":              s.FlipAPISecretName,
		"AWS_SES_ADMIN_EMAIL_ADDRESS":  s.SESAdminEmail,
		"AWS_SES_SENDER_EMAIL_ADDRESS": s.SESSenderEmail,
		"NET_ENDPOINTS":                string(nets),
		flip.EnvFLBackend:              string(s.Backend),
		"FL_KIT_SLOT_NAMES":            string(slots),
		// Older flip-api images read the slot names as TRUST_NAMES.
		"TRUST_NAMES": string(slots),
	})
	// The five bucket settings, as s3:// URIs with upstream's prefixes.
	settings := s.Buckets.Settings(s.Backend)
	for k, v := range settings {
		flipAPI[k] = v
	}
	// INTERNAL_SERVICE_KEY is not here: the script writes it on the host into SecretEnvFile.
	flServer := with(map[string]string{
		"NET_ID":      Net,
		"LOCAL_DEV":   "false",
		"MIN_CLIENTS": strconv.Itoa(s.MinClients),
		"IMAGES_DIR":  "/app/data/images",
		// fl-server reads only the results setting (compose.production.{nvflare,flower}.yml).
		flip.EnvUploadedFederatedData: settings[flip.EnvUploadedFederatedData],
		"FLIP_API_INTERNAL_URL":       flipAPIInternalURL,
		"INTERNAL_SERVICE_KEY_HEADER": InternalServiceKeyHeader,
	})
	for k, v := range FLServerAWSEnv() {
		flServer[k] = v
	}
	out := map[string]map[string]string{
		envPath(ServiceFlipAPI):  flipAPI,
		envPath(ServiceFLServer): flServer,
	}
	switch s.Backend {
	case NVFlare:
		out[envPath(ServiceFLAPI)] = with(map[string]string{
			"NET_ID":             Net,
			"FL_ADMIN_DIRECTORY": nvflareAdminMount,
		})
	case Flower:
		superlink := func(p int) string { return ServiceFLServer + ":" + strconv.Itoa(p) }
		out[envPath(ServiceFLAPI)] = with(map[string]string{
			"NET_ID":                      Net,
			"SUPERLINK_ADDRESS":           superlink(flowerExecPort),
			"SUPERLINK_HEALTH_ADDRESS":    superlink(flowerHealthPort),
			"SUPERLINK_ROOT_CERTIFICATES": flowerCertsMount + "/ca.crt",
			"FLOWER_SRC_ROOT":             flowerJobsMount,
		})
		// register-supernode-keys.sh pairs /keys/*.pub in byte order with TRUST_NAMES in list
		// order, so the names go in the order of their slots' key files (Trust_10 before Trust_2).
		keyOrder, err := json.Marshal(flip.FlowerNamesInKeyOrder(s.KitSlotNames))
		if err != nil {
			return nil, fmt.Errorf("kit slot names: %w", err)
		}
		out[envPath(ServiceRegisterKeys)] = with(map[string]string{
			"NET_ID":                      Net,
			"SUPERLINK_ADDRESS":           superlink(flowerExecPort),
			"SUPERLINK_ROOT_CERTIFICATES": flowerCertsMount + "/ca.crt",
			flip.EnvFLAPIAddress:          flAPIURL,
			flip.EnvTrustNames:            string(keyOrder),
		})
	}
	// The other FL containers need no AWS credentials at all; their SDKs, if any, must not
	// wait on the metadata service the firewall keeps from them.
	for _, svc := range []string{ServiceFLAPI, ServiceRegisterKeys} {
		if env, ok := out[envPath(svc)]; ok {
			env["AWS_EC2_METADATA_DISABLED"] = "true"
		}
	}
	return out, nil
}

// envValueRE is what a single-quoted env file value may hold: anything but a single quote or a
// control character (a newline would end the value).
var envValueRE = regexp.MustCompile(`^[^\x00-\x1f\x7f']*$`)

// EnvLine is how an env file the deploy renders sets key to value: KEY='value'.
func EnvLine(key, value string) string { return key + "='" + value + "'" }

// renderEnv renders one env file: a header, then KEY='value' lines in key order. Single quotes
// make compose take each value literally (no ${} interpolation, no escapes), so JSON values such
// as NET_ENDPOINTS pass through unchanged.
func renderEnv(path string, vars map[string]string) (string, error) {
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	fmt.Fprintf(&b, "# %s: non-secret settings, rendered by flip-hub (package deploy).\n", path)
	b.WriteString("# Secrets are never written here; the deploy script reads them on the host.\n")
	for _, k := range keys {
		v := vars[k]
		if !envValueRE.MatchString(v) {
			return "", fmt.Errorf("env %s: %s holds a single quote or a control character", path, k)
		}
		b.WriteString(EnvLine(k, v) + "\n")
	}
	return b.String(), nil
}

// renderEnvFiles renders every env file of a spec, in EnvFileNames order.
func renderEnvFiles(s Spec) ([]File, error) {
	model, err := envModel(s)
	if err != nil {
		return nil, err
	}
	var files []File
	for _, path := range EnvFileNames(s.Backend) {
		content, err := renderEnv(path, model[path])
		if err != nil {
			return nil, err
		}
		files = append(files, File{Path: path, Content: content})
	}
	return files, nil
}
