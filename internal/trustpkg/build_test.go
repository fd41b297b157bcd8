package trustpkg_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/londonaicentre/flip-hub/internal/flip"
	"github.com/londonaicentre/flip-hub/internal/trustpkg"
)

// options packs trust code's kit from slot of backend, with the env kit internal/kit writes for it.
func options(t *testing.T, e *env, code string, backend flip.Backend, slot string, number int, envWord string) trustpkg.Options {
	t.Helper()
	return trustpkg.Options{
		Code:       code,
		Backend:    backend,
		Bucket:     e.bucket,
		KitDate:    kitDate,
		Slot:       slot,
		SlotNumber: number,
		EnvKit:     envKit(t, backend, slot, number, kitDate),
		EnvKitName: flip.KitFileName(code, envWord),
		OutDir:     t.TempDir(),
	}
}

func TestBuildPacksExactlyOneTrustsMaterial(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cases := []struct {
		name    string
		code    string
		backend flip.Backend
		slot    string
		number  int
		envWord string
		// want is every archive entry, in archive order.
		want []string
		// allowed are the fixture markers the archive must hold; every other seeded marker must
		// be absent from every byte of it.
		allowed []string
	}{
		{
			name: "nvflare Trust_3", code: "GSTT", backend: flip.NVFlare, slot: "Trust_3", number: 3, envWord: "stag",
			want: []string{
				"flip-trust-GSTT/",
				"flip-trust-GSTT/.env.GSTT.stag",
				"flip-trust-GSTT/MANIFEST.sha256",
				"flip-trust-GSTT/fl-kit/",
				"flip-trust-GSTT/fl-kit/net-1/",
				"flip-trust-GSTT/fl-kit/net-1/services/",
				"flip-trust-GSTT/fl-kit/net-1/services/Trust_3/",
				"flip-trust-GSTT/fl-kit/net-1/services/Trust_3/local/",
				"flip-trust-GSTT/fl-kit/net-1/services/Trust_3/local/log.config.default",
				"flip-trust-GSTT/fl-kit/net-1/services/Trust_3/local/resources.json.default",
				"flip-trust-GSTT/fl-kit/net-1/services/Trust_3/startup/",
				"flip-trust-GSTT/fl-kit/net-1/services/Trust_3/startup/client.crt",
				"flip-trust-GSTT/fl-kit/net-1/services/Trust_3/startup/client.key",
				"flip-trust-GSTT/fl-kit/net-1/services/Trust_3/startup/fed_client.json",
				"flip-trust-GSTT/fl-kit/net-1/services/Trust_3/startup/rootCA.pem",
				"flip-trust-GSTT/fl-kit/net-1/services/Trust_3/startup/start.sh",
				"flip-trust-GSTT/fl-kit/net-1/services/Trust_3/transfer/",
			},
			allowed: flareMarkers("Trust_3"),
		},
		{
			// Trust_10's prefix starts with Trust_1's.
			name: "nvflare Trust_1", code: "KCH", backend: flip.NVFlare, slot: "Trust_1", number: 1, envWord: "production",
			want: []string{
				"flip-trust-KCH/",
				"flip-trust-KCH/.env.KCH.production",
				"flip-trust-KCH/MANIFEST.sha256",
				"flip-trust-KCH/fl-kit/",
				"flip-trust-KCH/fl-kit/net-1/",
				"flip-trust-KCH/fl-kit/net-1/services/",
				"flip-trust-KCH/fl-kit/net-1/services/Trust_1/",
				"flip-trust-KCH/fl-kit/net-1/services/Trust_1/local/",
				"flip-trust-KCH/fl-kit/net-1/services/Trust_1/local/log.config.default",
				"flip-trust-KCH/fl-kit/net-1/services/Trust_1/local/resources.json.default",
				"flip-trust-KCH/fl-kit/net-1/services/Trust_1/startup/",
				"flip-trust-KCH/fl-kit/net-1/services/Trust_1/startup/client.crt",
				"flip-trust-KCH/fl-kit/net-1/services/Trust_1/startup/client.key",
				"flip-trust-KCH/fl-kit/net-1/services/Trust_1/startup/fed_client.json",
				"flip-trust-KCH/fl-kit/net-1/services/Trust_1/startup/rootCA.pem",
				"flip-trust-KCH/fl-kit/net-1/services/Trust_1/startup/start.sh",
				"flip-trust-KCH/fl-kit/net-1/services/Trust_1/transfer/",
			},
			allowed: flareMarkers("Trust_1"),
		},
		{
			name: "flower Trust_3", code: "GSTT", backend: flip.Flower, slot: "Trust_3", number: 3, envWord: "stag",
			want: []string{
				"flip-trust-GSTT/",
				"flip-trust-GSTT/.env.GSTT.stag",
				"flip-trust-GSTT/MANIFEST.sha256",
				"flip-trust-GSTT/fl-kit/",
				"flip-trust-GSTT/fl-kit/net-1/",
				"flip-trust-GSTT/fl-kit/net-1/certificates/",
				"flip-trust-GSTT/fl-kit/net-1/certificates/ca.crt",
				"flip-trust-GSTT/fl-kit/net-1/keys/",
				"flip-trust-GSTT/fl-kit/net-1/keys/supernode_credentials_3",
			},
			allowed: []string{secret(kitDate+"/flower", "certificates/ca.crt"), secret(kitDate+"/flower", "keys/supernode_credentials_3")},
		},
		{
			// supernode_credentials_1 is a prefix of _10 and of _1.pub.
			name: "flower Trust_1", code: "Trust_K8s", backend: flip.Flower, slot: "Trust_1", number: 1, envWord: "production",
			want: []string{
				"flip-trust-Trust_K8s/",
				"flip-trust-Trust_K8s/.env.Trust_K8s.production",
				"flip-trust-Trust_K8s/MANIFEST.sha256",
				"flip-trust-Trust_K8s/fl-kit/",
				"flip-trust-Trust_K8s/fl-kit/net-1/",
				"flip-trust-Trust_K8s/fl-kit/net-1/certificates/",
				"flip-trust-Trust_K8s/fl-kit/net-1/certificates/ca.crt",
				"flip-trust-Trust_K8s/fl-kit/net-1/keys/",
				"flip-trust-Trust_K8s/fl-kit/net-1/keys/supernode_credentials_1",
			},
			allowed: []string{secret(kitDate+"/flower", "certificates/ca.crt"), secret(kitDate+"/flower", "keys/supernode_credentials_1")},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o := options(t, e, tc.code, tc.backend, tc.slot, tc.number, tc.envWord)
			res, err := trustpkg.Build(context.Background(), e.s3, o)
			if err != nil {
				t.Fatalf("Build: %v", err)
			}

			if want := filepath.Join(o.OutDir, "flip-trust-"+tc.code+"-"+kitDate+".tar.gz"); res.Path != want {
				t.Errorf("Path = %s, want %s", res.Path, want)
			}
			fi, err := os.Stat(res.Path)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode() != 0o600 {
				t.Errorf("archive mode = %v, want -rw-------", fi.Mode())
			}
			if names := dirNames(t, o.OutDir); !slices.Equal(names, []string{filepath.Base(res.Path)}) {
				t.Errorf("output directory holds %v, want only the archive", names)
			}
			raw, err := os.ReadFile(res.Path)
			if err != nil {
				t.Fatal(err)
			}
			if sum := sha256.Sum256(raw); res.SHA256 != hex.EncodeToString(sum[:]) {
				t.Errorf("SHA256 = %s, want the archive's %x", res.SHA256, sum)
			}

			if !slices.Equal(res.Entries, tc.want) {
				t.Errorf("Entries:\n got %q\nwant %q", res.Entries, tc.want)
			}
			var files int
			for _, n := range tc.want {
				if !strings.HasSuffix(n, "/") {
					files++
				}
			}
			if res.FileCount != files {
				t.Errorf("FileCount = %d, want %d", res.FileCount, files)
			}

			tarStream, headers := readArchive(t, raw)
			if names := headerNames(headers); !slices.Equal(names, tc.want) {
				t.Errorf("archive entries:\n got %q\nwant %q", names, tc.want)
			}
			checkHeaders(t, headers)

			dir := extract(t, res.Path)
			top := filepath.Join(dir, "flip-trust-"+tc.code)
			sha256sumCheck(t, top)
			checkManifestCoversEveryFile(t, top)
			got, err := os.ReadFile(filepath.Join(top, o.EnvKitName))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, o.EnvKit) {
				t.Errorf("env kit in the archive differs from the one given")
			}

			// Every byte of the archive, compressed stream decompressed, and of the extracted tree.
			all := append(append([]byte(nil), tarStream...), treeBytes(t, dir)...)
			for _, m := range tc.allowed {
				if !bytes.Contains(all, []byte(m)) {
					t.Errorf("archive lacks %s", m)
				}
			}
			for _, m := range e.seeded {
				if !slices.Contains(tc.allowed, m) && bytes.Contains(all, []byte(m)) {
					t.Errorf("archive holds %s, which is not this trust's material", m)
				}
			}
		})
	}
}

