package deploy

import (
	"bytes"
	"fmt"
	"strconv"

	"go.yaml.in/yaml/v3"

	"github.com/londonaicentre/flip-hub/internal/flip"
)

// Compose file model: only the keys the hub uses, in a fixed order, so rendering is
// deterministic and a test can parse the result back.
type composeFile struct {
	Name     string                    `yaml:"name"`
	Services map[string]composeSvc     `yaml:"services"`
	Networks map[string]composeNetwork `yaml:"networks"`
	Volumes  map[string]composeVolume  `yaml:"volumes,omitempty"`
}

type composeNetwork struct {
	IPAM composeIPAM `yaml:"ipam"`
}

type composeIPAM struct {
	Config []composeSubnet `yaml:"config"`
}

type composeSubnet struct {
	Subnet  string `yaml:"subnet"`
	IPRange string `yaml:"ip_range"`
}

// composeAttachment is a service's place on a network; FL services have a fixed address.
type composeAttachment struct {
	IPv4Address string `yaml:"ipv4_address,omitempty"`
}

type composeSvc struct {
	Image       string                       `yaml:"image"`
	Entrypoint  []string                     `yaml:"entrypoint,omitempty"`
	Command     []string                     `yaml:"command,omitempty"`
	Init        bool                         `yaml:"init,omitempty"`
	Restart     string                       `yaml:"restart"`
	EnvFile     []string                     `yaml:"env_file,omitempty"`
	Ports       []string                     `yaml:"ports,omitempty"`
	Volumes     []string                     `yaml:"volumes,omitempty"`
	DependsOn   map[string]composeDep        `yaml:"depends_on,omitempty"`
	Networks    map[string]composeAttachment `yaml:"networks"`
	SecurityOpt []string                     `yaml:"security_opt"`
	CapDrop     []string                     `yaml:"cap_drop"`
	CapAdd      []string                     `yaml:"cap_add"`
	Healthcheck *composeHealthcheck          `yaml:"healthcheck,omitempty"`
}

type composeDep struct {
	Condition string `yaml:"condition"`
}

type composeHealthcheck struct {
	Test        []string `yaml:"test"`
	Interval    string   `yaml:"interval"`
	Timeout     string   `yaml:"timeout"`
	Retries     int      `yaml:"retries"`
	StartPeriod string   `yaml:"start_period"`
}

type composeVolume struct{}

// Hardening shared by every long-running container (FLIP's own compose files): no privilege
// gain through setuid binaries, every capability dropped, CHOWN added back because the images'
// entrypoints fix ownership of the paths they own.
var (
	noNewPrivileges = []string{"no-new-privileges:true"}
	capDropAll      = []string{"ALL"}
	capAddChown     = []string{"CHOWN"}
)

// restartPolicy keeps every long-running service up across crashes and host reboots, but
// leaves a service an operator stopped on purpose stopped.
const restartPolicy = "unless-stopped"

// Image names per backend, as FLIP's deploy/fl_backend.mk derives them from FL_BACKEND.
const (
	imageFlipAPI         = "flip-api"
	imageNVFlareAPI      = "flare-fl-api"
	imageNVFlareServer   = "flare-fl-server"
	imageFlowerAPI       = "flower-fl-api"
	imageFlowerSuperLink = "flower-superlink"
)

// Container-side ports of the FL servers.
const (
	nvflarePort       = flip.NVFlarePort
	flowerFleetPort   = flip.FlowerFleetPort
	flowerExecPort    = flip.FlowerExecPort
	flowerHealthPort  = flip.FlowerHealthPort
	flowerJobsVolume  = "fl-jobs"
	flowerCertsMount  = "/certs"
	flowerKeysMount   = flip.FlowerKeysDir
	flowerJobsMount   = "/app/src"
	nvflareAdminMount = "/app/admin"
)

// KitDir is one directory of the FL server kits: synced from s3://<kits>/<S3>/ into Host, after
// the host copy is emptied (stale mixed certificates make NVFLARE fail with INVALID_SIGNATURE).
type KitDir struct {
	// S3 is the key prefix in the kits bucket, in FLIP's provisioning layout (internal/flip).
	S3 string
	// Only, when set, are the only files synced (aws s3 sync --exclude '*' --include ...): the hub
	// takes no private key it does not use.
	Only []string
	// Host is the absolute directory on the host.
	Host string
	// Owner, when set, is the uid:gid the files are given, for an image that runs non-root.
	Owner string
}

// nvflareAPIOwner is the user the flare-fl-api image runs as (uid 1001, "flip"); its admin kit
// is handed to it, as FLIP's provisioning does, instead of granting the container DAC_OVERRIDE.
const nvflareAPIOwner = "1001:1001"

