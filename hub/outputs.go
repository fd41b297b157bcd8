package hub

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Outputs are the stack's outputs. Each field's json tag is its export name, and nothing else in
// the project spells one: the program exports through export(&Out.Field, value), and hubctl reads
// them with DecodeOutputs and names them with OutputKey(&Out.Field).
type Outputs struct {
	AESKeyBase64                 string                    `json:"aesKeyBase64"`
	ALBARN                       string                    `json:"albArn"`
	ALBDNSName                   string                    `json:"albDnsName"`
	APITargetGroupARN            string                    `json:"apiTargetGroupArn"`
	APIURL                       string                    `json:"apiUrl"`
	BucketARNs                   map[string]string         `json:"bucketArns"`
	BucketNames                  map[string]string         `json:"bucketNames"`
	CertificateValidationRecords []string                  `json:"certificateValidationRecords"`
	DBAddress                    string                    `json:"dbAddress"`
	DBInstanceID                 string                    `json:"dbInstanceId"`
	DBMasterSecretARN            string                    `json:"dbMasterSecretArn"`
	DBName                       string                    `json:"dbName"`
	DBPort                       int                       `json:"dbPort"`
	DistributionARN              string                    `json:"distributionArn"`
	DistributionDomainName       string                    `json:"distributionDomainName"`
	DistributionID               string                    `json:"distributionId"`
	DNSRecords                   []string                  `json:"dnsRecords"`
	Domain                       string                    `json:"domain"`
	Environment                  string                    `json:"environment"`
	FLBackend                    string                    `json:"flBackend"`
	FLEndpoint                   string                    `json:"flEndpoint"`
	FLHost                       string                    `json:"flHost"`
	FLKitDate                    string                    `json:"flKitDate"`
	FLPort                       int                       `json:"flPort"`
	FLServerRoleARN              string                    `json:"flServerRoleArn"`
	FLTargetGroupARN             string                    `json:"flTargetGroupArn"`
	FlipAPISecretARN             string                    `json:"flipApiSecretArn"`
	FlipAPISecretName            string                    `json:"flipApiSecretName"`
	FlowLogGroupName             string                    `json:"flowLogGroupName"`
	HostInstanceProfileName      string                    `json:"hostInstanceProfileName"`
	HostRoleName                 string                    `json:"hostRoleName"`
	HubAMIID                     string                    `json:"hubAmiId"`
	HubDeployCommandID           string                    `json:"hubDeployCommandId"`
	HubDeployHash                string                    `json:"hubDeployHash"`
	HubInstanceID                string                    `json:"hubInstanceId"`
	HubLogGroupNames             []string                  `json:"hubLogGroupNames"`
	HubPrivateIP                 string                    `json:"hubPrivateIp"`
	Images                       map[string]string         `json:"images"`
	KitSlotParameterName         string                    `json:"kitSlotParameterName"`
	KMSKeyARN                    string                    `json:"kmsKeyArn"`
	LogBucketName                string                    `json:"logBucketName"`
	NATPublicIPs                 []string                  `json:"natPublicIps"`
	NLBARN                       string                    `json:"nlbArn"`
	NLBDNSName                   string                    `json:"nlbDnsName"`
	PrivateSubnetIDs             []string                  `json:"privateSubnetIds"`
	PublicSubnetIDs              []string                  `json:"publicSubnetIds"`
	PublicURL                    string                    `json:"publicUrl"`
	Region                       string                    `json:"region"`
	RegistryTokenSecretARN       string                    `json:"registryTokenSecretArn"`
	SESIdentityARN               string                    `json:"sesIdentityArn"`
	SESVerificationRecords       []string                  `json:"sesVerificationRecords"`
	TrustHosts                   map[string]map[string]any `json:"trustHosts"`
	TrustKitFiles                map[string]string         `json:"trustKitFiles"`
	TrustRegistrations           map[string]map[string]any `json:"trustRegistrations"`
	Trusts                       map[string]map[string]any `json:"trusts"`
	UIBucketName                 string                    `json:"uiBucketName"`
	UserPoolARN                  string                    `json:"userPoolArn"`
	UserPoolClientID             string                    `json:"userPoolClientId"`
	UserPoolDomain               string                    `json:"userPoolDomain"`
	UserPoolID                   string                    `json:"userPoolId"`
	VPCID                        string                    `json:"vpcId"`
	WebACLARN                    string                    `json:"webAclArn"`
}

// Out is the zero Outputs whose field addresses name the outputs: OutputKey(&Out.DBAddress) is
// "dbAddress". It is never written.
var Out Outputs

// fieldIndex is the index of the field of Out that field points to.
func fieldIndex(field any) (int, bool) {
	p := reflect.ValueOf(field)
	if p.Kind() != reflect.Pointer {
		return 0, false
	}
	out := reflect.ValueOf(&Out).Elem()
	for i := range out.NumField() {
		if a := out.Field(i).Addr(); a.Pointer() == p.Pointer() && a.Type() == p.Type() {
			return i, true
		}
	}
	return 0, false
}

// tagName is the export name of the i-th field of Outputs.
func tagName(i int) string {
	name, _, _ := strings.Cut(reflect.TypeOf(Out).Field(i).Tag.Get("json"), ",")
	return name
}

// OutputKey is the export name of a field of Out, given its address. Anything else is a
// programming error, reported as "" (and caught by the outputs test).
func OutputKey(field any) string {
	if i, ok := fieldIndex(field); ok {
		return tagName(i)
	}
	return ""
}

// Has reports whether o holds a non-empty value for the output field names (a field of Out).
func (o *Outputs) Has(field any) bool {
	i, ok := fieldIndex(field)
	if !ok {
		return false
	}
	v := reflect.ValueOf(o).Elem().Field(i)
	if v.Kind() == reflect.Slice || v.Kind() == reflect.Map {
		return v.Len() > 0
	}
	return !v.IsZero()
}

// OutputKeys are every output's export name, in field order.
func OutputKeys() []string {
	n := reflect.TypeOf(Out).NumField()
	keys := make([]string, 0, n)
	for i := range n {
		keys = append(keys, tagName(i))
	}
	return keys
}

// export exports value as the output field (a field of Out) names.
func export(ctx *pulumi.Context, field any, value pulumi.Input) {
	ctx.Export(OutputKey(field), value)
}

// DecodeOutputs reads a stack's outputs (as the Automation API or an --outputs-file gives them)
// into Outputs. An output shown as masked (a secret read without its value) is left zero and
// named in masked.
func DecodeOutputs(outs map[string]any, maskedValue string) (o Outputs, masked []string, err error) {
	clean := make(map[string]any, len(outs))
	for k, v := range outs {
		if s, ok := v.(string); ok && s == maskedValue {
			masked = append(masked, k)
			continue
		}
		clean[k] = v
	}
	b, err := json.Marshal(clean)
	if err != nil {
		return o, masked, fmt.Errorf("stack outputs: %w", err)
	}
	if err := json.Unmarshal(b, &o); err != nil {
		return o, masked, fmt.Errorf("stack outputs: %w", err)
	}
	return o, masked, nil
}
