package main

import (
	"github.com/spf13/cobra"

	"github.com/londonaicentre/flip-hub/internal/schemareset"
)

func newDBCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "db",
		Short: "Operate on the hub database",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newResetSchemaCmd())
	return cmd
}

func newResetSchemaCmd() *cobra.Command {
	var (
		f  stackFlags
		db dbFlags
		o  schemareset.Options
	)
	cmd := &cobra.Command{
		Use:   "reset-schema --stack S",
		Short: "Recreate the hub database schema (guarded: snapshot and confirmation first) and re-register every trust",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return runResetSchema(cmd, f, db, o) },
	}
	f.registerRead(cmd, cmd.Flags(), "region", true)
	db.register(cmd.Flags(), false)
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

func runResetSchema(cmd *cobra.Command, f stackFlags, db dbFlags, o schemareset.Options) error {
	h, err := f.load(cmd, true) // the trusts output is secret: it holds the key hashes
	if err != nil {
		return err
	}
	// Destructive: the DSN comes from --dsn only (settings with a stack never read the environment's).
	s, err := db.settings(h, "", false, f.log(cmd))
	if err != nil {
		return err
	}
	dir, _ := cmd.Flags().GetString("dir")
	o.Prompt, o.Out = cmd.InOrStdin(), cmd.OutOrStdout()
	return schemareset.ForHub(cmd.Context(), h, dir, s, o, f.log(cmd))
}
