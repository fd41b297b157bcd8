package main

import (
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/londonaicentre/flip-hub/internal/adopt"
)

func newAdoptCmd() *cobra.Command {
	var (
		f stackFlags
		o adopt.Options
	)
	cmd := &cobra.Command{
		Use:   "adopt --stack S --tfstate FILE [--aws] [--registry-dsn DSN] [--dry-run]",
		Short: "Adopt a Terraform-managed FLIP hub: report, imports and settings in Pulumi.<stack>.yaml, its secrets as stack secrets",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir, _ := cmd.Flags().GetString("dir")
			o.StackFile = filepath.Join(dir, "Pulumi."+f.stack+".yaml")
			o.SetSecret = func(key, value string) error {
				st, err := f.open(cmd, false)
				if err != nil {
					return err
				}
				return st.SetSecretConfig(cmd.Context(), key, value)
			}
			return adopt.Run(cmd.Context(), o, cmd.OutOrStdout())
		},
	}
	f.registerRelease(cmd)
	cmd.Flags().StringVar(&o.TFState, "tfstate", "", "the hub's Terraform state, as `terraform state pull` prints it")
	cmd.Flags().BoolVar(&o.DryRun, "dry-run", false, "print the report only; change neither the stack file nor the stack's secrets")
	cmd.Flags().BoolVar(&o.AWS, "aws", false, "check in the account (read-only) that each resource to import exists; drop those that do not")
	cmd.Flags().StringVar(&o.RegistryDSN, "registry-dsn", "", "read the hub's trust registry (its database, read-only) into the trust list and kit slots")
	_ = cmd.MarkFlagRequired("tfstate")
	return cmd
}
