package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/spf13/cobra"

	"github.com/londonaicentre/flip-hub/internal/outcome"
	"github.com/londonaicentre/flip-hub/internal/uideploy"
)

func newDeployUICmd() *cobra.Command {
	var (
		f              stackFlags
		o              uideploy.Options
		releaseVersion string
		keep           []string
	)
	cmd := &cobra.Command{
		Use:   "deploy-ui --stack S --dist DIR",
		Short: "Publish a built flip-ui to the UI bucket and invalidate CloudFront, touching no infrastructure",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Keep = keep
			return runDeployUI(cmd, f, o, releaseVersion)
		},
	}
	f.registerRead(cmd, cmd.Flags(), "region", true)
	fl := cmd.Flags()
	fl.StringVar(&o.Dir, "dist", "", "the built UI directory (holds index.html)")
	fl.StringVar(&releaseVersion, "release", "", "RELEASE_VERSION in window.js (default: git describe of DIR, else the stack's image tag)")
	fl.StringVar(&o.Prefix, "prefix", "", "key prefix of the UI in the bucket (default: the bucket root)")
	fl.StringArrayVar(&keep, "keep", uideploy.DefaultKeep, "prefix under --prefix that the sync never deletes (repeatable)")
	fl.BoolVar(&o.DryRun, "dry-run", false, "print what would be uploaded and deleted; change nothing")
	fl.DurationVar(&o.InvalidationTimeout, "invalidation-timeout", uideploy.DefaultInvalidationTimeout, "how long to wait for the CloudFront invalidation")
	fl.DurationVar(&o.InvalidationPoll, "invalidation-poll", uideploy.DefaultInvalidationPoll, "first delay between invalidation status calls")
	_ = fl.MarkHidden("invalidation-poll")
	_ = cmd.MarkFlagRequired("dist")
	return cmd
}

func runDeployUI(cmd *cobra.Command, f stackFlags, o uideploy.Options, releaseVersion string) error {
	if strings.TrimSpace(o.Dir) == "" {
		return outcome.Wrap(outcome.Refused, errors.New("deploy-ui: --dist is empty"))
	}
	h, err := f.load(cmd, false)
	if err != nil {
		return err
	}
	if releaseVersion == "" {
		releaseVersion = uideploy.DefaultRelease(cmd.Context(), o.Dir, h.Out.Images["tag"])
	}
	rt, err := uideploy.RuntimeFromOutputs(h.Raw, releaseVersion)
	if err != nil {
		return outcome.Wrap(outcome.Failed, fmt.Errorf("deploy-ui: %w", err))
	}
	o.Runtime, o.Bucket, o.DistributionID = rt, h.Out.UIBucketName, h.Out.DistributionID
	o.Log = cmd.OutOrStdout()
	res, err := uideploy.Deploy(cmd.Context(), h.S3(), cloudfront.NewFromConfig(h.AWS), o)
	switch {
	case errors.Is(err, uideploy.ErrRefused):
		return outcome.Wrap(outcome.Refused, fmt.Errorf("deploy-ui: %w", err))
	case err != nil:
		return outcome.Wrap(outcome.Failed, fmt.Errorf("deploy-ui: %w", err))
	}
	_, err = io.WriteString(cmd.OutOrStdout(), res.Summary(o))
	return err
}
