package flip

// Backend is a federated-learning framework FLIP runs: FL_BACKEND's values, from which
// deploy/fl_backend.mk derives the image names and the trust side's client.
// [deploy/fl_backend.mk]
type Backend string

// The two backends.
const (
	NVFlare Backend = "nvflare"
	Flower  Backend = "flower"
)

// Backends are the backends, in upstream's order.
var Backends = []Backend{NVFlare, Flower}

// ValidBackend reports whether b is one of FLIP's backends.
func ValidBackend(b string) bool { return b == string(NVFlare) || b == string(Flower) }

// Container-side ports of the FL servers: NVFLARE's fl-server listens on 8002, Flower's
// SuperLink takes SuperNodes on its Fleet API (9092), job submissions on its Exec API (9093)
// and answers health on 9097. [deploy/compose.production.nvflare.yml; deploy/compose.production.flower.yml]
const (
	NVFlarePort      = 8002
	FlowerFleetPort  = 9092
	FlowerExecPort   = 9093
	FlowerHealthPort = 9097
)

// DefaultFLPort is the port trusts reach the hub's FL server on for a backend (FL_SERVER_PORT):
// the container port, published unchanged.
func DefaultFLPort(b Backend) int {
	if b == Flower {
		return FlowerFleetPort
	}
	return NVFlarePort
}
