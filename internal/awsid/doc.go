// Package awsid is the one home of the AWS identifier formats flip-hub validates: region names
// (Region) and the instance IDs SSM targets (Instance); and of how its S3 clients address an
// endpoint override (S3PathStyle), and of which AWS error codes mean "no such resource"
// (IsNotFound). Every package that needs one of them calls this package.
package awsid
