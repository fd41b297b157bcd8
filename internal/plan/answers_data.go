package plan

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Offline answers for the data layer's resource types: RDS, S3, Secrets Manager, SSM
// and pulumi-random. Random values are deterministic fakes derived from the resource
// name (see FakeRandomBytes) and are always returned as secrets, as the real provider
// marks them, so the recorded graph and leak tests see what a deployment would.
func init() {
	resourceAnswers["random:index/randomBytes:RandomBytes"] = func(_ *Recorder, name, _ string, state resource.PropertyMap) {
		b := FakeRandomBytes(name, intInput(state, "length", 32))
		state["base64"] = resource.MakeSecret(resource.NewProperty(base64.StdEncoding.EncodeToString(b)))
		state["hex"] = resource.MakeSecret(resource.NewProperty(hex.EncodeToString(b)))
	}
	resourceAnswers["random:index/randomPassword:RandomPassword"] = func(_ *Recorder, name, _ string, state resource.PropertyMap) {
		pw := FakeRandomPassword(name, intInput(state, "length", 32))
		state["result"] = resource.MakeSecret(resource.NewProperty(pw))
		state["bcryptHash"] = resource.MakeSecret(resource.NewProperty("$2a$10$plan" + hex.EncodeToString(FakeRandomBytes(name+"#bcrypt", 24))))
	}
	resourceAnswers["aws:rds/instance:Instance"] = func(r *Recorder, name, id string, state resource.PropertyMap) {
		ident := stringInput(state, "identifier", name)
		port := intInput(state, "port", 5432)
		address := fmt.Sprintf("%s.cplan%s.%s.rds.amazonaws.com", ident, shortHash(r.Account), r.Region)
		state["identifier"] = resource.NewProperty(ident)
		state["arn"] = resource.NewProperty(fmt.Sprintf("arn:aws:rds:%s:%s:db:%s", r.Region, r.Account, ident))
		state["address"] = resource.NewProperty(address)
		state["endpoint"] = resource.NewProperty(fmt.Sprintf("%s:%d", address, port))
		state["port"] = resource.NewProperty(float64(port))
		state["resourceId"] = resource.NewProperty("db-" + strings.ToUpper(shortHash(ident)+shortHash(r.Account)))
		state["hostedZoneId"] = resource.NewProperty("ZPLANRDS" + strings.ToUpper(shortHash(r.Region)))
		if v, ok := state["manageMasterUserPassword"]; ok && v.IsBool() && v.BoolValue() {
			state["masterUserSecrets"] = resource.NewProperty([]resource.PropertyValue{
				resource.NewProperty(resource.PropertyMap{
					"secretArn":    resource.NewProperty(fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:rds!db-%s-Pl4nAb", r.Region, r.Account, shortHash(ident))),
					"kmsKeyId":     resource.NewProperty(stringInput(state, "masterUserSecretKmsKeyId", "")),
					"secretStatus": resource.NewProperty("active"),
				}),
			})
		}
	}
	resourceAnswers["aws:s3/bucketV2:BucketV2"] = func(r *Recorder, name, _ string, state resource.PropertyMap) {
		b := stringInput(state, "bucket", name)
		state["bucket"] = resource.NewProperty(b)
		state["arn"] = resource.NewProperty("arn:aws:s3:::" + b)
		state["bucketDomainName"] = resource.NewProperty(b + ".s3.amazonaws.com")
		state["bucketRegionalDomainName"] = resource.NewProperty(fmt.Sprintf("%s.s3.%s.amazonaws.com", b, r.Region))
		state["region"] = resource.NewProperty(r.Region)
		state["hostedZoneId"] = resource.NewProperty("Z3GKZC51ZF0DB4")
	}
	resourceAnswers["aws:secretsmanager/secret:Secret"] = func(r *Recorder, name, _ string, state resource.PropertyMap) {
		n := stringInput(state, "name", name)
		state["name"] = resource.NewProperty(n)
		state["arn"] = resource.NewProperty(fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:%s-%s", r.Region, r.Account, n, shortHash(n)[:6]))
	}
	resourceAnswers["aws:secretsmanager/secretVersion:SecretVersion"] = func(_ *Recorder, name, _ string, state resource.PropertyMap) {
		state["versionId"] = resource.NewProperty("plan-" + shortHash(name))
		state["versionStages"] = resource.NewProperty([]resource.PropertyValue{resource.NewProperty("AWSCURRENT")})
	}
	resourceAnswers["aws:ssm/parameter:Parameter"] = func(r *Recorder, name, _ string, state resource.PropertyMap) {
		n := stringInput(state, "name", name)
		state["name"] = resource.NewProperty(n)
		if !strings.HasPrefix(n, "/") {
			n = "/" + n
		}
		state["arn"] = resource.NewProperty(fmt.Sprintf("arn:aws:ssm:%s:%s:parameter%s", r.Region, r.Account, n))
		state["version"] = resource.NewProperty(1.0)
	}
	resourceAnswers["aws:rds/subnetGroup:SubnetGroup"] = nameFromInput
	resourceAnswers["aws:rds/parameterGroup:ParameterGroup"] = nameFromInput
}

// FakeRandomBytes is the value the plan's mocks give a random resource of a logical
// name: n bytes, deterministic and distinct per name, so a test can compute exactly
// which plaintext must never appear outside a secret.
func FakeRandomBytes(name string, n int) []byte {
	out := make([]byte, 0, n)
	for i := 0; len(out) < n; i++ {
		sum := sha256.Sum256([]byte(fmt.Sprintf("flip-hub-plan-random:%s:%d", name, i)))
		out = append(out, sum[:]...)
	}
	return out[:n]
}

// FakeRandomPassword is the RandomPassword result the mocks give a logical name: an
// alphanumeric string of length n.
func FakeRandomPassword(name string, n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := FakeRandomBytes(name, n)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

func nameFromInput(_ *Recorder, name, _ string, state resource.PropertyMap) {
	state["name"] = resource.NewProperty(stringInput(state, "name", name))
}

func stringInput(state resource.PropertyMap, key, fallback string) string {
	if v, ok := state[resource.PropertyKey(key)]; ok && v.IsString() && v.StringValue() != "" {
		return v.StringValue()
	}
	return fallback
}

func intInput(state resource.PropertyMap, key string, fallback int) int {
	if v, ok := state[resource.PropertyKey(key)]; ok && v.IsNumber() {
		return int(v.NumberValue())
	}
	return fallback
}
