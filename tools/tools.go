//go:build tools

// Package tools pins the pulumi CLI that the release tests drive; .ci/run builds it into
// .tools/bin from this module.
package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
