package trustdeploy

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/londonaicentre/flip-hub/internal/awsid"
	"github.com/londonaicentre/flip-hub/internal/deploy"
	"github.com/londonaicentre/flip-hub/internal/flip"
)

//go:embed deploy.sh.tmpl stack
var files embed.FS

var scriptTemplate = template.Must(template.New("deploy.sh.tmpl").Funcs(template.FuncMap{"q": deploy.ShellQuote}).
	ParseFS(files, "deploy.sh.tmpl"))

// Defaults of a Spec's zero fields.
const (
	// DefaultStartTimeout bounds the wait for every core service to run after `up`.
	DefaultStartTimeout = 10 * time.Minute
	// cloudInitTimeoutSeconds bounds the wait for the host bootstrap.
	cloudInitTimeoutSeconds = 1500
	// kitOwner owns the FL kit and the images directory: the non-root user the FL client and
	// imaging-api images run as (uid 1000, the ubuntu user of the host).
	// [trust/deploy/ansible/roles/flip_fl_kit/tasks/s3.yml "CI builds the images at UID=1000,
	// matching ubuntu on this host"]
	kitOwner = "1000:1000"
)

// Spec is what a trust deploy renders from. No field is a secret: the kit is named by its
// secret's ARN.
type Spec struct {
	Code string
	// Env is the kit environment word: stag or production.
	Env     string
	Region  string
	Backend flip.Backend
	KitDate string
	// Slot and SlotNumber are the FL kit slot the hub assigned the trust.
	Slot       string
	SlotNumber int
	// KitSecretARN is the trust's kit secret; KitsBucket the bucket of the FL participant kits.
	KitSecretARN string
	KitsBucket   string
	// Tag and FLTag are the image tags the kit names; they are part of the hash, so a new tag
	// re-runs the deploy even though the script reads them from the kit.
	Tag, FLTag   string
	StartTimeout time.Duration
}

// Bundle is a rendered deploy: the script and the hash of everything it installs.
type Bundle struct {
	Script string
	Hash   string
}

var (
	slotRE       = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	bucketRE     = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	arnRE        = regexp.MustCompile(`^arn:[a-z-]+:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]+$`)
	dateRE       = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)
	tagRE        = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
	credentialRE = regexp.MustCompile(`^[A-Za-z0-9_-]{24,}$`)
)

func (s Spec) validate() error {
	switch {
	case !flip.ValidTrustCode(s.Code):
		return fmt.Errorf("trust code %q: want %s", s.Code, flip.TrustCodeRule)
	case s.Env != flip.KitEnvStag && s.Env != flip.KitEnvProduction:
		return fmt.Errorf("kit environment %q: want %s or %s", s.Env, flip.KitEnvStag, flip.KitEnvProduction)
	case !awsid.Region(s.Region):
		return fmt.Errorf("region %q is not an AWS region", s.Region)
	case !flip.ValidBackend(string(s.Backend)):
		return fmt.Errorf("fl backend %q: want nvflare or flower", s.Backend)
	case !dateRE.MatchString(s.KitDate):
		return fmt.Errorf("kit date %q: want the kit release folder such as 2025-06-01", s.KitDate)
	case !slotRE.MatchString(s.Slot) || s.SlotNumber < 0:
		// 0 is a registration without a slot number (a plan's): the script refuses to run.
		return fmt.Errorf("slot %q number %d: want the slot the hub assigned, such as Trust_1 and 1", s.Slot, s.SlotNumber)
	case !arnRE.MatchString(s.KitSecretARN):
		return fmt.Errorf("kit secret %q: want a Secrets Manager secret ARN", s.KitSecretARN)
	case !bucketRE.MatchString(s.KitsBucket):
		return fmt.Errorf("kits bucket %q: want an S3 bucket name", s.KitsBucket)
	case !tagRE.MatchString(s.Tag) || !tagRE.MatchString(s.FLTag):
		return fmt.Errorf("image tags %q and %q: want tags such as sha-1a2b3c4", s.Tag, s.FLTag)
	case s.StartTimeout < 0:
		return fmt.Errorf("start timeout %s is negative", s.StartTimeout)
	}
	return nil
}

// hostDir is a directory the script creates on the host, with its owner and mode.
type hostDir struct {
	Path, Owner, Mode string
}

func owned(path string, uid, gid int, mode string) hostDir {
	return hostDir{Path: path, Owner: fmt.Sprintf("%d:%d", uid, gid), Mode: mode}
}

// hostFile is a file the script writes on the host.
type hostFile struct {
	Path, Mode, Content, Delimiter string
}

