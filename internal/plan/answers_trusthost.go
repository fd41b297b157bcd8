package plan

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Offline answer for the NAT gateways' Elastic IPs: a public address per logical name, from
// 198.18.0.0/15 (RFC 2544 benchmarking, never a trust's real network), which the network admits
// to the FL port for AWS-hosted trusts.
func init() {
	resourceAnswers["aws:ec2/eip:Eip"] = func(_ *Recorder, name, _ string, state resource.PropertyMap) {
		state["publicIp"] = resource.NewProperty(FakeEIP(name))
	}
}

// FakeEIP is the public address the plan gives the Elastic IP of a logical name.
func FakeEIP(name string) string {
	h := shortHash("eip/" + name)
	return fmt.Sprintf("198.%d.%d.%d", 18+int(h[0])%2, int(h[1])*7%256, int(h[2])*11%254+1)
}
