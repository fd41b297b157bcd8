package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/londonaicentre/flip-hub/internal/release"
)

func newEnvCmd() *cobra.Command {
	var (
		f   stackFlags
		out string
	)
	cmd := &cobra.Command{
		Use:   "env --stack S",
		Short: "Write .env.stag / .env.production from the stack outputs, keeping lines it does not own",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := f.open(cmd, true)
			if err != nil {
				return err
			}
			path, changed, err := st.WriteEnv(cmd.Context(), out)
			if err != nil {
				return err
			}
			state := "unchanged"
			if changed {
				state = "written"
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s %s\n", path, state)
			return nil
		},
	}
	f.registerRelease(cmd)
	cmd.Flags().StringVar(&out, "out", ".", "directory to write the env file in")
	return cmd
}

func newSSHConfigCmd() *cobra.Command {
	var (
		f    stackFlags
		opts release.SSHOptions
	)
	home, _ := os.UserHomeDir()
	cmd := &cobra.Command{
		Use:   "ssh-config --stack S",
		Short: "Write a `Host flip-<stack>` block that reaches the hub host through SSM (no port 22)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := f.open(cmd, true)
			if err != nil {
				return err
			}
			alias, err := st.WriteSSHConfig(cmd.Context(), opts)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote Host %s to %s; connect with: ssh %s\n", alias, opts.Path, alias)
			return nil
		},
	}
	f.registerRelease(cmd)
	cmd.Flags().StringVar(&opts.Path, "file", filepath.Join(home, ".ssh", "config"), "ssh config file to update")
	cmd.Flags().StringVar(&opts.User, "user", "ubuntu", "login user on the hub host")
	cmd.Flags().StringVar(&opts.IdentityFile, "identity", "~/.ssh/id_ed25519", "private key whose .pub is pushed with EC2 Instance Connect")
	cmd.Flags().StringVar(&opts.Profile, "profile", "", "AWS CLI profile for the session")
	return cmd
}
