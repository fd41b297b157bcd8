package main

import (
	"io"

	"github.com/spf13/cobra"

	"github.com/londonaicentre/flip-hub/internal/dbtunnel"
	"github.com/londonaicentre/flip-hub/internal/deployed"
)

// hubRun is what a day-2 command works with: the deployed hub, how to reach its database (when
// the command takes the database flags), and where the engine's and sessions' own output goes.
type hubRun struct {
	h   *deployed.Hub
	db  dbtunnel.Settings
	log io.Writer
}

// hubCommand builds a command over a deployed stack's outputs (secret ones with their values
// when secrets); withDB adds the database flags. It takes no arguments unless the caller says so.
func hubCommand(use, short string, secrets, withDB bool, run func(cmd *cobra.Command, args []string, r hubRun) error) *cobra.Command {
	var (
		f  stackFlags
		db dbFlags
	)
	cmd := &cobra.Command{Use: use, Short: short, Args: cobra.NoArgs, RunE: func(cmd *cobra.Command, args []string) error {
		h, err := f.load(cmd, secrets)
		if err != nil {
			return err
		}
		r := hubRun{h: h, log: f.log(cmd)}
		if withDB {
			// With a stack, a DSN comes from --dsn only, never the environment's.
			if r.db, err = db.settings(h, "", false, r.log); err != nil {
				return err
			}
		}
		return run(cmd, args, r)
	}}
	f.registerRead(cmd, cmd.Flags(), true)
	if withDB {
		db.register(cmd.Flags(), false)
	}
	return cmd
}