// flareMarkers are the markers of slot's startup/ and local/ files in the current kit.
func flareMarkers(slot string) []string {
	var out []string
	for _, f := range flareSlotFiles {
		out = append(out, secret(kitDate+"/"+slot, f))
	}
	return out
}

func TestBuildIsDeterministic(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, backend := range flip.Backends {
		t.Run(string(backend), func(t *testing.T) {
			t.Parallel()
			o := options(t, e, "GSTT", backend, "Trust_3", 3, "stag")
			first, err := trustpkg.Build(context.Background(), e.s3, o)
			if err != nil {
				t.Fatal(err)
			}
			a, err := os.ReadFile(first.Path)
			if err != nil {
				t.Fatal(err)
			}
			// Again into another directory, and again over the first archive.
			o2 := o
			o2.OutDir = t.TempDir()
			for _, oo := range []trustpkg.Options{o2, o} {
				res, err := trustpkg.Build(context.Background(), e.s3, oo)
				if err != nil {
					t.Fatal(err)
				}
				b, err := os.ReadFile(res.Path)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(a, b) {
					t.Errorf("%s differs from %s for the same inputs", res.Path, first.Path)
				}
				if res.SHA256 != first.SHA256 || !slices.Equal(res.Entries, first.Entries) {
					t.Errorf("result %+v differs from %+v", res, first)
				}
				if names := dirNames(t, oo.OutDir); len(names) != 1 {
					t.Errorf("%s holds %v, want only the archive", oo.OutDir, names)
				}
			}
		})
	}
}

