package trustdeploy

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/londonaicentre/flip-hub/internal/flip"
	"github.com/londonaicentre/flip-hub/internal/kit"
)

// LocalSecretKeys are the trust-local credentials of an AWS-hosted trust's kit, minted by the stack
// (upstream's template ships mock values for the operator to replace, and mints the XNAT stack
// passwords with `make register-trust`). They never leave the trust's kit secret and host.
// [trust/.env.example @0129220 "Trust-local credentials"]
var LocalSecretKeys = []string{
	"ORTHANC_PASSWORD",
	"OMOP_POSTGRES_PASSWORD",
	"DATA_ACCESS_POSTGRES_PASSWORD",
	"XNAT_ADMIN_PASSWORD",
	"XNAT_SERVICE_PASSWORD",
	"XNAT_DATASOURCE_PASSWORD",
	"XNAT_DATASOURCE_ADMIN_PASSWORD",
	"XNAT_ACTIVEMQ_PASSWORD",
	"GRAFANA_ADMIN_PASSWORD",
}

// Identity is the trust identity `make new-trust` prepends to a kit. [scripts/new_trust.py]
type Identity struct {
	Name, Code, Region string
}

// profile is the non-secret part of the kit an operator owns upstream, with the values an
// AWS-hosted trust runs with: trust/.env.example's defaults, the production host paths
// (site.yml, the production composes' defaults), XNAT on the forward script's port, and the
// internal URLs of imaging-api's settings.
// [trust/.env.example @0129220; deploy/providers/AWS/site.yml @034729e;
// deploy/providers/AWS/scripts/forward-trust-all.sh @b7cfb19;
// trust/imaging-api/imaging_api/config.py @06cf709]
func profile(slotNumber int) [][2]string {
	itoa := strconv.Itoa
	return [][2]string{
		{"OMOP_DB_PORT", itoa(flip.OMOPDBPort)},
		{"PACS_UI_PORT", itoa(flip.OrthancUIPort)},
		{"XNAT_PORT", itoa(flip.XNATPort)},
		{"TRUST_DEBUG_PORT", itoa(flip.TrustDebugPort)},
		{"IMAGING_DEBUG_PORT", itoa(flip.ImagingDebugPort)},
		{"DATA_ACCESS_DEBUG_PORT", itoa(flip.DataAccessDebugPort)},
		{"GRAFANA_PORT", itoa(flip.GrafanaPort)},
		{"LOKI_PORT", itoa(flip.LokiPort)},
		{"ORTHANC_STORAGE_DIR", flip.TrustOrthancDir},
		{"BASE_IMAGES_DOWNLOAD_DIR", flip.TrustImagesDir(slotNumber)},
		{"XNAT_DATA_DIR", flip.TrustXNATDataDir(slotNumber)},
		{"FL_KIT_DIR", flip.TrustFLKitDir},
		{"OMOP_DATA_DIR", flip.TrustOMOPDataDir},
		{"ORTHANC_USERNAME", "admin"},
		{"OMOP_POSTGRES_USER", "postgres"},
		{"OMOP_POSTGRES_DB", "trustomopdb"},
		{"OMOP_DB_TAG", "latest"},
		{"OMOP_DB_SERVICE_NAME", flip.TrustServiceOMOPDB},
		{"DATA_ACCESS_POSTGRES_USER", "data_analyst_reader"},
		{"COHORT_QUERY_THRESHOLD", "10"},
		{"XNAT_ADMIN_USER", "admin"},
		// XNAT's own first-boot admin password, which configure-xnat.sh replaces with
		// XNAT_ADMIN_PASSWORD: not a credential the trust chooses.
		{"XNAT_ADMIN_INITIAL_PASSWORD", "admin"},
		{"XNAT_SERVICE_USER", "flipServiceAccount"},
		{"XNAT_DATASOURCE_USERNAME", "xnat"},
		{"XNAT_URL", flip.TrustXNATURL},
		{"XNAT_DATABASE_URL", flip.TrustXNATDatabaseURL},
		{"DATA_ACCESS_API_URL", flip.TrustDataAccessAPIURL},
		{"IMAGING_API_URL", flip.TrustImagingAPIURL},
		{"TRUST_INTERNAL_SERVICE_KEY_HEADER", flip.TrustInternalServiceKeyHeader},
		{"PACS_DICOM_PORT", itoa(flip.PACSDICOMPort)},
		{"POLL_INTERVAL_SECONDS", "5"},
		{"DATA_ACCESS_API_PORT", itoa(flip.DataAccessAPIPort)},
		{"IMAGING_API_PORT", itoa(flip.ImagingAPIPort)},
		{"TRUST_API_PORT", itoa(flip.TrustAPIPort)},
		{"TRUST_LOG_LEVEL", "INFO"},
		{"NUM_AVAILABLE_GPUS", "0"},
		{"MEMORY_PER_GPU_IN_GIB", "7"},
		{"MIN_CLIENTS", "1"},
	}
}

// Kit renders the whole kit file of an AWS-hosted trust: its identity, the host profile, the
// minted local credentials (one per LocalSecretKeys entry, in order), then the per-trust and
// hub-shared blocks kit.Render owns. Errors never hold a value.
func Kit(id Identity, local []string, t kit.Trust, h kit.Hub) ([]byte, error) {
	if len(local) != len(LocalSecretKeys) {
		return nil, fmt.Errorf("trust kit: %d local credentials, want %d", len(local), len(LocalSecretKeys))
	}
	var b strings.Builder
	b.WriteString("# Kit of an AWS-hosted trust, rendered by flip-hub; the stack owns every line.\n")
	for _, kv := range [][2]string{{"TRUST_NAME", id.Name}, {"TRUST_CODE", id.Code}, {"TRUST_REGION", id.Region}} {
		if err := writeValue(&b, kv[0], kv[1]); err != nil {
			return nil, err
		}
	}
	b.WriteString("\n# ── Host-local profile ──\n")
	for _, kv := range profile(t.SlotNumber) {
		if err := writeValue(&b, kv[0], kv[1]); err != nil {
			return nil, err
		}
	}
	b.WriteString("\n# ── Trust-local credentials (minted by the stack) ──\n")
	for i, k := range LocalSecretKeys {
		if !credentialRE.MatchString(local[i]) {
			return nil, fmt.Errorf("trust kit: %s is not a URL-safe credential of at least 24 characters (value not shown)", k)
		}
		b.WriteString(k + "=" + local[i] + "\n")
	}
	out, err := kit.Render([]byte(b.String()), t, h)
	if err != nil {
		return nil, fmt.Errorf("trust kit: %w", err)
	}
	return out, nil
}

// writeValue writes KEY=value for a value compose's env-file reader takes literally: one line,
// no leading quote, no " #" that would start a comment.
func writeValue(b *strings.Builder, k, v string) error {
	if strings.ContainsAny(v, "\n\r\x00\"`$\\") || strings.HasPrefix(v, "'") || strings.Contains(v, " #") ||
		strings.TrimSpace(v) != v {
		return fmt.Errorf("trust kit: %s %q cannot be written as a plain env-file value", k, v)
	}
	fmt.Fprintf(b, "%s=%s\n", k, v)
	return nil
}
