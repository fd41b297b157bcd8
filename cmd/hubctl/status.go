package main

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"github.com/londonaicentre/flip-hub/internal/outcome"
	"github.com/londonaicentre/flip-hub/internal/status"
)

func newStatusCmd() *cobra.Command {
	var (
		f      stackFlags
		db     dbFlags
		set    status.Settings
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "status --stack S",
		Short: "Check the hub end to end: outputs, drift, host, database, secrets, HTTPS, FL endpoint, containers, logs",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := set.Validate(); err != nil {
				return err
			}
			h, err := f.load(cmd, false)
			if err != nil {
				return err
			}
			s, err := db.settings(h, "", false, f.log(cmd))
			if err != nil {
				return err
			}
			connect := func(ctx context.Context) (status.DB, error) { return s.Open(ctx) }
			rep := status.Run(cmd.Context(), h.Name, status.HubChecks(h, set, connect))
			if asJSON {
				err = rep.WriteJSON(cmd.OutOrStdout())
			} else {
				err = rep.WriteTable(cmd.OutOrStdout())
			}
			if err != nil {
				return err
			}
			if _, failed, _ := rep.Counts(); failed > 0 {
				return outcome.Errorf(outcome.Failed, "%d of %d checks of %s failed", failed, len(rep.Results), h.Name)
			}
			return nil
		},
	}
	f.registerRead(cmd, cmd.Flags(), "region", true)
	db.register(cmd.Flags(), false)
	fl := cmd.Flags()
	fl.BoolVar(&asJSON, "json", false, "print the report as JSON")
	fl.StringArrayVar(&set.Skip, "skip", nil, "skip a group of checks: "+strings.Join(status.CheckNames, ", ")+" (repeatable)")
	fl.DurationVar(&set.Timeout, "timeout", status.DefaultTimeout, "timeout of each check (drift, database-query, containers and os-updates have their own)")
	fl.DurationVar(&set.DriftTimeout, "drift-timeout", status.DriftTimeout, "timeout of the drift check (a refresh preview of every resource)")
	fl.DurationVar(&set.LogWindow, "log-window", status.DefaultLogWindow, "a log group is healthy when it received an event this recently")
	fl.IntVar(&set.CertDays, "min-cert-days", int(status.MinCertValidity.Hours()/24), "the certificate must stay valid this many more days")
	_ = cmd.RegisterFlagCompletionFunc("skip", cobra.FixedCompletions(status.CheckNames, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}