func TestBuildRefuses(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cases := []struct {
		name    string
		backend flip.Backend
		mutate  func(t *testing.T, o *trustpkg.Options)
		wantErr error
		// wantMsg must appear in the error.
		wantMsg string
	}{
		{
			name: "no claimed slot", backend: flip.NVFlare,
			mutate:  func(_ *testing.T, o *trustpkg.Options) { o.Slot, o.SlotNumber = "", 0 },
			wantErr: trustpkg.ErrNoSlot,
		},
		{
			name: "no claimed slot flower", backend: flip.Flower,
			mutate:  func(_ *testing.T, o *trustpkg.Options) { o.Slot = "" },
			wantErr: trustpkg.ErrNoSlot,
		},
		{
			name: "unknown backend", backend: flip.NVFlare,
			mutate:  func(_ *testing.T, o *trustpkg.Options) { o.Backend = "pysyft" },
			wantErr: trustpkg.ErrUnknownBackend, wantMsg: `"pysyft"`,
		},
		{
			name: "empty backend", backend: flip.NVFlare,
			mutate:  func(_ *testing.T, o *trustpkg.Options) { o.Backend = "" },
			wantErr: trustpkg.ErrUnknownBackend,
		},
		{
			name: "missing kit date nvflare", backend: flip.NVFlare,
			mutate: func(t *testing.T, o *trustpkg.Options) {
				o.KitDate = "2030-01-01"
				o.EnvKit = envKit(t, flip.NVFlare, o.Slot, o.SlotNumber, o.KitDate)
			},
			wantErr: trustpkg.ErrEmptyKit, wantMsg: "kit is empty: s3://" + e.bucket + "/fl-flare-participant-kits/2030-01-01/net-1/services/Trust_3/ ",
		},
		{
			name: "missing kit date flower", backend: flip.Flower,
			mutate: func(t *testing.T, o *trustpkg.Options) {
				o.KitDate = "2030-01-01"
				o.EnvKit = envKit(t, flip.Flower, o.Slot, o.SlotNumber, o.KitDate)
			},
			wantErr: trustpkg.ErrEmptyKit, wantMsg: "kit is empty: s3://" + e.bucket + "/fl-flower-participant-kits/2030-01-01/net-1/ ",
		},
		{
			name: "slot never provisioned nvflare", backend: flip.NVFlare,
			mutate: func(t *testing.T, o *trustpkg.Options) {
				o.Slot, o.SlotNumber = "Trust_7", 7
				o.EnvKit = envKit(t, flip.NVFlare, o.Slot, o.SlotNumber, o.KitDate)
			},
			wantErr: trustpkg.ErrEmptyKit, wantMsg: "s3://" + e.bucket + "/fl-flare-participant-kits/2025-06-01/net-1/services/Trust_7/",
		},
		{
			// The prefix holds the CA and other slots' keys, but not this slot's credential.
			name: "slot never provisioned flower", backend: flip.Flower,
			mutate: func(t *testing.T, o *trustpkg.Options) {
				o.Slot, o.SlotNumber = "Trust_7", 7
				o.EnvKit = envKit(t, flip.Flower, o.Slot, o.SlotNumber, o.KitDate)
			},
			wantErr: trustpkg.ErrIncompleteKit, wantMsg: "s3://" + e.bucket + "/fl-flower-participant-kits/2025-06-01/net-1/keys/supernode_credentials_7",
		},
		{
			name: "no fed_client.json", backend: flip.NVFlare,
			mutate: func(t *testing.T, o *trustpkg.Options) {
				o.KitDate = brokenDate
				o.EnvKit = envKit(t, flip.NVFlare, o.Slot, o.SlotNumber, o.KitDate)
			},
			wantErr: trustpkg.ErrIncompleteKit, wantMsg: "s3://" + e.bucket + "/fl-flare-participant-kits/2025-02-02/net-1/services/Trust_3/startup/fed_client.json",
		},
		{
			name: "slot number of another slot", backend: flip.Flower,
			mutate:  func(_ *testing.T, o *trustpkg.Options) { o.SlotNumber = 1 },
			wantErr: trustpkg.ErrSlotNumber,
		},
		{
			name: "unnumbered flower slot", backend: flip.Flower,
			mutate: func(t *testing.T, o *trustpkg.Options) {
				o.Slot, o.SlotNumber = "Trust_K8s", flip.UnnumberedSlot
				o.EnvKit = envKit(t, flip.Flower, o.Slot, o.SlotNumber, o.KitDate)
			},
			wantErr: trustpkg.ErrSlotNumber,
		},
		{
			name: "hub server participant", backend: flip.NVFlare,
			mutate: func(_ *testing.T, o *trustpkg.Options) {
				o.Slot, o.SlotNumber = flip.FlareServerParticipant, flip.SlotNumber(flip.FlareServerParticipant)
			},
			wantErr: trustpkg.ErrHubParticipant,
		},
		{
			name: "hub admin participant", backend: flip.NVFlare,
			mutate: func(_ *testing.T, o *trustpkg.Options) {
				o.Slot, o.SlotNumber = flip.FlareAdminParticipant, flip.SlotNumber(flip.FlareAdminParticipant)
			},
			wantErr: trustpkg.ErrHubParticipant,
		},
		{
			name: "env kit of another slot", backend: flip.NVFlare,
			mutate:  func(t *testing.T, o *trustpkg.Options) { o.EnvKit = envKit(t, flip.NVFlare, "Trust_1", 1, kitDate) },
			wantErr: trustpkg.ErrKitMismatch, wantMsg: "FL_KIT_SLOT=",
		},
		{
			name: "env kit of another backend", backend: flip.Flower,
			mutate:  func(t *testing.T, o *trustpkg.Options) { o.EnvKit = envKit(t, flip.NVFlare, "Trust_3", 3, kitDate) },
			wantErr: trustpkg.ErrKitMismatch, wantMsg: "FL_BACKEND=",
		},
		{
			name: "env kit of another kit date", backend: flip.NVFlare,
			mutate:  func(t *testing.T, o *trustpkg.Options) { o.EnvKit = envKit(t, flip.NVFlare, "Trust_3", 3, staleDate) },
			wantErr: trustpkg.ErrKitMismatch, wantMsg: "FLARE_KIT_DATE=",
		},
		{
			name: "env kit without metadata", backend: flip.NVFlare,
			mutate:  func(_ *testing.T, o *trustpkg.Options) { o.EnvKit = []byte("XNAT_URL=https://xnat.example\n") },
			wantErr: trustpkg.ErrKitMismatch, wantMsg: "no FL_BACKEND",
		},
		{
			name: "empty env kit", backend: flip.NVFlare,
			mutate:  func(_ *testing.T, o *trustpkg.Options) { o.EnvKit = nil },
			wantErr: trustpkg.ErrInvalid,
		},
		{
			name: "env kit name leaves the archive", backend: flip.NVFlare,
			mutate:  func(_ *testing.T, o *trustpkg.Options) { o.EnvKitName = "../.env.GSTT.stag" },
			wantErr: trustpkg.ErrInvalid,
		},
		{
			name: "kit date with a slash", backend: flip.Flower,
			mutate:  func(_ *testing.T, o *trustpkg.Options) { o.KitDate = "2025-06-01/../2025-01-01" },
			wantErr: trustpkg.ErrInvalid,
		},
		{
			name: "slot with a slash", backend: flip.NVFlare,
			mutate:  func(_ *testing.T, o *trustpkg.Options) { o.Slot = "Trust_3/../Trust_1" },
			wantErr: trustpkg.ErrInvalid,
		},
		{
			name: "bad trust code", backend: flip.NVFlare,
			mutate:  func(_ *testing.T, o *trustpkg.Options) { o.Code = "GS.TT" },
			wantErr: trustpkg.ErrInvalid,
		},
		{
			name: "no bucket", backend: flip.NVFlare,
			mutate:  func(_ *testing.T, o *trustpkg.Options) { o.Bucket = "" },
			wantErr: trustpkg.ErrInvalid,
		},
		{
			name: "missing output directory", backend: flip.NVFlare,
			mutate:  func(_ *testing.T, o *trustpkg.Options) { o.OutDir = filepath.Join(o.OutDir, "absent") },
			wantErr: trustpkg.ErrInvalid,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o := options(t, e, "GSTT", tc.backend, "Trust_3", 3, "stag")
			out := o.OutDir
			tc.mutate(t, &o)
			_, err := trustpkg.Build(context.Background(), e.s3, o)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Build error = %v, want %v", err, tc.wantErr)
			}
			if tc.wantMsg != "" && !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("error %q does not say %q", err, tc.wantMsg)
			}
			if names := dirNames(t, out); len(names) != 0 {
				t.Errorf("a refused build left %v in the output directory", names)
			}
		})
	}
}

