package plan

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// FakeAccount is the account ID the mocks report when the config allows none.
const FakeAccount = "123456789012"

// invokeAnswers answer the data sources the program calls, keyed by token. A program
// that calls a data source missing here fails the plan with a clear error.
var invokeAnswers = map[string]func(r *Recorder, args resource.PropertyMap) map[string]any{
	"aws:index/getCallerIdentity:getCallerIdentity": func(r *Recorder, _ resource.PropertyMap) map[string]any {
		return map[string]any{
			"id":        r.Account,
			"accountId": r.Account,
			"arn":       "arn:aws:iam::" + r.Account + ":role/plan",
			"userId":    "AROAPLANPLANPLANPLAN:plan",
		}
	},
	"aws:index/getPartition:getPartition": func(*Recorder, resource.PropertyMap) map[string]any {
		return map[string]any{"id": "aws", "partition": "aws", "dnsSuffix": "amazonaws.com", "reverseDnsPrefix": "com.amazonaws"}
	},
	"aws:index/getRegion:getRegion": func(r *Recorder, _ resource.PropertyMap) map[string]any {
		return map[string]any{"id": r.Region, "name": r.Region, "region": r.Region, "endpoint": "ec2." + r.Region + ".amazonaws.com"}
	},
	"aws:ec2/getManagedPrefixList:getManagedPrefixList": func(_ *Recorder, args resource.PropertyMap) map[string]any {
		name := stringArg(args, "name")
		return map[string]any{"id": "pl-" + shortHash(name), "name": name, "addressFamily": "IPv4", "maxEntries": 55}
	},
	"aws:ssm/getParameter:getParameter": func(_ *Recorder, args resource.PropertyMap) map[string]any {
		name := stringArg(args, "name")
		return map[string]any{"id": name, "name": name, "type": "String", "value": "ami-0" + shortHash(name) + "00000000", "version": 1}
	},
	"aws:route53/getZone:getZone": func(_ *Recorder, args resource.PropertyMap) map[string]any {
		name := stringArg(args, "name")
		return map[string]any{"id": "Z0" + strings.ToUpper(shortHash(name)) + "PLAN", "zoneId": "Z0" + strings.ToUpper(shortHash(name)) + "PLAN", "name": name}
	},
}

// resourceAnswers add the computed attributes a resource type reports after creation.
var resourceAnswers = map[string]func(r *Recorder, name, id string, state resource.PropertyMap){
	"aws:kms/key:Key": func(r *Recorder, name, id string, state resource.PropertyMap) {
		state["keyId"] = resource.NewProperty(id)
		state["arn"] = resource.NewProperty(fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", r.Region, r.Account, id))
	},
	"aws:ec2/vpc:Vpc": func(_ *Recorder, _, id string, state resource.PropertyMap) {
		state["defaultSecurityGroupId"] = resource.NewProperty("sg-default-" + id)
	},
	"aws:cloudwatch/logGroup:LogGroup": func(r *Recorder, name, _ string, state resource.PropertyMap) {
		group := name
		if v, ok := state["name"]; ok && v.IsString() {
			group = v.StringValue()
		}
		state["arn"] = resource.NewProperty(fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s", r.Region, r.Account, group))
	},
	"aws:iam/role:Role": func(r *Recorder, name, _ string, state resource.PropertyMap) {
		role := name
		if v, ok := state["name"]; ok && v.IsString() {
			role = v.StringValue()
		}
		state["arn"] = resource.NewProperty(fmt.Sprintf("arn:aws:iam::%s:role/%s", r.Account, role))
	},
}

// answerResource fills a created resource's state: a generic ARN and name, then the
// type's own computed attributes.
func answerResource(r *Recorder, typ, name, id string, state resource.PropertyMap) {
	if _, ok := state["arn"]; !ok {
		state["arn"] = resource.NewProperty(fakeARN(r, typ, id))
	}
	if _, ok := state["name"]; !ok {
		state["name"] = resource.NewProperty(name)
	}
	if answer, ok := resourceAnswers[typ]; ok {
		answer(r, name, id, state)
	}
}

func fakeARN(r *Recorder, typ, id string) string {
	service := "unknown"
	if parts := strings.SplitN(typ, ":", 3); len(parts) == 3 {
		service = strings.SplitN(parts[1], "/", 2)[0]
	}
	return fmt.Sprintf("arn:aws:%s:%s:%s:%s", service, r.Region, r.Account, id)
}

func stringArg(args resource.PropertyMap, key string) string {
	if v, ok := args[resource.PropertyKey(key)]; ok && v.IsString() {
		return v.StringValue()
	}
	return ""
}

func shortHash(s string) string {
	var h uint32 = 2166136261
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return fmt.Sprintf("%08x", h)
}