// KitDirs lists the kit directories a backend needs from the kit release kitDate, where FLIP's
// provisioning leaves them: NVFLARE's fl-flare-participant-kits/<date>/net-1/services/<participant>/
// {startup,local} for the server and the admin (fl-api); Flower's
// fl-flower-participant-kits/<date>/net-1/certificates (the SuperLink's TLS material; not the CA
// key) and keys (every slot's SuperNode public key; never a trust's private key).
func KitDirs(b Backend, kitDate string) []KitDir {
	switch b {
	case NVFlare:
		server := ServicesDir + "/" + flip.FlareServerParticipant
		admin := ServicesDir + "/" + flip.FlareAdminParticipant
		serverKit := flip.FlareKitPrefix(kitDate, flip.FlareServerParticipant)
		adminKit := flip.FlareKitPrefix(kitDate, flip.FlareAdminParticipant)
		return []KitDir{
			{S3: serverKit + "/startup", Host: server + "/startup"},
			{S3: serverKit + "/local", Host: server + "/local"},
			{S3: adminKit + "/startup", Host: admin + "/startup", Owner: nvflareAPIOwner},
			{S3: adminKit + "/local", Host: admin + "/local", Owner: nvflareAPIOwner},
		}
	case Flower:
		kit := flip.FlowerKitPrefix(kitDate)
		return []KitDir{
			{S3: kit + "/certificates", Host: ServicesDir + "/" + Net + "/certificates", Only: []string{"ca.crt", "server.pem", "server.key"}},
			{S3: kit + "/keys", Host: ServicesDir + "/" + Net + "/keys", Only: []string{"*.pub"}},
		}
	}
	return nil
}

// RuntimeDirs are host directories the FL containers write to; the deploy creates them and
// never wipes them.
func RuntimeDirs(b Backend) []string {
	if b == NVFlare {
		return []string{ServicesDir + "/fl-server-" + Net + "/transfer"}
	}
	return nil
}

// EnvFileNames are the env files the compose file reads, relative to Dir, in render order.
func EnvFileNames(b Backend) []string {
	names := []string{envPath(ServiceFlipAPI), envPath(ServiceFLAPI), envPath(ServiceFLServer)}
	if b == Flower {
		names = append(names, envPath(ServiceRegisterKeys))
	}
	return names
}

// SecretEnvFile is the env file, relative to Dir, the script writes on the host with fl-server's
// INTERNAL_SERVICE_KEY (mode 0600). It is never rendered here.
const SecretEnvFile = "secrets/" + ServiceFLServer + ".env"

func envPath(service string) string { return "env/" + service + ".env" }

// pythonHealthcheck probes an HTTP path from inside a container. FLIP's service images are
// Python images, so python is present where curl may not be.
func pythonHealthcheck(port int, path string) *composeHealthcheck {
	probe := fmt.Sprintf("import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:%d%s', timeout=4).status == 200 else 1)", port, path)
	return &composeHealthcheck{
		Test:        []string{"CMD", "python", "-c", probe},
		Interval:    "15s",
		Timeout:     "5s",
		Retries:     5,
		StartPeriod: "60s",
	}
}

func hardened(s composeSvc) composeSvc {
	s.Restart = restartPolicy
	s.SecurityOpt = noNewPrivileges
	s.CapDrop = capDropAll
	s.CapAdd = capAddChown
	return s
}

