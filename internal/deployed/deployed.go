package deployed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/londonaicentre/flip-hub/internal/awsid"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/londonaicentre/flip-hub/config"
	"github.com/londonaicentre/flip-hub/hub"
	"github.com/londonaicentre/flip-hub/internal/dbtunnel"
	"github.com/londonaicentre/flip-hub/internal/outcome"
	"github.com/londonaicentre/flip-hub/internal/release"
)

// Options say which hub to load and where its outputs come from.
type Options struct {
	// Stack is the stack name; Dir holds Pulumi.yaml and the stack files.
	Stack, Dir string
	// Backend and PulumiRoot are as release.Options'.
	Backend, PulumiRoot string
	// OutputsFile, when set, is read instead of the state backend: a JSON object of outputs as
	// `hubctl outputs --show-secrets` prints it.
	OutputsFile string
	// Region overrides the stack's region output.
	Region string
	// Secrets reads secret outputs with their values.
	Secrets bool
	// Progress receives the engine's own output (nil: discarded).
	Progress io.Writer
}

// Hub is a deployed hub.
type Hub struct {
	// Name is the stack name.
	Name string
	// Stack is nil when the outputs came from an outputs file.
	Stack *release.Stack
	// Raw are the outputs as read; Out the same, typed. Masked names those read without their
	// secret value.
	Raw    map[string]any
	Out    hub.Outputs
	Masked []string
	// Region is the hub's AWS region and AWS the default credential chain's config in it.
	Region string
	AWS    aws.Config
}

// Load reads the outputs and the AWS configuration. A stack that does not exist is a usage error
// (release.Open never creates one here).
func Load(ctx context.Context, o Options) (*Hub, error) {
	if strings.TrimSpace(o.Stack) == "" {
		return nil, outcome.Wrap(outcome.Usage, errors.New("--stack is empty"))
	}
	h := &Hub{Name: o.Stack}
	if o.OutputsFile != "" {
		b, err := os.ReadFile(o.OutputsFile)
		if err != nil {
			return nil, outcome.Wrap(outcome.Usage, fmt.Errorf("outputs file: %w", err))
		}
		if err := json.Unmarshal(b, &h.Raw); err != nil {
			return nil, outcome.Errorf(outcome.Usage, "outputs file %s is not a JSON object of outputs (its content is not shown)", o.OutputsFile)
		}
	} else {
		progress := o.Progress
		if progress == nil {
			progress = io.Discard
		}
		st, err := release.Open(ctx, release.Options{
			Stack: o.Stack, Dir: o.Dir, Program: hub.Program, Backend: o.Backend, PulumiRoot: o.PulumiRoot,
			Out: progress, Err: progress, Existing: true,
		})
		if err != nil {
			return nil, err
		}
		h.Stack = st
		if h.Raw, err = st.Outputs(ctx, o.Secrets); err != nil {
			return nil, err
		}
	}
	out, masked, err := hub.DecodeOutputs(h.Raw, release.Masked)
	if err != nil {
		return nil, outcome.Wrap(outcome.Failed, err)
	}
	h.Out, h.Masked = out, masked
	h.Region = o.Region
	if h.Region == "" {
		h.Region = h.Out.Region
	}
	if h.Region == "" {
		return nil, outcome.Errorf(outcome.Failed, "stack %s exports no region (has it been deployed?); pass --region", o.Stack)
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(h.Region))
	if err != nil {
		return nil, fmt.Errorf("aws config: %w", err)
	}
	h.AWS = cfg
	return h, nil
}

// RequiredOutputs are the outputs every deployed hub has and the status checks read.
func RequiredOutputs() []string {
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

// IsMasked reports whether the output of field (a pointer into hub.Out) was read masked.
func (h *Hub) IsMasked(field any) bool { return slices.Contains(h.Masked, hub.OutputKey(field)) }

// Prod reports whether the stack is a production hub by any account: its name, its environment
// output, its config.
func (h *Hub) Prod(ctx context.Context) (bool, error) {
	if config.IsProd(h.Name, h.Out.Environment) {
		return true, nil
	}
	if h.Stack != nil {
		return h.Stack.IsProd(ctx)
	}
	return false, nil
}

// S3 is an S3 client in the hub's region, path-style when an endpoint override is set (moto and
// other S3 stand-ins).
func (h *Hub) S3() *s3.Client {
	return s3.NewFromConfig(h.AWS, func(o *s3.Options) { o.UsePathStyle = awsid.S3PathStyle(h.AWS.BaseEndpoint) })
}

// FLPort is the FL server's port: the flPort output, else the port of flEndpoint.
func (h *Hub) FLPort() int {
	if p := h.Out.FLPort; p > 0 {
		return p
	}
	if _, port, err := net.SplitHostPort(h.Out.FLEndpoint); err == nil {
		p, _ := strconv.Atoi(port)
		return p
	}
	return 0
}

// FillDB sets the tunnel fields of s that are still unset from the outputs: hub host, region and
// database.
func (h *Hub) FillDB(s *dbtunnel.Settings) {
	set := func(dst *string, v string) {
		if *dst == "" {
			*dst = v
		}
	}
	set(&s.InstanceID, h.Out.HubInstanceID)
	set(&s.Region, h.Region)
	set(&s.DBHost, h.Out.DBAddress)
	set(&s.DBName, h.Out.DBName)
	set(&s.SecretARN, h.Out.DBMasterSecretARN)
	if s.DBPort == 0 {
		s.DBPort = h.Out.DBPort
	}
}
