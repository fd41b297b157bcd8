package bootstrap

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/londonaicentre/flip-hub/internal/awsid"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/londonaicentre/flip-hub/internal/outcome"
)

// RunInRegion is Run with the default AWS credential chain in region (AWS_REGION when empty),
// printing the summary and the next steps to w. S3 is addressed path-style when an endpoint
// override is set (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_S3: moto and other stand-ins). Errors
// carry their outcome: usage for bad options, failed otherwise.
func RunInRegion(ctx context.Context, region string, o Options, w io.Writer) error {
	if err := o.Validate(); err != nil {
		return outcome.Wrap(outcome.Usage, err) // it names the option and a valid value
	}
	if region = cmp.Or(region, os.Getenv("AWS_REGION")); region == "" {
		return outcome.Wrap(outcome.Usage, errors.New("--region: want the hub's AWS region, e.g. eu-west-2"))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(region))
	if err != nil {
		return fmt.Errorf("aws config: %w", err)
	}
	res, err := Run(ctx, NewClients(cfg, func(s *s3.Options) { s.UsePathStyle = awsid.S3PathStyle(cfg.BaseEndpoint) }), o)
	for _, line := range res.Summary() {
		fmt.Fprintln(w, line)
	}
	if err != nil {
		return outcome.Wrap(outcome.Failed, fmt.Errorf("bootstrap: %w", err))
	}
	fmt.Fprintln(w, "\nNext, from the project directory:")
	for _, line := range res.NextSteps() {
		fmt.Fprintln(w, "  "+line)
	}
	return nil
}
