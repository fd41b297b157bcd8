package main

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/londonaicentre/flip-hub/internal/deploy"
	"github.com/londonaicentre/flip-hub/internal/forward"
	"github.com/londonaicentre/flip-hub/internal/outcome"
)

func newForwardCmd() *cobra.Command {
	var (
		f     stackFlags
		ports map[string]int
		cli   string
		ready time.Duration
	)
	cmd := &cobra.Command{
		Use:   "forward --stack S [service...]",
		Short: "Forward local ports to the hub's services over SSM (flip-api, fl-server, db) until Ctrl+C",
		RunE: func(cmd *cobra.Command, args []string) error {
			h, err := f.load(cmd, false)
			if err != nil {
				return err
			}
			hubTargets := forward.Hub(forward.HubOptions{
				APIPort: deploy.APIPort, FLPort: h.FLPort(),
				DBHost: h.Out.DBAddress, DBPort: h.Out.DBPort, DBName: h.Out.DBName, DBSecretARN: h.Out.DBMasterSecretARN,
			})
			targets, err := forward.Select(hubTargets, args, ports)
			if err != nil {
				return outcome.Wrap(outcome.Usage, err)
			}
			o := forward.Options{InstanceID: h.Out.HubInstanceID, Region: h.Region, AWSCLI: cli, ReadyTimeout: ready}
			o.Log = f.log(cmd)
			if err := forward.Run(cmd.Context(), o, targets, cmd.OutOrStdout()); err != nil {
				return outcome.Wrap(outcome.Failed, err)
			}
			return nil
		},
	}
	f.registerRead(cmd, cmd.Flags(), "region", true)
	cmd.Flags().StringToIntVar(&ports, "port", nil, "local port of a service, NAME=PORT (repeatable; 0 picks a free port)")
	cmd.Flags().StringVar(&cli, "aws-cli", forward.DefaultAWSCLI, "aws command that starts the sessions (needs the session-manager-plugin)")
	cmd.Flags().DurationVar(&ready, "ready-timeout", forward.DefaultReadyTimeout, "how long each session may take to open its port")
	return cmd
}
