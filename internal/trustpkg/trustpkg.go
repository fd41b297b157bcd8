package trustpkg

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/londonaicentre/flip-hub/internal/kit"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/londonaicentre/flip-hub/internal/flip"
)

// S3API is what Build needs of S3: listing a kit prefix and reading its objects. *s3.Client
// satisfies it.
type S3API interface {
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, optFns ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// Options says whose kit to pack and where.
type Options struct {
	Code       string       // the trust code, e.g. GSTT
	Backend    flip.Backend // FL_BACKEND: flip.NVFlare or flip.Flower
	Bucket     string       // the kits bucket
	KitDate    string       // the FL kit release: FLARE_KIT_DATE or FLOWER_KIT_DATE
	Slot       string       // FL_KIT_SLOT: the slot the trust claimed, e.g. Trust_3; empty means none
	SlotNumber int          // FL_KIT_SLOT_NUMBER: the slot's number, e.g. 3
	EnvKit     []byte       // the content of trust/.env.<CODE>.<env>, packed as it is
	EnvKitName string       // its file name, e.g. .env.GSTT.stag
	OutDir     string       // an existing directory the archive is written to
}

// Result describes a written archive; it holds no file contents.
type Result struct {
	Path      string   // the archive, OutDir/ArchiveName(Code, KitDate)
	SHA256    string   // hex SHA-256 of the archive file, to compare after handing it over
	FileCount int      // regular files in the archive, MANIFEST.sha256 included
	Entries   []string // every archive path in archive order; directories end in "/"
}

// Names inside the archive.
const (
	// ManifestName is the sha256sum file at the top of the archive, covering every other file.
	ManifestName = "MANIFEST.sha256"
	// FLKitDir is the FL participant kit's directory in the archive: the directory an on-prem
	// operator sets FL_KIT_DIR to, holding net-1/... as the kits bucket and the trust's compose
	// mounts lay it out. [deploy/providers/AWS/scripts/package-onprem-trust-kit.sh fl-kit/ and its
	// operator step FL_KIT_DIR=$HOME/flip-trust-kit/fl-kit; trust/deploy/compose_trust.production.{nvflare,flower}.yml]
	FLKitDir = "fl-kit"
)

// TopDir is the one top-level directory of a trust's archive.
func TopDir(code string) string { return "flip-trust-" + code }

// ArchiveName is the file name of a trust's archive for a kit release.
func ArchiveName(code, kitDate string) string { return TopDir(code) + "-" + kitDate + ".tar.gz" }

// Build fetches the slot's FL participant material, packs it with the env kit and a manifest into
// one deterministic .tar.gz and writes it atomically, mode 0600, to o.OutDir. Nothing is written
// unless every check and every fetch has passed.
func Build(ctx context.Context, api S3API, o Options) (Result, error) {
	if err := o.validate(); err != nil {
		return Result{}, err
	}
	if err := checkEnvKit(o); err != nil {
		return Result{}, err
	}
	l := layoutFor(o)
	fl, err := fetch(ctx, api, o.Bucket, o.Slot, l)
	if err != nil {
		return Result{}, err
	}
	files := append([]member{{name: o.EnvKitName, data: o.EnvKit}}, fl...)
	var dirs []string
	for _, d := range l.dirs {
		dirs = append(dirs, l.archiveDir+"/"+d)
	}
	data, entries, nfiles, err := pack(TopDir(o.Code), files, dirs)
	if err != nil {
		return Result{}, err
	}
	path := filepath.Join(o.OutDir, ArchiveName(o.Code, o.KitDate))
	if err := kit.WriteAtomic(path, data); err != nil {
		return Result{}, fmt.Errorf("trust package %s: %w", path, err)
	}
	sum := sha256.Sum256(data)
	return Result{Path: path, SHA256: hex.EncodeToString(sum[:]), FileCount: nfiles, Entries: entries}, nil
}

var (
	// kitDateRE: a kit date is one path element of the kits bucket (upstream's are dates such as
	// 2025-06-01), so no '/', no leading '.', nothing a shell or a URI would read differently.
	kitDateRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	// slotRE: an NVFLARE client name is letters, digits, '_' and '-', and a slot is a directory
	// of the kit (services/<slot>/), so nothing else may pass. [flip-api db/seed/fl_kit_slots.py
	// examples Trust_1, Trust_K8s]
	slotRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	// envKitNameRE: the kit file name is .env.<CODE>.<env>, one path element. [flip.KitFileName]
	envKitNameRE = regexp.MustCompile(`^\.env\.[A-Za-z0-9_.-]{1,128}$`)
)

func (o Options) validate() error {
	if !flip.ValidTrustCode(o.Code) {
		return fmt.Errorf("%w: code %q: want %s", ErrInvalid, o.Code, flip.TrustCodeRule)
	}
	if !flip.ValidBackend(string(o.Backend)) {
		return fmt.Errorf("%w: %q: want %q or %q", ErrUnknownBackend, o.Backend, flip.NVFlare, flip.Flower)
	}
	if o.Slot == "" {
		return fmt.Errorf("trust %s: %w: register it first so it claims one", o.Code, ErrNoSlot)
	}
	if !slotRE.MatchString(o.Slot) {
		return fmt.Errorf("%w: slot %q: want 1 to 64 letters, digits, _ or -", ErrInvalid, o.Slot)
	}
	if o.Slot == flip.FlareServerParticipant || o.Slot == flip.FlareAdminParticipant {
		return fmt.Errorf("trust %s: %w: %s holds the hub's own keys", o.Code, ErrHubParticipant, o.Slot)
	}
	if want := flip.SlotNumber(o.Slot); o.SlotNumber != want {
		return fmt.Errorf("trust %s: %w: slot %s has number %d, not %d", o.Code, ErrSlotNumber, o.Slot, want, o.SlotNumber)
	}
	if o.Backend == flip.Flower && o.SlotNumber == flip.UnnumberedSlot {
		return fmt.Errorf("trust %s: %w: slot %s has no trailing _<N>, so there is no Flower SuperNode credential for it", o.Code, ErrSlotNumber, o.Slot)
	}
	if o.Bucket == "" {
		return fmt.Errorf("%w: kits bucket is empty", ErrInvalid)
	}
	if !kitDateRE.MatchString(o.KitDate) || strings.Contains(o.KitDate, "..") {
		return fmt.Errorf("%w: kit date %q: want one path element such as 2025-06-01", ErrInvalid, o.KitDate)
	}
	if !envKitNameRE.MatchString(o.EnvKitName) || strings.Contains(o.EnvKitName, "..") {
		return fmt.Errorf("%w: env kit name %q: want .env.<CODE>.<env>", ErrInvalid, o.EnvKitName)
	}
	if len(o.EnvKit) == 0 {
		return fmt.Errorf("%w: env kit %s is empty", ErrInvalid, o.EnvKitName)
	}
	if o.OutDir == "" {
		return fmt.Errorf("%w: output directory is empty", ErrInvalid)
	}
	fi, err := os.Stat(o.OutDir)
	if err != nil {
		return fmt.Errorf("%w: output directory: %w", ErrInvalid, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("%w: output directory %s is not a directory", ErrInvalid, o.OutDir)
	}
	return nil
}