func TestEmptyKitErrorNamesThePrefix(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	o := options(t, e, "GSTT", flip.NVFlare, "Trust_3", 3, "stag")
	o.KitDate = "2030-01-01"
	o.EnvKit = envKit(t, flip.NVFlare, o.Slot, o.SlotNumber, o.KitDate)
	_, err := trustpkg.Build(context.Background(), e.s3, o)
	var empty *trustpkg.EmptyKitError
	if !errors.As(err, &empty) {
		t.Fatalf("Build error = %v, want an *EmptyKitError", err)
	}
	if want := "s3://" + e.bucket + "/fl-flare-participant-kits/2030-01-01/net-1/services/Trust_3/"; empty.URI != want || empty.Slot != "Trust_3" {
		t.Errorf("EmptyKitError = %+v, want URI %s, slot Trust_3", empty, want)
	}
}

// readArchive returns the decompressed tar stream and its headers.
func readArchive(t *testing.T, raw []byte) ([]byte, []*tar.Header) {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	stream, err := io.ReadAll(gz)
	if err != nil {
		t.Fatal(err)
	}
	if gz.Name != "" || !gz.ModTime.IsZero() {
		t.Errorf("gzip header has name %q, time %v; want neither", gz.Name, gz.ModTime)
	}
	var hdrs []*tar.Header
	tr := tar.NewReader(bytes.NewReader(stream))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		hdrs = append(hdrs, h)
	}
	return stream, hdrs
}

