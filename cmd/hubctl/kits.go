package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newKitsCmd() *cobra.Command {
	var (
		f   stackFlags
		dir string
	)
	cmd := &cobra.Command{
		Use:   "kits --stack S [--out trust]",
		Short: "Write every trust's kit file trust/.env.<code>.<env> (mode 0600) from the stack's secret outputs",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := f.open(cmd, true)
			if err != nil {
				return err
			}
			paths, err := st.WriteKits(cmd.Context(), dir)
			for _, p := range paths {
				fmt.Fprintln(cmd.OutOrStdout(), p)
			}
			return err
		},
	}
	f.registerRelease(cmd)
	cmd.Flags().StringVar(&dir, "out", "trust", "directory to write the kit files in (created 0700 if missing)")
	return cmd
}
