package testmoto_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/londonaicentre/flip-hub/internal/testmoto"
)

func TestSetEnv(t *testing.T) {
	// Hostile starting environment: a real-looking profile and keys that SetEnv must override.
	t.Setenv("AWS_PROFILE", "production-admin")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAREALKEY")
	t.Setenv("AWS_REGION", "us-east-1")

	testmoto.SetEnv(t, "http://127.0.0.1:4566")

	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatalf("LoadDefaultConfig after SetEnv: %v", err)
	}
	creds, err := cfg.Credentials.Retrieve(context.Background())
	if err != nil {
		t.Fatalf("Retrieve credentials: %v", err)
	}
	checks := []struct {
		name, got, want string
	}{
		{"region", cfg.Region, testmoto.Region},
		{"endpoint", aws.ToString(cfg.BaseEndpoint), "http://127.0.0.1:4566"},
		{"access key", creds.AccessKeyID, testmoto.AccessKeyID},
		{"secret key", creds.SecretAccessKey, testmoto.SecretAccessKey},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
			}
		})
	}
}
