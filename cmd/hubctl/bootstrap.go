package main

import (
	"github.com/spf13/cobra"

	"github.com/londonaicentre/flip-hub/internal/bootstrap"
)

func newBootstrapCmd() *cobra.Command {
	var (
		o      bootstrap.Options
		region string
	)
	cmd := &cobra.Command{
		Use:   "bootstrap --stack S --region R",
		Short: "Create the state bucket and the stack's secrets key a new account needs before `pulumi login` (idempotent)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return bootstrap.RunInRegion(cmd.Context(), region, o, cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVarP(&o.Stack, "stack", "s", "", "stack whose secrets key to create (stag or prod)")
	cmd.Flags().StringVar(&region, "region", "", "AWS region of the hub (default: AWS_REGION)")
	cmd.Flags().StringVar(&o.BucketName, "bucket-name", "", "state bucket name (default: flip-hub-pulumi-state-<account>-<region>)")
	_ = cmd.MarkFlagRequired("stack")
	return cmd
}
