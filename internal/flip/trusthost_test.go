package flip

import (
	"fmt"
	"testing"
)

// The trust side's contract against literals copied from the upstream files named beside them.
func TestTrustHostContract(t *testing.T) {
	t.Parallel()
	uis := fmt.Sprint(TrustUIs)
	cases := []struct {
		name, got, want, upstream string
	}{
		{"forwards", uis, "[{XNAT 8105 } {Orthanc 8042 } {trust-api 8020 /docs} {imaging-api 8001 /docs} {data-access-api 8010 /docs} {Grafana 3000 }]",
			"deploy/providers/AWS/scripts/forward-trust-all.sh @b7cfb19"},
		{"network", TrustNetworkName(2), "deploy_trust-network-2", "trust/Makefile @0046dc2 TRUST_NETWORK_NAME"},
		{"project", TrustProject(2), "trust2", "trust/Makefile @0046dc2 TRUST_PROJECT"},
		{"images dir", TrustImagesDir(2), "/opt/flip/data/trust-2", "compose_trust.production.nvflare.yml @0a13d3f BASE_IMAGES_DOWNLOAD_DIR default"},
		{"xnat dir", TrustXNATDataDir(2), "/opt/flip/xnat-trust2", "trust/xnat/Makefile @0046dc2 XNAT_DATA_DIR"},
		{"fl kit dir", TrustFLKitDir, "/opt/flip/fl-kit", "trust/.env.example @0129220 FL_KIT_DIR"},
		{"kit dir", TrustHostDir, "/opt/flip/trust", "deploy/providers/AWS/site.yml @034729e flip_app_dirs"},
		{"nvflare client", FLClientImage(NVFlare), "flare-fl-client", "deploy/fl_backend.mk @2941e84"},
		{"flower client", FLClientImage(Flower), "flower-supernode", "deploy/fl_backend.mk @2941e84"},
		{"fl client service", TrustServiceFLClient, "fl-client-net-1", "compose_trust.production.{nvflare,flower}.yml"},
		{"client name key", EnvFLClientName, "DOCKER_FL_CLIENT_NAME", "compose_trust.production.nvflare.yml image"},
		{"internal header", TrustInternalServiceKeyHeader, "X-Trust-Internal-Service-Key", "trust/.env.example @0129220"},
		{"xnat url", TrustXNATURL, "http://xnat-web:8080", "trust/imaging-api/imaging_api/config.py @06cf709"},
		{"xnat db url", TrustXNATDatabaseURL, "postgresql+asyncpg://xnat@xnat-db:5432/xnat", "trust/imaging-api/imaging_api/config.py @06cf709"},
		{"owners", fmt.Sprint(TrustHostUID, FlowerClientGID, XNATContainerUID, LokiContainerUID, GrafanaContainerID, OrthancContainerID),
			"1000 49999 1001 10001 472 999", "roles/flip_trust_dirs/tasks/main.yml @83e67f0; site.yml @034729e"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q [%s]", c.name, c.got, c.want, c.upstream)
		}
	}
}
