package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/londonaicentre/flip-hub/internal/release"
	"github.com/londonaicentre/flip-hub/internal/sshconfig"
)

func newEnvCmd() *cobra.Command {
	var out string
	cmd := stackCommand("env --stack S", "Write .env.stag / .env.production from the stack outputs, keeping lines it does not own", true,
		func(cmd *cobra.Command, st *release.Stack) error {
			path, changed, err := st.WriteEnv(cmd.Context(), out)
			if err != nil {
				return err
			}
			state := map[bool]string{true: "written", false: "unchanged"}[changed]
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s %s\n", path, state)
			return err
		})
	cmd.Flags().StringVar(&out, "out", ".", "directory to write the env file in")
	return cmd
}

func newSSHConfigCmd() *cobra.Command {
	var opts release.SSHOptions
	cmd := stackCommand("ssh-config --stack S", "Write `Host flip-<stack>` (the hub host) and `Host flip-trust-<code>` (each AWS-hosted trust) blocks that reach them through SSM (no port 22)", true,
		func(cmd *cobra.Command, st *release.Stack) error {
			alias, err := st.WriteSSHConfig(cmd.Context(), opts)
			if err != nil {
				return err
			}
			outs, err := st.Outputs(cmd.Context(), false)
			if err != nil {
				return err
			}
			more, err := sshconfig.WriteTrusts(opts.Path, outs, sshconfig.Host{User: opts.User, IdentityFile: opts.IdentityFile, Profile: opts.Profile})
			fmt.Fprintf(cmd.OutOrStdout(), "wrote Host %s to %s; connect with: ssh <Host>\n", strings.Join(append([]string{alias}, more...), ", "), opts.Path)
			return err
		})
	home, _ := os.UserHomeDir()
	fl := cmd.Flags()
	fl.StringVar(&opts.Path, "file", filepath.Join(home, ".ssh", "config"), "ssh config file to update")
	fl.StringVar(&opts.User, "user", "ubuntu", "login user on the hub host")
	fl.StringVar(&opts.IdentityFile, "identity", "~/.ssh/id_ed25519", "private key whose .pub is pushed with EC2 Instance Connect")
	fl.StringVar(&opts.Profile, "profile", "", "AWS CLI profile for the session")
	return cmd
}

func newKitsCmd() *cobra.Command {
	var dir string
	cmd := stackCommand("kits --stack S [--out trust]", "Write every trust's kit file trust/.env.<code>.<env> (mode 0600) from the stack's secret outputs", true,
		func(cmd *cobra.Command, st *release.Stack) error {
			paths, err := st.WriteKits(cmd.Context(), dir)
			for _, p := range paths {
				fmt.Fprintln(cmd.OutOrStdout(), p)
			}
			return err
		})
	cmd.Flags().StringVar(&dir, "out", "trust", "directory to write the kit files in (created 0700 if missing)")
	return cmd
}
