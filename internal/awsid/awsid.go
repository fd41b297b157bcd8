package awsid

import (
	"errors"
	"os"
	"regexp"
	"slices"

	"github.com/aws/smithy-go"
)

// regionRE matches AWS region names: two letters, an optional partition word (gov, iso,
// isob…), a direction and a number, e.g. eu-west-2, us-gov-west-1, ap-southeast-4.
var regionRE = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$`)

// instanceRE matches what SSM accepts as a target: an EC2 instance ID (i-) or a managed
// on-premises instance ID (mi-), 8 to 17 hex digits.
var instanceRE = regexp.MustCompile(`^(i|mi)-[0-9a-f]{8,17}$`)

// Region reports whether s is an AWS region name such as eu-west-2.
func Region(s string) bool { return regionRE.MatchString(s) }

// Instance reports whether s is an instance ID SSM can target, such as i-0123456789abcdef0.
func Instance(s string) bool { return instanceRE.MatchString(s) }

// S3PathStyle reports whether flip-hub's S3 clients address buckets path-style: when an endpoint
// override is set (the config's BaseEndpoint, AWS_ENDPOINT_URL or AWS_ENDPOINT_URL_S3), as moto
// and other S3 stand-ins on one host need. Real S3 keeps its virtual-hosted addressing.
func S3PathStyle(baseEndpoint *string) bool {
	return baseEndpoint != nil || os.Getenv("AWS_ENDPOINT_URL") != "" || os.Getenv("AWS_ENDPOINT_URL_S3") != ""
}

// notFoundCodes are the error codes by which AWS APIs say a resource does not exist: S3's
// HeadBucket (NotFound, NoSuchBucket), KMS (NotFoundException), Secrets Manager
// (ResourceNotFoundException) and Cognito (ResourceNotFoundException, UserNotFoundException).
var notFoundCodes = []string{"NotFound", "NoSuchBucket", "ResourceNotFoundException", "NotFoundException", "UserNotFoundException"}

// IsNotFound reports whether err is an AWS API error saying the resource does not exist.
func IsNotFound(err error) bool {
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && slices.Contains(notFoundCodes, apiErr.ErrorCode())
}
