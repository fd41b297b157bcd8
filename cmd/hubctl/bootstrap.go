package main

import (
	"cmp"
	"errors"
	"fmt"
	"os"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/spf13/cobra"

	"github.com/londonaicentre/flip-hub/internal/bootstrap"
	"github.com/londonaicentre/flip-hub/internal/outcome"
)

func newBootstrapCmd() *cobra.Command {
	var (
		o      bootstrap.Options
		region string
	)
	cmd := &cobra.Command{
		Use:   "bootstrap --stack S --region R",
		Short: "Create the state bucket and the stack's secrets key a new account needs before `pulumi login` (idempotent)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.Validate(); err != nil {
				return outcome.Wrap(outcome.Usage, err) // it names the option and a valid value
			}
			if region = cmp.Or(region, os.Getenv("AWS_REGION")); region == "" {
				return outcome.Wrap(outcome.Usage, errors.New("--region: want the hub's AWS region, e.g. eu-west-2"))
			}
			cfg, err := awsconfig.LoadDefaultConfig(cmd.Context(), awsconfig.WithRegion(region))
			if err != nil {
				return fmt.Errorf("aws config: %w", err)
			}
			pathStyle := os.Getenv("AWS_ENDPOINT_URL") != "" || os.Getenv("AWS_ENDPOINT_URL_S3") != ""
			res, err := bootstrap.Run(cmd.Context(), bootstrap.NewClients(cfg, func(s *s3.Options) { s.UsePathStyle = pathStyle }), o)
			out := cmd.OutOrStdout()
			for _, line := range res.Summary() {
				fmt.Fprintln(out, line)
			}
			if err != nil {
				return outcome.Wrap(outcome.Failed, fmt.Errorf("bootstrap: %w", err))
			}
			fmt.Fprintln(out, "\nNext, from the project directory:")
			for _, line := range res.NextSteps() {
				fmt.Fprintln(out, "  "+line)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&o.Stack, "stack", "s", "", "stack whose secrets key to create (stag or prod)")
	cmd.Flags().StringVar(&region, "region", "", "AWS region of the hub (default: AWS_REGION)")
	cmd.Flags().StringVar(&o.BucketName, "bucket-name", "", "state bucket name (default: flip-hub-pulumi-state-<account>-<region>)")
	_ = cmd.MarkFlagRequired("stack")
	return cmd
}
