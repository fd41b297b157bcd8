// Package awsid is the one home of the AWS identifier formats flip-hub validates: region names
// (Region) and the instance IDs SSM targets (Instance). Every package that checks one of them calls
// this package rather than keeping a pattern of its own.
package awsid
