package main

import (
	"errors"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/londonaicentre/flip-hub/internal/outcome"
	"github.com/londonaicentre/flip-hub/internal/uideploy"
)

func newDeployUICmd() *cobra.Command {
	var (
		o       uideploy.Options
		version string
	)
	cmd := hubCommand("deploy-ui --stack S --dist DIR", "Publish a built flip-ui to the UI bucket and invalidate CloudFront, touching no infrastructure",
		false, false, func(cmd *cobra.Command, _ []string, r hubRun) error {
			o.Log, o.Heartbeat = cmd.OutOrStdout(), cmd.ErrOrStderr()
			o, res, err := r.h.DeployUI(cmd.Context(), o, version)
			if err != nil {
				return err
			}
			_, err = io.WriteString(cmd.OutOrStdout(), res.Summary(o))
			return err
		})
	// An empty --dist is refused before the stack is read.
	cmd.PreRunE = func(*cobra.Command, []string) error {
		if strings.TrimSpace(o.Dir) == "" {
			return outcome.Wrap(outcome.Refused, errors.New("deploy-ui: --dist is empty"))
		}
		return nil
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Dir, "dist", "", "the built UI directory (holds index.html)")
	fl.StringVar(&version, "release", "", "RELEASE_VERSION in window.js (default: git describe of DIR, else the stack's image tag)")
	fl.StringVar(&o.Prefix, "prefix", "", "key prefix of the UI in the bucket (default: the bucket root)")
	fl.StringArrayVar(&o.Keep, "keep", uideploy.DefaultKeep, "prefix under --prefix that the sync never deletes (repeatable)")
	fl.BoolVar(&o.DryRun, "dry-run", false, "print what would be uploaded and deleted; change nothing")
	fl.DurationVar(&o.InvalidationTimeout, "invalidation-timeout", uideploy.DefaultInvalidationTimeout, "how long to wait for the CloudFront invalidation")
	fl.DurationVar(&o.InvalidationPoll, "invalidation-poll", uideploy.DefaultInvalidationPoll, "first delay between invalidation status calls")
	_ = fl.MarkHidden("invalidation-poll")
	_ = cmd.MarkFlagRequired("dist")
	return cmd
}