func headerNames(hdrs []*tar.Header) []string {
	var out []string
	for _, h := range hdrs {
		out = append(out, h.Name)
	}
	return out
}

// checkHeaders holds every entry to the fixed header: files 0600, directories 0700, owned by
// 0:0 with no names, stamped with the Unix epoch.
func checkHeaders(t *testing.T, hdrs []*tar.Header) {
	t.Helper()
	for _, h := range hdrs {
		switch h.Typeflag {
		case tar.TypeReg:
			if h.Mode != 0o600 {
				t.Errorf("%s: mode %o, want 600", h.Name, h.Mode)
			}
		case tar.TypeDir:
			if h.Mode != 0o700 {
				t.Errorf("%s: mode %o, want 700", h.Name, h.Mode)
			}
		default:
			t.Errorf("%s: type %c, want a file or a directory", h.Name, h.Typeflag)
		}
		if h.Uid != 0 || h.Gid != 0 || h.Uname != "" || h.Gname != "" {
			t.Errorf("%s: owner %d:%d (%q:%q), want 0:0 unnamed", h.Name, h.Uid, h.Gid, h.Uname, h.Gname)
		}
		if h.ModTime.Unix() != 0 {
			t.Errorf("%s: mtime %v, want the Unix epoch", h.Name, h.ModTime)
		}
	}
}

