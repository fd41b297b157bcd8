package deployed

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/cloudfront"

	"github.com/londonaicentre/flip-hub/internal/deploy"
	"github.com/londonaicentre/flip-hub/internal/flapps"
	"github.com/londonaicentre/flip-hub/internal/outcome"
	"github.com/londonaicentre/flip-hub/internal/uideploy"
)

// DeployUI publishes a built flip-ui (o.Dir) to the hub's UI bucket with window.js rendered
// from the outputs, and invalidates its distribution. version is RELEASE_VERSION (default: a
// git describe of the build, else the stack's image tag). Errors carry their outcome: refused
// (an unusable build directory or prefix) or failed.
func (h *Hub) DeployUI(ctx context.Context, o uideploy.Options, version string) (uideploy.Options, uideploy.Result, error) {
	if version == "" {
		version = uideploy.DefaultRelease(ctx, o.Dir, h.Out.Images["tag"])
	}
	rt, err := uideploy.RuntimeFromOutputs(h.Raw, version)
	if err != nil {
		return o, uideploy.Result{}, outcome.Wrap(outcome.Failed, fmt.Errorf("deploy-ui: %w", err))
	}
	o.Runtime, o.Bucket, o.DistributionID = rt, h.Out.UIBucketName, h.Out.DistributionID
	res, err := uideploy.Deploy(ctx, h.S3(), cloudfront.NewFromConfig(h.AWS), o)
	switch {
	case errors.Is(err, uideploy.ErrRefused):
		return o, res, outcome.Wrap(outcome.Refused, fmt.Errorf("deploy-ui: %w", err))
	case err != nil:
		return o, res, outcome.Wrap(outcome.Failed, fmt.Errorf("deploy-ui: %w", err))
	}
	return o, res, nil
}

// PublishFLApps publishes FLIP's FL base application (o.Dir, o.Commit) to the hub's app-bundles
// bucket under its backend's prefix.
func (h *Hub) PublishFLApps(ctx context.Context, o flapps.Options) (flapps.Result, error) {
	o.Bucket, o.Backend = h.Out.BucketNames[deploy.BucketAppBundles], h.Out.FLBackend
	res, err := flapps.Publish(ctx, h.S3(), o)
	if err != nil {
		return res, outcome.Wrap(outcome.Failed, fmt.Errorf("fl-apps publish: %w", err))
	}
	return res, nil
}
