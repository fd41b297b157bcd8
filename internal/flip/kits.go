package flip

// Where FLIP's provisioning leaves the FL participant kits in the kits bucket, per backend.
// [deploy/providers/AWS/ecs_efs_provision.tf @08a2ee9 (NVFLARE);
// deploy/providers/AWS/scripts/package-onprem-trust-kit.sh and AGENTS.md (AWS) (Flower)]
const (
	FlareKitsRoot  = "fl-flare-participant-kits"
	FlowerKitsRoot = "fl-flower-participant-kits"
	// KitNet is the one FL network a hub runs.
	KitNet = "net-1"
)

// FlareKitPrefix is an NVFLARE participant's kit: <root>/<FLARE_KIT_DATE>/net-1/services/<participant>,
// holding startup/ and local/. The hub's participants are fl-server-net-1 and flip-fl-api-net-1.
func FlareKitPrefix(kitDate, participant string) string {
	return FlareKitsRoot + "/" + kitDate + "/" + KitNet + "/services/" + participant
}

// FlowerKitPrefix is the Flower kit: <root>/<FLOWER_KIT_DATE>/net-1, holding certificates/
// (ca.crt, ca.key, server.pem, server.key) and keys/ (supernode_credentials_<N> and .pub).
// [deploy/providers/flower/scripts/generate_creds.py]
func FlowerKitPrefix(kitDate string) string {
	return FlowerKitsRoot + "/" + kitDate + "/" + KitNet
}

// NVFLARE participants on the hub, as the kit names them and compose mounts them.
// [deploy/compose.production.nvflare.yml @06a6874: /opt/flip/services/fl-server-net-1/{local,startup,transfer},
// /opt/flip/services/flip-fl-api-net-1/{local,startup}]
const (
	FlareServerParticipant = "fl-server-" + KitNet
	FlareAdminParticipant  = "flip-fl-api-" + KitNet
)

// HostServicesDir is where the hub host keeps the kits compose mounts.
// [deploy/compose.production.{nvflare,flower}.yml]
const HostServicesDir = "/opt/flip/services"
