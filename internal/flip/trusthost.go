package flip

import "fmt"

// The trust side of FLIP as an AWS-hosted trust runs it: host paths, compose names, ports and the
// env variables the trust images read. Upstream commits are pinned where one version was read.

// Host paths of a trust host. The kit file lands in /opt/flip/trust; the FL participant kit is
// staged under FL_KIT_DIR=/opt/flip/fl-kit; imaging data, the OMOP database, Orthanc storage,
// Loki/Grafana volumes and the observability config have their own roots.
// [deploy/providers/AWS/site.yml @034729e flip_app_dirs /opt/flip/trust, flip_images_base_dirs
// /opt/flip/data/trust-<N>, omop_dir /opt/flip/omop, orthanc_data_dir /opt/flip/orthanc/orthanc-storage;
// trust/.env.example @0129220 FL_KIT_DIR=/opt/flip/fl-kit;
// trust/deploy/compose_trust.production.yml @06a6874 OMOP_DATA_DIR default /opt/flip/omop/db_data,
// LOKI_DATA_VOLUME /opt/flip/volumes/loki, GRAFANA_DATA_VOLUME /opt/flip/volumes/grafana,
// OBSERVABILITY_CONFIG_DIR /opt/flip/config/observability;
// trust/xnat/Makefile @0046dc2 XNAT_DATA_DIR /opt/flip/xnat-trust<N> in stag/prod]
const (
	TrustHostDir          = "/opt/flip/trust"
	TrustFLKitDir         = "/opt/flip/fl-kit"
	TrustOMOPDataDir      = "/opt/flip/omop/db_data"
	TrustOrthancDir       = "/opt/flip/orthanc/orthanc-storage"
	TrustVolumesDir       = "/opt/flip/volumes"
	TrustObservabilityDir = "/opt/flip/config/observability"
)

// TrustImagesDir is BASE_IMAGES_DOWNLOAD_DIR's production default for a slot number.
// [trust/deploy/compose_trust.production.nvflare.yml @0a13d3f
// ${BASE_IMAGES_DOWNLOAD_DIR:-/opt/flip/data/trust-${FL_KIT_SLOT_NUMBER}}]
func TrustImagesDir(slotNumber int) string { return fmt.Sprintf("/opt/flip/data/trust-%d", slotNumber) }

// TrustXNATDataDir is XNAT_DATA_DIR's stag/prod default for a slot number.
// [trust/xnat/Makefile @0046dc2 /opt/flip/xnat-trust$(TRUST_NUM)]
func TrustXNATDataDir(slotNumber int) string {
	return fmt.Sprintf("/opt/flip/xnat-trust%d", slotNumber)
}

// TrustNetworkName is the trust's Docker network (TRUST_NETWORK_NAME, also XNAT's
// DOCKER_NETWORK_NAME) and TrustProject its compose project, both keyed on the slot number.
// [trust/Makefile @0046dc2 TRUST_VARS TRUST_NETWORK_NAME=deploy_trust-network-$(TRUST_NUM),
// TRUST_PROJECT := trust$(TRUST_NUM); trust/xnat/Makefile XNAT_NETWORK, XNAT_STACK := xnat$(TRUST_NUM)]
func TrustNetworkName(slotNumber int) string {
	return fmt.Sprintf("deploy_trust-network-%d", slotNumber)
}

// TrustProject is the compose project of a trust's stack.
func TrustProject(slotNumber int) string { return fmt.Sprintf("trust%d", slotNumber) }

// FL client images per backend (DOCKER_FL_CLIENT_NAME), under ghcr.io/londonaicentre/.
// [deploy/fl_backend.mk @2941e84; trust/deploy/compose_trust.production.{nvflare,flower}.yml
// image: ghcr.io/londonaicentre/${DOCKER_FL_CLIENT_NAME}:${DOCKER_FL_TAG}]
const (
	EnvFLClientName      = "DOCKER_FL_CLIENT_NAME"
	NVFlareClientImage   = "flare-fl-client"
	FlowerSupernodeImage = "flower-supernode"
)

// FLClientImage is DOCKER_FL_CLIENT_NAME for a backend.
func FLClientImage(b Backend) string {
	if b == Flower {
		return FlowerSupernodeImage
	}
	return NVFlareClientImage
}

