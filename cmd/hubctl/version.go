package main

import (
	"fmt"
	"io"
	"runtime/debug"

	"github.com/spf13/cobra"
)

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print hubctl's module version, the commit it was built from, and its Go version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			info, ok := debug.ReadBuildInfo()
			if !ok {
				return fmt.Errorf("no build information in this binary")
			}
			return writeVersion(cmd.OutOrStdout(), info)
		},
	}
}

// writeVersion prints the build's module version, VCS revision (marked when built from a tree
// with uncommitted changes) and Go version, one per line.
func writeVersion(w io.Writer, info *debug.BuildInfo) error {
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
	_, err := fmt.Fprintf(w, "hubctl %s\ncommit %s\n%s\n", info.Main.Version, rev, info.GoVersion)
	return err
}
