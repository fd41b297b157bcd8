package plan

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/londonaicentre/flip-hub/internal/deploy"
)

// Offline answers for the compute layer: the hub host's computed attributes, the alarm's ARN,
// and what `hubctl host run` prints when the deploy succeeds.
func init() {
	resourceAnswers["aws:ec2/instance:Instance"] = func(r *Recorder, _, id string, state resource.PropertyMap) {
		h := shortHash(id)
		ip := fmt.Sprintf("10.%d.%d.%d", 200+int(h[0])%50, int(h[1])%200+10, int(h[2])%200+10)
		state["arn"] = resource.NewProperty(fmt.Sprintf("arn:aws:ec2:%s:%s:instance/%s", r.Region, r.Account, id))
		state["privateIp"] = resource.NewProperty(ip)
		state["privateDns"] = resource.NewProperty(fmt.Sprintf("ip-%s.%s.compute.internal", dashed(ip), r.Region))
		state["publicIp"] = resource.NewProperty("")
		state["instanceState"] = resource.NewProperty("running")
		state["primaryNetworkInterfaceId"] = resource.NewProperty("eni-0" + h + "plan")
	}
	resourceAnswers["aws:cloudwatch/metricAlarm:MetricAlarm"] = func(r *Recorder, name, _ string, state resource.PropertyMap) {
		state["arn"] = resource.NewProperty(fmt.Sprintf("arn:aws:cloudwatch:%s:%s:alarm:%s", r.Region, r.Account, stateString(state, "name", name)))
	}
	resourceAnswers["command:local:Command"] = func(_ *Recorder, name, _ string, state resource.PropertyMap) {
		h := shortHash("command/" + name)
		commandID := fmt.Sprintf("%s-0000-4000-8000-%s0000", h, h)
		state["stdout"] = resource.NewProperty(deploy.ResultLine(commandID, "i-plan", "Success"))
		state["stderr"] = resource.NewProperty("")
	}

	// The compute layer reads the AMI from insecureValue: the provider marks value sensitive
	// whatever the parameter's type, which would make the AMI ID a secret.
	const getParameter = "aws:ssm/getParameter:getParameter"
	if prev, ok := invokeAnswers[getParameter]; ok {
		invokeAnswers[getParameter] = func(r *Recorder, args resource.PropertyMap) map[string]any {
			out := prev(r, args)
			if _, ok := out["insecureValue"]; !ok {
				out["insecureValue"] = out["value"]
			}
			return out
		}
	}
}

func dashed(ip string) string {
	out := []byte(ip)
	for i, c := range out {
		if c == '.' {
			out[i] = '-'
		}
	}
	return string(out)
}
