package testpg

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
)

// SkipEnv names the variable that lets a run without PostgreSQL binaries skip the tests that need
// them. Only the exact value "1" opts out, and only a missing installation is skipped: a server that
// is installed but fails to start always fails the test.
const SkipEnv = "FLIP_SKIP_PG"

// BinDirEnv names an optional variable holding the directory of initdb and pg_ctl. When it is set it
// is the only place searched, so a wrong value fails loudly instead of falling back to another version.
const BinDirEnv = "FLIP_PG_BINDIR"

// ErrNotInstalled reports that initdb or pg_ctl could not be found.
var ErrNotInstalled = errors.New("postgresql server binaries not found")

// defaultGlobs are the places PostgreSQL server binaries live when they are not on PATH: Debian and
// Ubuntu (/usr/lib/postgresql/<major>/bin) and the PGDG RPM layout (/usr/pgsql-<major>/bin).
var defaultGlobs = []string{"/usr/lib/postgresql/*/bin", "/usr/pgsql-*/bin"}

// binaries are the absolute paths of the two programs testpg drives. pg_ctl finds the postgres
// server binary next to itself.
type binaries struct {
	initdb string
	pgCtl  string
}

// findBinaries looks for initdb and pg_ctl: only in $FLIP_PG_BINDIR when that is set; otherwise on
// PATH, then in the newest major version matched by globs.
func findBinaries(getenv func(string) string, globs []string) (binaries, error) {
	if dir := getenv(BinDirEnv); dir != "" {
		b, ok := inDir(dir)
		if !ok {
			return binaries{}, fmt.Errorf("testpg: %w: %s=%q has no executable initdb and pg_ctl", ErrNotInstalled, BinDirEnv, dir)
		}
		return b, nil
	}
	if b, ok := onPath(getenv("PATH")); ok {
		return b, nil
	}
	for _, dir := range newestFirst(globs) {
		if b, ok := inDir(dir); ok {
			return b, nil
		}
	}
	return binaries{}, fmt.Errorf("testpg: %w: looked for initdb and pg_ctl on PATH and in %v; "+
		"install the PostgreSQL server (Debian: apt-get install postgresql), set %s to their directory, "+
		"or set %s=1 to skip the tests that need a database", ErrNotInstalled, globs, BinDirEnv, SkipEnv)
}

// onPath finds both programs on a PATH-style list; they may live in different directories.
func onPath(pathList string) (binaries, bool) {
	var b binaries
	for _, dir := range filepath.SplitList(pathList) {
		if dir == "" {
			continue
		}
		if b.initdb == "" && isExecutable(filepath.Join(dir, "initdb")) {
			b.initdb = filepath.Join(dir, "initdb")
		}
		if b.pgCtl == "" && isExecutable(filepath.Join(dir, "pg_ctl")) {
			b.pgCtl = filepath.Join(dir, "pg_ctl")
		}
	}
	return b, b.initdb != "" && b.pgCtl != ""
}

// inDir reports the two programs in dir when both are there.
func inDir(dir string) (binaries, bool) {
	b := binaries{initdb: filepath.Join(dir, "initdb"), pgCtl: filepath.Join(dir, "pg_ctl")}
	return b, isExecutable(b.initdb) && isExecutable(b.pgCtl)
}

// isExecutable reports whether path is a regular file (after symlinks) with an execute bit set.
func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

var versionRE = regexp.MustCompile(`[0-9]+`)

// newestFirst expands globs and orders the matches by the major version named by the directory
// holding bin (the 17 of /usr/lib/postgresql/17/bin or /usr/pgsql-17/bin), highest first, so 17 is
// preferred to 9.
func newestFirst(globs []string) []string {
	var dirs []string
	for _, g := range globs {
		m, _ := filepath.Glob(g) // the only error is a malformed pattern, and ours are constants
		dirs = append(dirs, m...)
	}
	version := func(p string) int {
		n, _ := strconv.Atoi(versionRE.FindString(filepath.Base(filepath.Dir(p))))
		return n
	}
	sort.SliceStable(dirs, func(i, j int) bool {
		if vi, vj := version(dirs[i]), version(dirs[j]); vi != vj {
			return vi > vj
		}
		return dirs[i] < dirs[j]
	})
	return dirs
}
