package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/spf13/cobra"

	"github.com/londonaicentre/flip-hub/config"
	"github.com/londonaicentre/flip-hub/hub"
	"github.com/londonaicentre/flip-hub/internal/release"
)

// Day-2 operations: status, deploy-ui, db reset-schema and forward. Each reads the stack outputs
// (through the Automation API, or from --outputs-file as `hubctl outputs --show-secrets` prints
// them) and talks to AWS with the default credential chain in the stack's region; AWS_ENDPOINT_URL
// and the per-service AWS_ENDPOINT_URL_<SERVICE> variables point the clients elsewhere (tests).

// day2Flags are the flags the day-2 commands share.
type day2Flags struct {
	stack       string
	backend     string
	pulumiRoot  string
	outputsFile string
	region      string
	verbose     bool
}

func (f *day2Flags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVarP(&f.stack, "stack", "s", "", "stack (stag or prod); its config is Pulumi.<stack>.yaml")
	fl.StringVar(&f.backend, "backend", "", "state backend URL (default: PULUMI_BACKEND_URL or the CLI's login)")
	fl.StringVar(&f.pulumiRoot, "pulumi-root", os.Getenv("HUBCTL_PULUMI_ROOT"), "directory whose bin/pulumi to use (default: pulumi on PATH)")
	fl.StringVar(&f.outputsFile, "outputs-file", "", "read the stack outputs from this JSON file (`hubctl outputs --show-secrets` prints it) instead of the state backend")
	fl.StringVar(&f.region, "region", "", "AWS region (default: the stack output region)")
	fl.BoolVar(&f.verbose, "verbose", false, "show the Pulumi engine's and SSM sessions' own output on stderr")
	_ = cmd.MarkFlagRequired("stack")
}

// day2Stack is what a day-2 command knows about its stack.
type day2Stack struct {
	name string
	// st is nil when the outputs came from --outputs-file.
	st   *release.Stack
	outs map[string]any
	// o are the outputs, typed; masked names those read without their secret value.
	o      hub.Outputs
	masked []string
	region string
	aws    aws.Config
}

// load reads the outputs (secret ones shown only with secrets) and the AWS configuration.
func (f *day2Flags) load(cmd *cobra.Command, secrets bool) (*day2Stack, error) {
	ctx := cmd.Context()
	s := &day2Stack{name: f.stack}
	if strings.TrimSpace(f.stack) == "" {
		return nil, withCode(exitUsage, errors.New("--stack is empty"))
	}
	if f.outputsFile != "" {
		b, err := os.ReadFile(f.outputsFile)
		if err != nil {
			return nil, withCode(exitUsage, fmt.Errorf("--outputs-file: %w", err))
		}
		if err := json.Unmarshal(b, &s.outs); err != nil {
			return nil, withCode(exitUsage, fmt.Errorf("--outputs-file %s is not a JSON object of outputs (its content is not shown)", f.outputsFile))
		}
	} else {
		dir, _ := cmd.Flags().GetString("dir")
		progress := io.Discard
		if f.verbose {
			progress = cmd.ErrOrStderr()
		}
		st, err := release.Open(ctx, release.Options{
			Stack: f.stack, Dir: dir, Program: hub.Program, Backend: f.backend, PulumiRoot: f.pulumiRoot,
			Out: progress, Err: progress, Existing: true,
		})
		if err != nil {
			return nil, err
		}
		s.st = st
		if s.outs, err = st.Outputs(ctx, secrets); err != nil {
			return nil, err
		}
	}
	o, masked, err := hub.DecodeOutputs(s.outs, release.Masked)
	if err != nil {
		return nil, withCode(int(release.Failed), err)
	}
	s.o, s.masked = o, masked
	s.region = f.region
	if s.region == "" {
		s.region = s.o.Region
	}
	if s.region == "" {
		return nil, withCode(int(release.Failed), fmt.Errorf("stack %s exports no region (has it been deployed?); pass --region", f.stack))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(s.region))
	if err != nil {
		return nil, fmt.Errorf("aws config: %w", err)
	}
	s.aws = cfg
	return s, nil
}

// requiredOutputs are the outputs every deployed hub has and the checks read.
func requiredOutputs() []string {
	var keys []string
	for _, f := range []any{
		&hub.Out.Region, &hub.Out.Domain, &hub.Out.PublicURL, &hub.Out.APIURL, &hub.Out.UserPoolID, &hub.Out.UserPoolClientID,
		&hub.Out.DBAddress, &hub.Out.DBPort, &hub.Out.DBName, &hub.Out.DBInstanceID, &hub.Out.DBMasterSecretARN,
		&hub.Out.FlipAPISecretARN, &hub.Out.UIBucketName, &hub.Out.DistributionID, &hub.Out.FLEndpoint, &hub.Out.HubInstanceID,
		&hub.Out.HubLogGroupNames,
	} {
		keys = append(keys, hub.OutputKey(f))
	}
	return keys
}

// isMasked reports whether an output was read masked (a secret without its value).
func (s *day2Stack) isMasked(field any) bool { return slices.Contains(s.masked, hub.OutputKey(field)) }

// prod reports whether the stack is a production hub by any account: its name, its config, its
// environment output.
func (s *day2Stack) prod(ctx context.Context) (bool, error) {
	if config.IsProd(s.name, s.o.Environment) {
		return true, nil
	}
	if s.st != nil {
		return s.st.IsProd(ctx)
	}
	return false, nil
}

// s3Client is path-style when an endpoint override is set (moto and other S3 stand-ins).
func (s *day2Stack) s3Client() *s3.Client {
	pathStyle := os.Getenv("AWS_ENDPOINT_URL") != "" || os.Getenv("AWS_ENDPOINT_URL_S3") != ""
	return s3.NewFromConfig(s.aws, func(o *s3.Options) { o.UsePathStyle = pathStyle })
}
