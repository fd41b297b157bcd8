package main

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"github.com/londonaicentre/flip-hub/internal/status"
)

func newStatusCmd() *cobra.Command {
	var (
		set    status.Settings
		asJSON bool
	)
	cmd := hubCommand("status --stack S", "Check the hub end to end: outputs, drift, host, database, secrets, HTTPS, FL endpoint, containers, logs",
		false, true, func(cmd *cobra.Command, _ []string, r hubRun) error {
			connect := func(ctx context.Context) (status.DB, error) { return r.db.Open(ctx) }
			rep := status.RunShowing(cmd.Context(), r.h.Name, status.HubChecks(r.h, set, connect), cmd.ErrOrStderr())
			return rep.Write(cmd.OutOrStdout(), asJSON)
		})
	// Bad settings are refused before the stack is read.
	cmd.PreRunE = func(*cobra.Command, []string) error { return set.Validate() }
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
