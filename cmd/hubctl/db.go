package main

import (
	"github.com/spf13/cobra"

	"github.com/londonaicentre/flip-hub/internal/schemareset"
)

func newDBCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "db", Short: "Operate on the hub database", Args: cobra.NoArgs}
	cmd.AddCommand(newResetSchemaCmd())
	return cmd
}

func newResetSchemaCmd() *cobra.Command {
	var o schemareset.Options
	// The trusts output is secret: it holds the key hashes the trusts are registered again with.
	cmd := hubCommand("reset-schema --stack S", "Recreate the hub database schema (guarded: snapshot and confirmation first) and re-register every trust",
		true, true, func(cmd *cobra.Command, _ []string, r hubRun) error {
			dir, _ := cmd.Flags().GetString("dir")
			o.Prompt, o.Out, o.Heartbeat = cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr()
			return schemareset.ForHub(cmd.Context(), r.h, dir, r.db, o, r.log)
		})
	fl := cmd.Flags()
	fl.StringVar(&o.Snapshot, "snapshot", "", "rely on this manual RDS snapshot (taken within the last hour) instead of taking one")
	fl.BoolVar(&o.TakeSnapshot, "take-snapshot", false, "take a snapshot first on a non-production hub too")
	fl.StringVar(&o.Confirm, "yes-i-understand", "", "confirm without the prompt by naming the stack")
	fl.BoolVar(&o.DryRun, "dry-run", false, "say what would be done; change nothing")
	fl.DurationVar(&o.SnapshotTimeout, "snapshot-timeout", schemareset.DefaultSnapshotTimeout, "how long to wait for the snapshot to become available")
	fl.DurationVar(&o.TablesTimeout, "tables-timeout", schemareset.DefaultTablesTimeout, "how long to wait for flip-api to recreate its tables")
	fl.DurationVar(&o.SnapshotPoll, "snapshot-poll", schemareset.DefaultSnapshotPoll, "first delay between snapshot status calls")
	_ = fl.MarkHidden("snapshot-poll")
	return cmd
}
