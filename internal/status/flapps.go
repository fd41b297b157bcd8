package status

import (
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/londonaicentre/flip-hub/internal/flapps"
	"github.com/londonaicentre/flip-hub/internal/flip"
)

// S3Lister lists a bucket prefix; *s3.Client satisfies it.
type S3Lister interface {
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, optFns ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
}

// BaseApplication checks that the prefix flip-api copies job templates from
// (FL_APP_BASE_BUCKET, s3://<app-bundles>/base-application/<backend>/) holds the base
// application: without its required_files.json flip-api refuses every job ("Base application
// files missing on the S3 bucket").
func BaseApplication(c S3Lister, bucket, backend, stack string) Check {
	prefix := flapps.Prefix(backend)
	publish := fmt.Sprintf("publish FLIP's fl-apps/%s: hubctl fl-apps publish --stack %s --dir <FLIP checkout>/fl-apps/%s --commit <its SHA>", backend, stack, backend)
	return &Func{
		CheckName: "fl base application",
		Fix:       "your role needs s3:ListBucket on " + bucket,
		Fn: func(ctx context.Context) (string, error) {
			out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
			if err != nil {
				return "", fmt.Errorf("list s3://%s/%s: %w", bucket, prefix, err)
			}
			manifest, commit := false, ""
			for _, o := range out.Contents {
				k := aws.ToString(o.Key)
				switch {
				case k == prefix+flip.BaseApplicationManifest:
					manifest = true
				case flapps.IsMarker(k) && path.Dir(k)+"/" == prefix:
					commit = strings.TrimSuffix(strings.TrimPrefix(path.Base(k), "commit_"), ".txt")
				}
			}
			if !manifest {
				return "", problem(publish, nil, "s3://%s/%s has no %s", bucket, prefix, flip.BaseApplicationManifest)
			}
			if commit == "" {
				commit = "no commit marker"
			}
			return fmt.Sprintf("s3://%s/%s holds %d objects (%s)", bucket, prefix, len(out.Contents), commit), nil
		},
	}
}