type scriptParams struct {
	Spec
	Hash, TrustDir, KitFile, FLKitDir, Network, Project, KitOwner string
	FlareSource, FlowerSource, FlowerCredential                   string
	ImagesDir, BackendName                                        string
	Flower                                                        bool
	StartTimeoutSeconds, CloudInitTimeout                         int
	Services, XNATServices                                        []string
	Dirs, XNATDirs                                                []hostDir
	XNATDir                                                       string
	Files                                                         []hostFile
}

// stackFiles are the embedded compose files a backend's host gets, and where.
func stackFiles(b flip.Backend) []struct{ src, dest string } {
	overlay := "compose." + string(b) + ".yml"
	return []struct{ src, dest string }{
		{"stack/compose.yml", "compose.yml"},
		{"stack/" + overlay, overlay},
		{"stack/compose.xnat.yml", "compose.xnat.yml"},
	}
}

// observabilityFiles go under OBSERVABILITY_CONFIG_DIR, where the compose file mounts them.
var observabilityFiles = []struct{ src, dest string }{
	{"stack/observability/loki-config.yml", "loki/loki-config.yml"},
	{"stack/observability/config.alloy", "alloy/config.alloy"},
	{"stack/observability/datasources.yml", "grafana/provisioning/datasources/datasources.yml"},
}

// Render renders the deploy of one trust.
func Render(s Spec) (Bundle, error) {
	if s.StartTimeout == 0 {
		s.StartTimeout = DefaultStartTimeout
	}
	if err := s.validate(); err != nil {
		return Bundle{}, fmt.Errorf("trust deploy: %w", err)
	}
	p := scriptParams{
		Spec:                s,
		TrustDir:            flip.TrustHostDir,
		KitFile:             flip.KitFileName(s.Code, s.Env),
		FLKitDir:            flip.TrustFLKitDir,
		Network:             flip.TrustNetworkName(s.SlotNumber),
		Project:             flip.TrustProject(s.SlotNumber),
		KitOwner:            kitOwner,
		FlareSource:         flip.S3URI(s.KitsBucket, flip.FlareKitPrefix(s.KitDate, s.Slot)) + "/",
		FlowerSource:        flip.S3URI(s.KitsBucket, flip.FlowerKitPrefix(s.KitDate)) + "/",
		FlowerCredential:    "keys/" + flip.FlowerCredentialFile(s.SlotNumber),
		ImagesDir:           flip.TrustImagesDir(s.SlotNumber),
		StartTimeoutSeconds: int(s.StartTimeout / time.Second),
		CloudInitTimeout:    cloudInitTimeoutSeconds,
		Services:            flip.TrustCoreServices,
		Flower:              s.Backend == flip.Flower,
		BackendName:         string(s.Backend),
	}
	if p.Flower {
		p.FlareSource = ""
	} else {
		p.FlowerSource, p.FlowerCredential = "", ""
	}
	xnat := flip.TrustXNATDataDir(s.SlotNumber)
	// Each bind-mount source owned by the container user that writes it, as upstream's
	// flip_trust_dirs role and site.yml leave them (see flip's owner constants). The images
	// directory's net-1 is shared with the FL client: Flower's runs as gid 49999.
	netGID, netMode := flip.TrustHostUID, "0755"
	if p.Flower {
		netGID, netMode = flip.FlowerClientGID, "0775"
	}
	p.Dirs = []hostDir{
		owned(p.ImagesDir, flip.TrustHostUID, flip.TrustHostUID, "0755"),
		owned(p.ImagesDir+"/"+flip.KitNet, flip.TrustHostUID, netGID, netMode),
		owned(flip.TrustOMOPDataDir, 0, 0, "0755"),
		owned(flip.TrustOrthancDir, flip.OrthancContainerID, flip.OrthancContainerID, "0755"),
		owned(flip.TrustVolumesDir+"/loki", flip.LokiContainerUID, flip.LokiContainerUID, "0755"),
		owned(flip.TrustVolumesDir+"/grafana", flip.GrafanaContainerID, flip.GrafanaContainerID, "0755"),
	}
	// XNAT's data directories, recreated at every deploy (upstream's xnat-reset) and owned by the
	// image's xnat user. [trust/xnat/Makefile @0046dc2 xnat-reset; flip_trust_dirs @83e67f0]
	p.XNATDir = xnat
	for _, d := range []string{"", "/xnat-data/tomcat_logs", "/xnat-data/archive", "/xnat-data/build", "/xnat-data/cache", "/xnat-db-data"} {
		p.XNATDirs = append(p.XNATDirs, owned(xnat+d, flip.XNATContainerUID, flip.XNATContainerUID, "0755"))
	}
	p.XNATServices = []string{flip.TrustServiceXNATWeb, flip.TrustServiceXNATDB, flip.TrustServiceXNATNginx}
	for _, f := range stackFiles(s.Backend) {
		if err := p.addFile(f.src, flip.TrustHostDir+"/deploy/"+f.dest, "0640"); err != nil {
			return Bundle{}, err
		}
	}
	for _, f := range observabilityFiles {
		if err := p.addFile(f.src, flip.TrustObservabilityDir+"/"+f.dest, "0644"); err != nil {
			return Bundle{}, err
		}
	}
	p.Files = append(p.Files, hostFile{Path: flip.TrustHostDir + "/host.env", Mode: "0640", Content: HostEnv(s)})
	for i := range p.Files {
		d, err := delimiter(fmt.Sprintf("FLIP_EOF_%d", i+1), p.Files[i].Content)
		if err != nil {
			return Bundle{}, err
		}
		p.Files[i].Delimiter = d
	}

	// The hash covers every input and file, not the script text, so a rewording of a log line
	// does not re-run deploys but any change of what lands on the host does.
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00%s\x00%d\x00%s\x00%s\x00%s\x00%s\x00", s.Code, s.Env, s.Region,
		s.Backend, s.Slot, s.SlotNumber, s.KitDate, s.KitSecretARN, s.KitsBucket, s.Tag+"/"+s.FLTag)
	for _, f := range p.Files {
		fmt.Fprintf(h, "%s\x00%s\x00%s\x00", f.Path, f.Mode, f.Content)
	}
	p.Hash = hex.EncodeToString(h.Sum(nil))

	var b strings.Builder
	if err := scriptTemplate.Execute(&b, p); err != nil {
		return Bundle{}, fmt.Errorf("render trust deploy script: %w", err)
	}
	return Bundle{Script: b.String(), Hash: p.Hash}, nil
}

