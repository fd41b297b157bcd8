package hub

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-command/sdk/go/command"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/config"
)

// GlobalRegion hosts what CloudFront needs: its certificate and WAF web ACL.
const GlobalRegion = "us-east-1"

// Providers are the explicit providers of the stack. With default providers disabled,
// a resource that is not handed one of these fails to register.
type Providers struct {
	AWS     *aws.Provider
	Global  *aws.Provider
	Random  *random.Provider
	Command *command.Provider
}

// All returns the providers as one resource option, for components to inherit.
func (p *Providers) All() pulumi.ResourceOption {
	return pulumi.Providers(p.AWS, p.Random, p.Command)
}

// DefaultTags are the tags every AWS resource of the stack carries.
func DefaultTags(cfg *config.Config) map[string]string {
	return map[string]string{
		"project":     config.Project,
		"environment": string(cfg.Environment),
		"stack":       cfg.Stack,
		"managed-by":  "pulumi",
	}
}

func newProviders(ctx *pulumi.Context, cfg *config.Config) (*Providers, error) {
	awsArgs := func(region string) *aws.ProviderArgs {
		return &aws.ProviderArgs{
			Region:            pulumi.String(region),
			AllowedAccountIds: pulumi.ToStringArray(cfg.AllowedAccountIDs),
			DefaultTags:       &aws.ProviderDefaultTagsArgs{Tags: pulumi.ToStringMap(DefaultTags(cfg))},
		}
	}
	regional, err := aws.NewProvider(ctx, "aws", awsArgs(cfg.Region))
	if err != nil {
		return nil, fmt.Errorf("aws provider: %w", err)
	}
	global, err := aws.NewProvider(ctx, "aws-"+GlobalRegion, awsArgs(GlobalRegion))
	if err != nil {
		return nil, fmt.Errorf("aws %s provider: %w", GlobalRegion, err)
	}
	rnd, err := random.NewProvider(ctx, "random", &random.ProviderArgs{})
	if err != nil {
		return nil, fmt.Errorf("random provider: %w", err)
	}
	cmd, err := command.NewProvider(ctx, "command", &command.ProviderArgs{})
	if err != nil {
		return nil, fmt.Errorf("command provider: %w", err)
	}
	return &Providers{AWS: regional, Global: global, Random: rnd, Command: cmd}, nil
}