// Trust compose service names: the ones `docker compose ps` and check_status.py name.
// [trust/deploy/compose_trust.production.yml @06a6874; compose_trust.production.{nvflare,flower}.yml;
// trust/xnat/docker-compose-stack.yml @06a6874]
const (
	TrustServiceTrustAPI      = "trust-api"
	TrustServiceImagingAPI    = "imaging-api"
	TrustServiceDataAccessAPI = "data-access-api"
	TrustServiceFLClient      = "fl-client-" + KitNet
	TrustServiceOMOPDB        = "omop-db"
	TrustServiceOrthanc       = "orthanc"
	TrustServiceXNATWeb       = "xnat-web"
	TrustServiceXNATDB        = "xnat-db"
	TrustServiceXNATNginx     = "xnat-nginx"
	TrustServiceLoki          = "loki"
	TrustServiceAlloy         = "alloy"
	TrustServiceGrafana       = "grafana"
)

// TrustCoreServices are the services a running trust must have up, as check_status.py's trust
// section checks them (trust-api, imaging-api, data-access-api, fl-client-net-N, omop-db), plus
// the imaging stores the forward script opens.
// [deploy/providers/AWS/check_status.py @0bff363; deploy/providers/AWS/scripts/forward-trust-all.sh @b7cfb19]
var TrustCoreServices = []string{
	TrustServiceTrustAPI, TrustServiceImagingAPI, TrustServiceDataAccessAPI, TrustServiceFLClient,
	TrustServiceOMOPDB, TrustServiceOrthanc, TrustServiceXNATWeb,
}

// TrustUI is one web UI of a trust host that the forward script opens: the host port, and the
// path the printed URL ends in.
type TrustUI struct {
	Name string
	Port int
	Path string
}

// TrustUIs are the forwards of forward-trust-all.sh, in its order. XNAT is on 8105 there (the
// README says 8104; the script is what runs).
// [deploy/providers/AWS/scripts/forward-trust-all.sh @b7cfb19]
var TrustUIs = []TrustUI{
	{"XNAT", 8105, ""},
	{"Orthanc", 8042, ""},
	{"trust-api", 8020, "/docs"},
	{"imaging-api", 8001, "/docs"},
	{"data-access-api", 8010, "/docs"},
	{"Grafana", 3000, ""},
}

// Host ports of an AWS-hosted trust (the kit's host-local profile). Every one but XNAT's is
// trust/.env.example's default; XNAT_PORT is the port the forward script reaches XNAT on.
// [trust/.env.example @0129220; deploy/providers/AWS/scripts/forward-trust-all.sh @b7cfb19]
const (
	TrustAPIPort        = 8020
	ImagingAPIPort      = 8001
	DataAccessAPIPort   = 8010
	OrthancUIPort       = 8042
	XNATPort            = 8105
	GrafanaPort         = 3000
	LokiPort            = 3100
	OMOPDBPort          = 5434
	PACSDICOMPort       = 4242
	TrustDebugPort      = 5682
	ImagingDebugPort    = 5681
	DataAccessDebugPort = 5680
)

// TrustInternalServiceKeyHeader is the header the trust services authenticate each other with.
// [trust/.env.example @0129220 TRUST_INTERNAL_SERVICE_KEY_HEADER=X-Trust-Internal-Service-Key;
// trust/imaging-api/imaging_api/config.py @06cf709]
const TrustInternalServiceKeyHeader = "X-Trust-Internal-Service-Key"

// Trust-internal URLs: compose service name and container port.
// [trust/.env.example @0129220; trust/imaging-api/imaging_api/config.py @06cf709 XNAT_URL,
// XNAT_DATABASE_URL defaults]
const (
	TrustDataAccessAPIURL = "http://data-access-api:8000"
	TrustImagingAPIURL    = "http://imaging-api:8000"
	TrustXNATURL          = "http://xnat-web:8080"
	TrustXNATDatabaseURL  = "postgresql+asyncpg://xnat@xnat-db:5432/xnat"
)

// Owners of a trust host's bind-mount sources: each container's user must be able to write its
// own, so the directories are created with these owners before the stack starts.
// [trust/deploy/ansible/roles/flip_trust_dirs/tasks/main.yml @83e67f0: images dirs flip_owner
// (ubuntu, 1000), Flower's net-N group 49999 mode 0775, XNAT UID 1001, Loki 10001, Grafana 472;
// deploy/providers/AWS/site.yml @034729e: Orthanc storage owned by container UID 999]
const (
	TrustHostUID       = 1000
	FlowerClientGID    = 49999
	XNATContainerUID   = 1001
	LokiContainerUID   = 10001
	GrafanaContainerID = 472
	OrthancContainerID = 999
)