func (p *scriptParams) addFile(src, dest, mode string) error {
	b, err := files.ReadFile(src)
	if err != nil {
		return fmt.Errorf("trust deploy: %w", err)
	}
	p.Files = append(p.Files, hostFile{Path: dest, Mode: mode, Content: string(b)})
	return nil
}

// HostEnv is the env file the script writes beside the kit: the values upstream's trust Makefile
// passes to compose on the command line rather than through the kit (TRUST_VARS, the EC2 target's
// NUM_AVAILABLE_GPUS=0), the FL client image of the backend (fl_backend.mk), and the XNAT settings
// of trust/xnat/.env and trust/xnat/Makefile. Compose reads it after the kit, so it wins.
// [trust/Makefile @0046dc2 TRUST_VARS, up-trust-ec2; deploy/fl_backend.mk @2941e84;
// trust/xnat/.env @12c0eee; trust/xnat/Makefile @0046dc2 XNAT_TAG ?= DOCKER_TAG, XNAT_DATA_DIR]
func HostEnv(s Spec) string {
	kv := [][2]string{
		{"TRUST_NETWORK_NAME", flip.TrustNetworkName(s.SlotNumber)},
		{"TRUST_NUMBER", strconv.Itoa(s.SlotNumber)},
		{"NUM_AVAILABLE_GPUS", "0"},
		{"DEBUG", "false"},
		{flip.EnvFLClientName, flip.FLClientImage(s.Backend)},
		{"XNAT_TAG", s.Tag},
		{"XNAT_DATA_DIR", flip.TrustXNATDataDir(s.SlotNumber)},
		{"XNAT_ROOT", "/data/xnat"},
		{"XNAT_HOME", "/data/xnat/home"},
		{"XNAT_MIN_HEAP", "1024m"},
		{"XNAT_MAX_HEAP", "3072m"},
		{"XNAT_DATASOURCE_NAME", "xnat"},
		{"XNAT_DATASOURCE_DRIVER", "org.postgresql.Driver"},
		{"XNAT_DATASOURCE_URL", "jdbc:postgresql://xnat-db/xnat"},
		{"DOCKER_NETWORK_NAME", flip.TrustNetworkName(s.SlotNumber)},
	}
	var b strings.Builder
	b.WriteString("# Written by the flip-hub trust deploy; the kit file holds everything else.\n")
	for _, e := range kv {
		fmt.Fprintf(&b, "%s=%s\n", e[0], e[1])
	}
	return b.String()
}

// delimiter returns name as a heredoc delimiter after checking that content ends in a newline
// and never holds it as a line.
func delimiter(name, content string) (string, error) {
	if !strings.HasSuffix(content, "\n") {
		return "", fmt.Errorf("trust deploy: %s content does not end in a newline", name)
	}
	for _, line := range strings.Split(content, "\n") {
		if line == name {
			return "", fmt.Errorf("trust deploy: content holds the heredoc delimiter %s", name)
		}
	}
	return name, nil
}
