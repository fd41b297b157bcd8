package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/londonaicentre/flip-hub/internal/clihelp"
	"github.com/londonaicentre/flip-hub/internal/outcome"
	"github.com/londonaicentre/flip-hub/internal/protocol"
	"github.com/londonaicentre/flip-hub/trusts"
)

// exitCode maps an error to the process exit code by its type (package outcome), never its text.
func exitCode(err error) int { return int(outcome.CodeOf(err)) }

func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:           "hubctl",
		Short:         "Plan, deploy and operate the FLIP Central Hub",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().String("dir", ".", "project directory holding Pulumi.yaml and the stack files")
	// The program's command lines carry the protocol they were built for (see package protocol).
	root.PersistentFlags().Int(protocol.Flag, 0, "protocol version of a command line the program built")
	_ = root.PersistentFlags().MarkHidden(protocol.Flag)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return outcome.Wrap(outcome.Usage, err) })
	root.AddCommand(newPlanCmd(), newPreviewCmd(), newUpCmd(), newRefreshCmd(), newDestroyCmd(), newOutputsCmd(), newBootstrapCmd(), newAdoptCmd(),
		newEnvCmd(), newSSHConfigCmd(), newStatusCmd(), newDeployUICmd(), newFLAppsCmd(), newDBCmd(), newForwardCmd(),
		newTrustCmd(), newKitsCmd(), newHostCmd(), newVersionCmd())
	// Missing required flags are a usage error; cobra checks them after this hook, so they are
	// checked here first and typed.
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if v, err := cmd.Flags().GetInt(protocol.Flag); err == nil {
			if err := protocol.Check(v); err != nil {
				return outcome.Wrap(outcome.Failed, err)
			}
		}
		return outcome.Wrap(outcome.Usage, cmd.ValidateRequiredFlags())
	}
	root.SetHelpCommandGroupID("plumbing")
	root.SetCompletionCommandGroupID("plumbing")
	typeUsageErrors(root)
	// Help, examples and groups (help.txt); a gap only leaves a command without them, and TestHelp
	// fails on it.
	_ = clihelp.Apply(root, helpData)
	return root
}

// typeUsageErrors makes every command-line mistake cobra reports as a plain error a usage error
// (exit 2): wrong arguments of a command, and an unknown subcommand of a command group, which
// cobra would otherwise answer with its help and exit 0.
func typeUsageErrors(c *cobra.Command) {
	for _, sub := range c.Commands() {
		typeUsageErrors(sub)
	}
	if c.Runnable() {
		if check := c.Args; check != nil {
			c.Args = func(cmd *cobra.Command, args []string) error { return outcome.Wrap(outcome.Usage, check(cmd, args)) }
		}
		return
	}
	c.Args = func(cmd *cobra.Command, args []string) error {
		if len(args) > 0 {
			return outcome.Wrap(outcome.Usage, fmt.Errorf("unknown command %q for %q; see %s --help", args[0], cmd.CommandPath(), cmd.CommandPath()))
		}
		return nil
	}
	c.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
}

// helpData fills the help text's fields: the environment the program gives the register commands.
var helpData = map[string]string{
	"EnvDSN": trusts.EnvDSN, "EnvHash": trusts.EnvAPIKeyHash,
	"EnvTunnel": strings.Join([]string{trusts.EnvInstanceID, trusts.EnvDBHost, trusts.EnvDBPort, trusts.EnvDBName,
		trusts.EnvDBSecretARN, trusts.EnvAWSRegion}, ", "),
}
