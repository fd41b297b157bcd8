package release

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/londonaicentre/flip-hub/hub"
	"github.com/londonaicentre/flip-hub/internal/kit"
	"github.com/londonaicentre/flip-hub/internal/sshconfig"
)

// EnvKeys maps stack outputs to the keys of the hub env file (.env.stag, .env.production)
// that the hub's own tooling reads. Only non-secret outputs are listed: the env file never
// holds a secret.
var EnvKeys = []struct{ Output, Key string }{
	{hub.OutputKey(&hub.Out.Environment), "FLIP_ENVIRONMENT"},
	{hub.OutputKey(&hub.Out.Region), "AWS_REGION"},
	{hub.OutputKey(&hub.Out.Domain), "DOMAIN"},
	{hub.OutputKey(&hub.Out.APIURL), "CENTRAL_HUB_API_URL"},
	{hub.OutputKey(&hub.Out.PublicURL), "PUBLIC_URL"},
	{hub.OutputKey(&hub.Out.UserPoolID), "AWS_COGNITO_USER_POOL_ID"},
	{hub.OutputKey(&hub.Out.UserPoolClientID), "AWS_COGNITO_APP_CLIENT_ID"},
	{hub.OutputKey(&hub.Out.DBAddress), "DB_HOST"},
	{hub.OutputKey(&hub.Out.DBPort), "DB_PORT"},
	{hub.OutputKey(&hub.Out.DBName), "POSTGRES_DB"},
	{hub.OutputKey(&hub.Out.DBMasterSecretARN), "POSTGRES_SECRET_ARN"},
	{hub.OutputKey(&hub.Out.FlipAPISecretName), "AWS_SECRET_NAME"},
	{hub.OutputKey(&hub.Out.DistributionID), "CLOUDFRONT_DISTRIBUTION_ID"},
	{hub.OutputKey(&hub.Out.UIBucketName), "UI_BUCKET"},
	{hub.OutputKey(&hub.Out.HubInstanceID), "HUB_INSTANCE_ID"},
	// Upstream's NLB_SUBDOMAIN is a bare host name and FL_SERVER_PORT a bare integer
	// (deploy/providers/AWS/dns.tf; .env.development.example).
	{hub.OutputKey(&hub.Out.FLHost), "NLB_SUBDOMAIN"},
	{hub.OutputKey(&hub.Out.FLPort), "FL_SERVER_PORT"},
	{hub.OutputKey(&hub.Out.KMSKeyARN), "KMS_KEY_ARN"},
}

// EnvPairs picks the env-file pairs from outputs, in EnvKeys order, skipping outputs the
// stack does not have and any masked (secret) value.
func EnvPairs(outs map[string]any) [][2]string {
	var pairs [][2]string
	for _, k := range EnvKeys {
		v, ok := outs[k.Output]
		if !ok || v == nil || v == Masked {
			continue
		}
		switch x := v.(type) {
		case string:
			pairs = append(pairs, [2]string{k.Key, x})
		case float64:
			pairs = append(pairs, [2]string{k.Key, fmt.Sprintf("%.0f", x)})
		default:
			pairs = append(pairs, [2]string{k.Key, fmt.Sprint(x)})
		}
	}
	return pairs
}

// KitEnv is the environment word of kit and env files for a stack: production for prod.
func (s *Stack) KitEnv(ctx context.Context) (string, error) {
	prod, err := s.IsProd(ctx)
	if err != nil {
		return "", err
	}
	if prod {
		return kit.Production, nil
	}
	return kit.Staging, nil
}

// WriteEnv writes dir/.env.<env> from the stack outputs, keeping every line it does not own.
func (s *Stack) WriteEnv(ctx context.Context, dir string) (string, bool, error) {
	env, err := s.KitEnv(ctx)
	if err != nil {
		return "", false, classify(err)
	}
	name, err := kit.EnvFileName(env)
	if err != nil {
		return "", false, err
	}
	outs, err := s.Outputs(ctx, false)
	if err != nil {
		return "", false, err
	}
	pairs := EnvPairs(outs)
	if len(pairs) == 0 {
		return "", false, fail(Failed, "stack %s has no outputs to write; has it been deployed?", s.opts.Stack)
	}
	path := filepath.Join(dir, name)
	changed, err := kit.WriteManaged(path, pairs)
	if err != nil {
		return "", false, err
	}
	return path, changed, nil
}

// SSHOptions say how operators log in.
type SSHOptions struct {
	Path         string
	User         string
	IdentityFile string
	Profile      string
}

// WriteSSHConfig writes the `Host flip-<stack>` block for the stack's hub host.
func (s *Stack) WriteSSHConfig(ctx context.Context, o SSHOptions) (string, error) {
	outs, err := s.Outputs(ctx, false)
	if err != nil {
		return "", err
	}
	id, _ := outs[hub.OutputKey(&hub.Out.HubInstanceID)].(string)
	region, _ := outs[hub.OutputKey(&hub.Out.Region)].(string)
	if id == "" || region == "" {
		return "", fail(Failed, "stack %s exports no hubInstanceId/region; deploy it first", s.opts.Stack)
	}
	alias := "flip-" + s.opts.Stack
	err = sshconfig.Write(o.Path, sshconfig.Host{
		Alias: alias, InstanceID: id, Region: region, User: o.User, IdentityFile: o.IdentityFile, Profile: o.Profile,
	})
	if err != nil {
		return "", err
	}
	return alias, nil
}
