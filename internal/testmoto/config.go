package testmoto

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Region is the region every config from this package uses.
const Region = "eu-west-2"

// Fake credentials, in the style moto's own documentation recommends.
const (
	AccessKeyID     = "testing"
	SecretAccessKey = "testing"
	SessionToken    = "testing"
)

// MaxAttempts is the SDK attempt count per operation in configs from this package: one retry, so a
// retried path is still exercised but a failing test does not wait through the SDK's full backoff.
const MaxAttempts = 2

// retryDelay is the fixed delay between SDK attempts.
const retryDelay = 10 * time.Millisecond

// AWSConfig returns an aws.Config that talks only to endpoint (for example a moto_server or an
// httptest.Server URL): static fake credentials, region eu-west-2, BaseEndpoint set, MaxAttempts
// attempts per call with a short fixed delay and no retry quota, and an HTTP client whose dialer
// refuses every non-loopback address, so no request can leave the machine whatever the endpoint says.
//
// Nothing is read from the environment or shared config files, and instance metadata is never
// consulted because the credentials are static.
func AWSConfig(endpoint string) aws.Config {
	return aws.Config{
		Region:       Region,
		Credentials:  credentials.NewStaticCredentialsProvider(AccessKeyID, SecretAccessKey, SessionToken),
		BaseEndpoint: aws.String(endpoint),
		HTTPClient:   loopbackHTTPClient(),
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = MaxAttempts
				o.RateLimiter = ratelimit.None
				o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) {
					return retryDelay, nil
				})
			})
		},
	}
}

// SetEnv points code that builds its own configuration with config.LoadDefaultConfig at endpoint:
// fake static credentials, region eu-west-2, AWS_ENDPOINT_URL, instance metadata disabled, and
// empty shared config and credentials files so the developer's profiles are never read. It uses
// tb.Setenv, so the calling test must not be parallel. Prefer AWSConfig where the code under test
// accepts an aws.Config; LoadDefaultConfig's HTTP client is not loopback-guarded.
func SetEnv(tb testing.TB, endpoint string) {
	tb.Helper()
	empty := filepath.Join(tb.TempDir(), "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		tb.Fatalf("testmoto: write empty aws config file: %v", err)
	}
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID":                      AccessKeyID,
		"AWS_SECRET_ACCESS_KEY":                  SecretAccessKey,
		"AWS_SESSION_TOKEN":                      SessionToken,
		"AWS_REGION":                             Region,
		"AWS_DEFAULT_REGION":                     Region,
		"AWS_ENDPOINT_URL":                       endpoint,
		"AWS_EC2_METADATA_DISABLED":              "true",
		"AWS_CONFIG_FILE":                        empty,
		"AWS_SHARED_CREDENTIALS_FILE":            empty,
		"AWS_PROFILE":                            "",
		"AWS_DEFAULT_PROFILE":                    "",
		"AWS_ROLE_ARN":                           "",
		"AWS_WEB_IDENTITY_TOKEN_FILE":            "",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI":     "",
	} {
		tb.Setenv(k, v)
	}
}

// loopbackHTTPClient is the SDK's buildable client with proxies disabled and a dialer that refuses
// anything but loopback.
func loopbackHTTPClient() *awshttp.BuildableClient {
	return awshttp.NewBuildableClient().
		WithTimeout(30 * time.Second).
		WithTransportOptions(func(tr *http.Transport) {
			tr.Proxy = nil
			tr.DialContext = dialLoopback
			tr.DialTLSContext = nil
		})
}

// dialLoopback dials addr only when its host is a loopback IP literal or "localhost".
func dialLoopback(ctx context.Context, network, addr string) (net.Conn, error) {
	if err := checkLoopback(addr); err != nil {
		return nil, err
	}
	var d net.Dialer
	return d.DialContext(ctx, network, addr)
}

// checkLoopback rejects any dial target that is not on the loopback interface.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("testmoto: dial %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("testmoto: refusing to dial non-loopback address %q: tests must never reach real AWS", addr)
}
