package main

import (
	"github.com/spf13/cobra"

	"github.com/londonaicentre/flip-hub/hub"
	"github.com/londonaicentre/flip-hub/internal/deploy"
	"github.com/londonaicentre/flip-hub/internal/forward"
	"github.com/londonaicentre/flip-hub/internal/outcome"
)

func newForwardCmd() *cobra.Command {
	var (
		ports map[string]int
		o     forward.Options
		trust string
	)
	cmd := hubCommand("forward --stack S [--trust CODE] [service...]", "Forward local ports to the hub's services (or an AWS-hosted trust's UIs) over SSM until Ctrl+C",
		false, false, func(cmd *cobra.Command, args []string, r hubRun) error {
			h := r.h
			targets, id, err := forward.For(forward.HubOptions{
				APIPort: deploy.APIPort, FLPort: h.FLPort(),
				DBHost: h.Out.DBAddress, DBPort: h.Out.DBPort, DBName: h.Out.DBName, DBSecretARN: h.Out.DBMasterSecretARN,
			}, h.Out.HubInstanceID, h.Out.TrustHosts, trust, hub.TrustHostInstanceID, args, ports)
			if err != nil {
				return outcome.Wrap(outcome.Usage, err)
			}
			o.InstanceID, o.Region, o.Log = id, h.Region, r.log
			return outcome.Wrap(outcome.Failed, forward.Run(cmd.Context(), o, targets, cmd.OutOrStdout()))
		})
	cmd.Args = cobra.ArbitraryArgs
	cmd.ValidArgs = append([]string{forward.FlipAPI, forward.FLServer, forward.DB}, forward.TrustNames...)
	cmd.Flags().StringVar(&trust, "trust", "", "forward the UIs of this AWS-hosted trust (XNAT, Orthanc, trust APIs, Grafana)")
	cmd.Flags().StringToIntVar(&ports, "port", nil, "local port of a service, NAME=PORT (repeatable; 0 picks a free port)")
	cmd.Flags().StringVar(&o.AWSCLI, "aws-cli", forward.DefaultAWSCLI, "aws command that starts the sessions (needs the session-manager-plugin)")
	cmd.Flags().DurationVar(&o.ReadyTimeout, "ready-timeout", forward.DefaultReadyTimeout, "how long each session may take to open its port")
	return cmd
}
