// Command flip-hub is the Pulumi program of the FLIP Central Hub; see package hub.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/hub"
)

func main() { pulumi.Run(hub.Program) }