// composeModel builds the compose file for a validated spec.
func composeModel(s Spec) composeFile {
	im := s.Images
	svcs := map[string]composeSvc{
		ServiceFlipAPI: hardened(composeSvc{
			Image:       im.Registry + imageFlipAPI + ":" + im.Tag,
			EnvFile:     []string{envPath(ServiceFlipAPI)},
			Ports:       []string{port(APIPort, APIPort)},
			Healthcheck: pythonHealthcheck(APIPort, HealthPath),
		}),
	}
	var volumes map[string]composeVolume
	switch s.Backend {
	case NVFlare:
		server := ServicesDir + "/fl-server-" + Net
		admin := ServicesDir + "/flip-fl-api-" + Net
		svcs[ServiceFLServer] = hardened(composeSvc{
			Image:   im.FLRegistry + imageNVFlareServer + ":" + im.FLTag,
			Init:    true,
			EnvFile: []string{envPath(ServiceFLServer), SecretEnvFile},
			Ports:   []string{port(s.FLPort, nvflarePort)},
			Volumes: []string{
				server + "/local:/app/local",
				server + "/startup:/app/startup",
				server + "/transfer:/app/transfer",
			},
			DependsOn: map[string]composeDep{ServiceFlipAPI: {Condition: "service_started"}},
		})
		svcs[ServiceFLAPI] = hardened(composeSvc{
			Image:   im.FLRegistry + imageNVFlareAPI + ":" + im.FLTag,
			EnvFile: []string{envPath(ServiceFLAPI)},
			Volumes: []string{
				admin + "/local:" + nvflareAdminMount + "/local",
				admin + "/startup:" + nvflareAdminMount + "/startup",
			},
			DependsOn:   map[string]composeDep{ServiceFLServer: {Condition: "service_started"}},
			Healthcheck: pythonHealthcheck(8000, "/health/"),
		})
	case Flower:
		certs := ServicesDir + "/" + Net + "/certificates:" + flowerCertsMount + ":ro"
		keys := ServicesDir + "/" + Net + "/keys:" + flowerKeysMount + ":ro"
		jobs := flowerJobsVolume + ":" + flowerJobsMount
		volumes = map[string]composeVolume{flowerJobsVolume: {}}
		svcs[ServiceFLServer] = hardened(composeSvc{
			Image: im.FLRegistry + imageFlowerSuperLink + ":" + im.FLTag,
			Command: []string{
				"--ssl-ca-certfile", flowerCertsMount + "/ca.crt",
				"--ssl-certfile", flowerCertsMount + "/server.pem",
				"--ssl-keyfile", flowerCertsMount + "/server.key",
				"--enable-supernode-auth",
				"--health-server-address", "0.0.0.0:" + strconv.Itoa(flowerHealthPort),
			},
			Init:      true,
			EnvFile:   []string{envPath(ServiceFLServer), SecretEnvFile},
			Ports:     []string{port(s.FLPort, flowerFleetPort)},
			Volumes:   []string{certs, jobs},
			DependsOn: map[string]composeDep{ServiceFlipAPI: {Condition: "service_started"}},
		})
		svcs[ServiceFLAPI] = hardened(composeSvc{
			Image:       im.FLRegistry + imageFlowerAPI + ":" + im.FLTag,
			EnvFile:     []string{envPath(ServiceFLAPI)},
			Volumes:     []string{certs, jobs},
			DependsOn:   map[string]composeDep{ServiceFLServer: {Condition: "service_started"}},
			Healthcheck: pythonHealthcheck(8000, "/openapi.json"),
		})
		// A one-shot job, so it is the one service that must not restart: it registers the
		// SuperNodes' public keys with the SuperLink once fl-api is healthy, and the deploy
		// script waits for it to exit 0.
		reg := hardened(composeSvc{
			Image:      im.FLRegistry + imageFlowerSuperLink + ":" + im.FLTag,
			Entrypoint: flip.RegisterKeysEntrypoint(),
			EnvFile:    []string{envPath(ServiceRegisterKeys)},
			Volumes:    []string{certs, keys},
			DependsOn:  map[string]composeDep{ServiceFLAPI: {Condition: "service_healthy"}},
		})
		reg.Restart = "no"
		svcs[ServiceRegisterKeys] = reg
	}
	for name, svc := range svcs {
		svc.Networks = map[string]composeAttachment{HubNetwork: {IPv4Address: flAddresses[name]}}
		if name == ServiceFLServer {
			// Scoped credentials instead of the instance role's (host.go).
			svc.Volumes = append(svc.Volumes, CredentialsDir+":"+CredentialsMount+":ro")
		}
		svcs[name] = svc
	}
	networks := map[string]composeNetwork{HubNetwork: {IPAM: composeIPAM{Config: []composeSubnet{{Subnet: HubSubnet, IPRange: HubDynamicRange}}}}}
	return composeFile{Name: ProjectName, Services: svcs, Networks: networks, Volumes: volumes}
}

// port publishes a container port on every host address: the ALB and the NLB reach the
// host's private address, and the host security group admits only them.
func port(host, container int) string {
	return strconv.Itoa(host) + ":" + strconv.Itoa(container)
}

// renderCompose renders the compose file as YAML.
func renderCompose(s Spec) (string, error) {
	var b bytes.Buffer
	b.WriteString("# FLIP hub services, rendered by flip-hub (package deploy). Do not edit on the host:\n")
	b.WriteString("# the next deploy overwrites this file.\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(composeModel(s)); err != nil {
		return "", fmt.Errorf("render compose file: %w", err)
	}
	if err := enc.Close(); err != nil {
		return "", fmt.Errorf("render compose file: %w", err)
	}
	return b.String(), nil
}