// extract unpacks archive with the system tar, as an operator would.
func extract(t *testing.T, archive string) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("tar", "-xzf", archive, "-C", dir).CombinedOutput(); err != nil {
		t.Fatalf("tar -xzf: %v\n%s", err, out)
	}
	return dir
}

// sha256sumCheck verifies the manifest with coreutils, inside the extracted top directory.
func sha256sumCheck(t *testing.T, top string) {
	t.Helper()
	cmd := exec.Command("sha256sum", "--check", "--strict", trustpkg.ManifestName)
	cmd.Dir = top
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sha256sum -c: %v\n%s", err, out)
	}
}

// checkManifestCoversEveryFile: the manifest names every extracted file but itself, once, sorted.
func checkManifestCoversEveryFile(t *testing.T, top string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(top, trustpkg.ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		_, name, ok := strings.Cut(line, "  ")
		if !ok {
			t.Fatalf("manifest line %q is not sha256sum format", line)
		}
		listed = append(listed, name)
	}
	var files []string
	err = filepath.WalkDir(top, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(top, p)
		if d.IsDir() {
			if info.Mode().Perm() != 0o700 {
				t.Errorf("extracted %s has mode %v, want drwx------", rel, info.Mode())
			}
			return nil
		}
		if info.Mode().Perm() != 0o600 {
			t.Errorf("extracted %s has mode %v, want -rw-------", rel, info.Mode())
		}
		if rel != trustpkg.ManifestName {
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	if !slices.Equal(listed, files) {
		t.Errorf("manifest lists %q, want every other file %q, sorted", listed, files)
	}
}

// treeBytes is every file of dir, concatenated.
func treeBytes(t *testing.T, dir string) []byte {
	t.Helper()
	var all []byte
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		all = append(all, b...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return all
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		t.Fatal(err)
	}
	var out []string
	for _, d := range des {
		out = append(out, d.Name())
	}
	return out
}
