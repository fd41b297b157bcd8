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
		Long: "Syncs DIR (flip-ui's dist) to the stack's UI bucket: new and changed files uploaded with\n" +
			"their Content-Type and Cache-Control (immutable for content-hashed assets, no-cache for\n" +
			"index.html and js/window.js), objects the build no longer has deleted (never outside --prefix\n" +
			"nor under a --keep prefix), js/window.js rendered from the stack outputs, then invalidates /*\n" +
			"and waits for the invalidation to complete.\n\n" +
			"Exit code 0 when published, 1 on failure, 2 for a bad command line, 4 when refused (a missing\n" +
			"or empty DIR, a DIR without index.html, a prefix that reaches outside the UI).",
		Args: cobra.NoArgs,
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
