package plan

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// The identity layer's computed attributes: ARNs in each service's real shape (the host
// policy names them), and the three Easy DKIM tokens of a domain identity.
func init() {
	resourceAnswers["aws:cognito/userPool:UserPool"] = func(r *Recorder, _, id string, state resource.PropertyMap) {
		state["arn"] = resource.NewProperty(fmt.Sprintf("arn:aws:cognito-idp:%s:%s:userpool/%s", r.Region, r.Account, id))
		state["endpoint"] = resource.NewProperty(fmt.Sprintf("cognito-idp.%s.amazonaws.com/%s", r.Region, id))
	}
	resourceAnswers["aws:sesv2/emailIdentity:EmailIdentity"] = func(r *Recorder, name, _ string, state resource.PropertyMap) {
		identity := stateString(state, "emailIdentity", name)
		state["arn"] = resource.NewProperty(fmt.Sprintf("arn:aws:ses:%s:%s:identity/%s", r.Region, r.Account, identity))
		kind := "EMAIL_ADDRESS"
		if !strings.Contains(identity, "@") {
			kind = "DOMAIN"
		}
		state["identityType"] = resource.NewProperty(kind)
		state["verifiedForSendingStatus"] = resource.NewProperty(false)
		dkim := resource.PropertyMap{}
		if v, ok := state["dkimSigningAttributes"]; ok && v.IsObject() {
			dkim = v.ObjectValue().Copy()
		}
		var tokens []resource.PropertyValue
		for i := range 3 {
			h := shortHash(fmt.Sprintf("%s/%d", identity, i))
			tokens = append(tokens, resource.NewProperty(strings.Repeat(h, 4)))
		}
		dkim["tokens"] = resource.NewProperty(tokens)
		dkim["status"] = resource.NewProperty("PENDING")
		dkim["signingAttributesOrigin"] = resource.NewProperty("AWS_SES")
		state["dkimSigningAttributes"] = resource.NewProperty(dkim)
	}
	resourceAnswers["aws:sesv2/configurationSet:ConfigurationSet"] = func(r *Recorder, name, _ string, state resource.PropertyMap) {
		state["arn"] = resource.NewProperty(fmt.Sprintf("arn:aws:ses:%s:%s:configuration-set/%s", r.Region, r.Account, stateString(state, "configurationSetName", name)))
	}
	resourceAnswers["aws:ses/template:Template"] = func(r *Recorder, name, _ string, state resource.PropertyMap) {
		state["arn"] = resource.NewProperty(fmt.Sprintf("arn:aws:ses:%s:%s:template/%s", r.Region, r.Account, stateString(state, "name", name)))
	}
	resourceAnswers["aws:iam/instanceProfile:InstanceProfile"] = func(r *Recorder, name, _ string, state resource.PropertyMap) {
		state["arn"] = resource.NewProperty(fmt.Sprintf("arn:aws:iam::%s:instance-profile/%s", r.Account, stateString(state, "name", name)))
	}
}

// stateString returns a string attribute of a resource's state, or def.
func stateString(state resource.PropertyMap, key, def string) string {
	if v, ok := state[resource.PropertyKey(key)]; ok && v.IsString() {
		return v.StringValue()
	}
	return def
}
