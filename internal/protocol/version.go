package protocol

import (
	"errors"
	"fmt"
	"io"
	"runtime/debug"
)

// WriteVersion prints the build's module version, VCS revision (marked when built from a tree
// with uncommitted changes), the protocol it speaks and its Go version, one per line.
func WriteVersion(w io.Writer, info *debug.BuildInfo) error {
	rev, dirty := "unknown", false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if dirty {
		rev += " (modified)"
	}
	_, err := fmt.Fprintf(w, "hubctl %s\ncommit %s\nprotocol %d\n%s\n", info.Main.Version, rev, Version, info.GoVersion)
	return err
}

// WriteBuildVersion is WriteVersion for the running binary.
func WriteBuildVersion(w io.Writer) error {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return errors.New("no build information in this binary")
	}
	return WriteVersion(w, info)
}
