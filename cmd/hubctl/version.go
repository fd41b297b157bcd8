package main

import (
	"github.com/spf13/cobra"

	"github.com/londonaicentre/flip-hub/internal/protocol"
)

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print hubctl's module version, the commit it was built from, its program protocol and its Go version",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return protocol.WriteBuildVersion(cmd.OutOrStdout()) },
	}
}
