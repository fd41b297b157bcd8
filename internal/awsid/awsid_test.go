package awsid_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/aws/smithy-go"

	"github.com/londonaicentre/flip-hub/internal/awsid"
)

func TestRegion(t *testing.T) {
	t.Parallel()
	cases := map[string]bool{
		"eu-west-2": true, "us-east-1": true, "ap-southeast-4": true, "us-gov-west-1": true, "il-central-1": true,
		"eu-west-2a": false, "EU-WEST-2": false, "eu-west": false, "london": false, "": false, "eu-west-2 ": false,
	}
	for in, want := range cases {
		if got := awsid.Region(in); got != want {
			t.Errorf("Region(%q) = %v; want %v", in, got, want)
		}
	}
}

func TestInstance(t *testing.T) {
	t.Parallel()
	cases := map[string]bool{
		"i-0123456789abcdef0": true, "i-01234567": true, "mi-0123456789abcdef0": true, "i-0123456789": true,
		"i-0123456789ABCDEF0": false, "i-0123456": false, "instance-hub-host-abc": false, "": false,
	}
	for in, want := range cases {
		if got := awsid.Instance(in); got != want {
			t.Errorf("Instance(%q) = %v; want %v", in, got, want)
		}
	}
}

func TestS3PathStyle(t *testing.T) {
	endpoint := "http://127.0.0.1:5000"
	for _, tc := range []struct {
		name      string
		base      *string
		env, env3 string
		want      bool
	}{
		{"real S3", nil, "", "", false},
		{"config endpoint", &endpoint, "", "", true},
		{"AWS_ENDPOINT_URL", nil, endpoint, "", true},
		{"AWS_ENDPOINT_URL_S3", nil, "", endpoint, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("AWS_ENDPOINT_URL", tc.env)
			t.Setenv("AWS_ENDPOINT_URL_S3", tc.env3)
			if got := awsid.S3PathStyle(tc.base); got != tc.want {
				t.Errorf("S3PathStyle = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestIsNotFound(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"s3 head bucket", &smithy.GenericAPIError{Code: "NotFound"}, true},
		{"kms", fmt.Errorf("describe key: %w", &smithy.GenericAPIError{Code: "NotFoundException"}), true},
		{"secrets manager", &smithy.GenericAPIError{Code: "ResourceNotFoundException"}, true},
		{"cognito user", &smithy.GenericAPIError{Code: "UserNotFoundException"}, true},
		{"access denied", &smithy.GenericAPIError{Code: "AccessDenied"}, false},
		{"not an API error", errors.New("NotFound"), false},
		{"nil", nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := awsid.IsNotFound(tc.err); got != tc.want {
				t.Errorf("IsNotFound(%v) = %v; want %v", tc.err, got, tc.want)
			}
		})
	}
}
