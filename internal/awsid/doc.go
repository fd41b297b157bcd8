// Package awsid is the one home of AWS identifier formats flip-hub validates: region names and
// the instance IDs SSM targets. Every package that checks one calls this package.
package awsid
