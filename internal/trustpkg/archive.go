package trustpkg

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"
)

// The archive is a gzipped tar rather than a zip: tar carries the 0600/0700 modes every
// extractor honours (zip keeps Unix modes only in an extension many tools ignore), upstream's
// packager ships a .tar.gz its operator instructions extract with tar -xzf, and tar and gzip are
// on every Linux trust host. [deploy/providers/AWS/scripts/package-onprem-trust-kit.sh]
//
// Every header is fixed but for name and size, so the same inputs give the same bytes: entries
// sorted by name (a parent directory sorts before its children), mtime the Unix epoch, uid and gid
// 0 with no user or group names, mode 0600 for files and 0700 for directories, and a gzip header
// with no name and no time. (Byte-identical holds for one build of hubctl: another Go release may
// compress differently; the manifest's sums do not change.)
const (
	fileMode = 0o600
	dirMode  = 0o700
)

var epoch = time.Unix(0, 0).UTC()

// pack builds the archive: top/ holding files, dirs (both relative to top), every parent
// directory, and ManifestName. It returns the archive, every entry name in order, and the number
// of regular files.
func pack(top string, files []member, dirs []string) ([]byte, []string, int, error) {
	all := append([]member(nil), files...)
	all = append(all, member{name: ManifestName, data: manifest(files)})

	entries := map[string]*member{}
	addDir := func(d string) {
		for d != "" && d != "." {
			entries[top+"/"+d+"/"] = nil
			i := strings.LastIndexByte(d, '/')
			if i < 0 {
				break
			}
			d = d[:i]
		}
	}
	entries[top+"/"] = nil
	for _, d := range dirs {
		addDir(d)
	}
	for i := range all {
		name := top + "/" + all[i].name
		if _, dup := entries[name]; dup {
			return nil, nil, 0, fmt.Errorf("%w: %s appears twice in the archive", ErrUnsafeKey, all[i].name)
		}
		if _, dir := entries[name+"/"]; dir {
			return nil, nil, 0, fmt.Errorf("%w: %s is both a file and a directory", ErrUnsafeKey, all[i].name)
		}
		entries[name] = &all[i]
		if j := strings.LastIndexByte(all[i].name, '/'); j >= 0 {
			addDir(all[i].name[:j])
		}
	}
	names := make([]string, 0, len(entries))
	for n, m := range entries {
		if _, file := entries[strings.TrimSuffix(n, "/")]; m == nil && file {
			return nil, nil, 0, fmt.Errorf("%w: %s is both a file and a directory", ErrUnsafeKey, strings.TrimPrefix(n, top+"/"))
		}
		names = append(names, n)
	}
	sort.Strings(names)

	var buf bytes.Buffer
	gz, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("gzip: %w", err)
	}
	tw := tar.NewWriter(gz)
	for _, n := range names {
		m := entries[n]
		hdr := &tar.Header{Name: n, ModTime: epoch, Uid: 0, Gid: 0}
		if m == nil {
			hdr.Typeflag, hdr.Mode = tar.TypeDir, dirMode
		} else {
			hdr.Typeflag, hdr.Mode, hdr.Size = tar.TypeReg, fileMode, int64(len(m.data))
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, nil, 0, fmt.Errorf("tar %s: %w", n, err)
		}
		if m != nil {
			if _, err := tw.Write(m.data); err != nil {
				return nil, nil, 0, fmt.Errorf("tar %s: %w", n, err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		return nil, nil, 0, fmt.Errorf("tar: %w", err)
	}
	if err := gz.Close(); err != nil {
		return nil, nil, 0, fmt.Errorf("gzip: %w", err)
	}
	return buf.Bytes(), names, len(all), nil
}

// manifest is the sha256sum file of files: "<hex>  <name>" lines sorted by name, so
// `sha256sum -c MANIFEST.sha256` verifies the extracted top directory. Names are safe relative
// paths without backslashes or control characters, so no line needs sha256sum's escaping.
func manifest(files []member) []byte {
	lines := make([]string, 0, len(files))
	for _, f := range files {
		sum := sha256.Sum256(f.data)
		lines = append(lines, hex.EncodeToString(sum[:])+"  "+f.name+"\n")
	}
	sort.Slice(lines, func(i, j int) bool { return lines[i][66:] < lines[j][66:] })
	return []byte(strings.Join(lines, ""))
}
