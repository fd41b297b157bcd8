package awsid_test

import (
	"testing"

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
