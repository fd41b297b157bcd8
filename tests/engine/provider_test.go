package engine

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/londonaicentre/flip-hub/internal/plan"
)

// The test providers: this test binary, installed into a test PULUMI_HOME as
// pulumi-resource-aws, -random and -command, serves the real plugin protocol to the real
// engine. aws answers exactly as the level-1 mocks do (plan.Recorder is the one source of
// computed attributes and invoke answers) and refuses what AWS documents it refuses
// (awsrules_test.go); random mints real random bytes; command really runs its commands.
// Nothing here is used outside tests.

// Versions the program's SDKs ask the engine for (go.mod).
var pluginVersions = map[string]string{"aws": "6.83.4", "random": "4.21.2", "command": "1.2.1"}

// envRecord names the JSON file in which the aws test provider keeps the account's named
// resources across plugin processes and updates, so a name reused after a destroy that
// retained it is refused, as AWS refuses it.
const envRecord = "FLIP_TESTPROVIDER_RECORD"

// servePlugin runs the test provider named by the executable and reports whether it did.
func servePlugin() (bool, error) {
	base := filepath.Base(os.Args[0])
	kind, ok := strings.CutPrefix(base, "pulumi-resource-")
	if !ok {
		return false, nil
	}
	if _, known := pluginVersions[kind]; !known {
		return true, fmt.Errorf("no test provider %q", kind)
	}
	return true, provider.Main(kind, func(*provider.HostClient) (pulumirpc.ResourceProviderServer, error) {
		return &testProvider{kind: kind, record: os.Getenv(envRecord)}, nil
	})
}

type testProvider struct {
	pulumirpc.UnimplementedResourceProviderServer

	kind   string
	record string

	mu      sync.Mutex
	region  string
	account string
}

var wire = plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, KeepResources: true, SkipNulls: true}

func unmarshal(s *structpb.Struct) (resource.PropertyMap, error) {
	return plugin.UnmarshalProperties(s, wire)
}

func marshal(pm resource.PropertyMap) (*structpb.Struct, error) {
	return plugin.MarshalProperties(pm, wire)
}

func (p *testProvider) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: pluginVersions[p.kind]}, nil
}

func (p *testProvider) Handshake(context.Context, *pulumirpc.ProviderHandshakeRequest) (*pulumirpc.ProviderHandshakeResponse, error) {
	return &pulumirpc.ProviderHandshakeResponse{AcceptSecrets: true, AcceptResources: true}, nil
}

func (p *testProvider) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	return &pulumirpc.GetSchemaResponse{Schema: fmt.Sprintf(`{"name":%q,"version":%q}`, p.kind, pluginVersions[p.kind])}, nil
}

func (p *testProvider) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (p *testProvider) DiffConfig(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return diffProps(req.GetOldInputs(), req.GetNews(), nil)
}

func (p *testProvider) Configure(_ context.Context, req *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	args, err := unmarshal(req.GetArgs())
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.region = plainString(args["region"])
	p.account = plan.FakeAccount
	if ids := args["allowedAccountIds"]; ids.IsArray() && len(ids.ArrayValue()) > 0 {
		p.account = plainString(ids.ArrayValue()[0])
	}
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, AcceptResources: true}, nil
}

func (p *testProvider) recorder() *plan.Recorder {
	p.mu.Lock()
	defer p.mu.Unlock()
	return &plan.Recorder{Region: p.region, Account: p.account}
}

func (p *testProvider) Invoke(_ context.Context, req *pulumirpc.InvokeRequest) (*pulumirpc.InvokeResponse, error) {
	args, err := unmarshal(req.GetArgs())
	if err != nil {
		return nil, err
	}
	out, err := p.recorder().AnswerInvoke(req.GetTok(), args)
	if err != nil {
		return nil, err
	}
	ret, err := marshal(out)
	return &pulumirpc.InvokeResponse{Return: ret}, err
}

func (p *testProvider) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	resp := &pulumirpc.CheckResponse{Inputs: req.GetNews()}
	if p.kind != "aws" {
		return resp, nil
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	typ := resource.URN(req.GetUrn()).Type().String()
	for _, f := range checkAWS(typ, p.recorder().Region, news) {
		resp.Failures = append(resp.Failures, &pulumirpc.CheckFailure{Property: f.Property, Reason: f.Reason})
	}
	return resp, nil
}

func (p *testProvider) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	typ := resource.URN(req.GetUrn()).Type().String()
	if replaceAfterFirstDiff(p.record, typ+"::"+resource.URN(req.GetUrn()).Name()) {
		return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_SOME,
			Diffs: []string{"instanceType"}, Replaces: []string{"instanceType"}}, nil
	}
	return diffProps(req.GetOldInputs(), req.GetNews(), forceNew(p.kind, typ))
}

// diffProps compares old and new inputs key by key (secretness aside); a changed key named
// in replaceKeys forces a replacement, any other change is an update.
func diffProps(oldS, newS *structpb.Struct, replaceKeys []string) (*pulumirpc.DiffResponse, error) {
	plainOpts := plugin.MarshalOptions{KeepUnknowns: true, SkipNulls: true}
	olds, err := plugin.UnmarshalProperties(oldS, plainOpts)
	if err != nil {
		return nil, err
	}
	news, err := plugin.UnmarshalProperties(newS, plainOpts)
	if err != nil {
		return nil, err
	}
	keys := map[string]bool{}
	for k := range olds {
		keys[string(k)] = true
	}
	for k := range news {
		keys[string(k)] = true
	}
	resp := &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}
	for k := range keys {
		o, n := olds[resource.PropertyKey(k)], news[resource.PropertyKey(k)]
		if sameValue(o, n) {
			continue
		}
		resp.Diffs = append(resp.Diffs, k)
		for _, r := range replaceKeys {
			if r == k {
				resp.Replaces = append(resp.Replaces, k)
			}
		}
	}
	sort.Strings(resp.Diffs)
	sort.Strings(resp.Replaces)
	if len(resp.Diffs) > 0 {
		resp.Changes = pulumirpc.DiffResponse_DIFF_SOME
	}
	return resp, nil
}

func sameValue(a, b resource.PropertyValue) bool {
	if a.ContainsUnknowns() || b.ContainsUnknowns() {
		return false
	}
	pa, err1 := plugin.MarshalPropertyValue("", a, plugin.MarshalOptions{SkipNulls: true})
	pb, err2 := plugin.MarshalPropertyValue("", b, plugin.MarshalOptions{SkipNulls: true})
	if err1 != nil || err2 != nil {
		return false
	}
	return proto.Equal(pa, pb)
}

// forceNew lists, per type, the inputs whose change makes the provider replace the resource,
// as the providers' documentation says ("Changing this forces a new resource"). Only the
// types the suite replaces on purpose, or whose identity is their name, are listed.
func forceNew(kind, typ string) []string {
	switch kind {
	case "random":
		// pulumi-random: every RandomBytes/RandomPassword input forces replacement, keepers included.
		return []string{"length", "keepers", "special", "upper", "lower", "numeric", "minLower", "minUpper", "minNumeric", "minSpecial", "overrideSpecial"}
	case "command":
		// pulumi-command: a change to triggers replaces the command; any other change updates it.
		return []string{"triggers"}
	}
	switch typ {
	case "aws:rds/instance:Instance":
		// RDS cannot rename the initial database, change the engine, or re-encrypt in place.
		return []string{"dbName", "engine", "storageEncrypted", "kmsKeyId", "identifier", "username", "availabilityZone"}
	case "aws:s3/bucketV2:BucketV2":
		return []string{"bucket", "bucketPrefix", "objectLockEnabled"}
	case "aws:secretsmanager/secret:Secret":
		return []string{"name", "namePrefix"}
	case "aws:kms/key:Key":
		return []string{"customerMasterKeySpec", "keyUsage", "multiRegion"}
	case "aws:cognito/userPool:UserPool":
		return []string{"aliasAttributes", "usernameAttributes", "schemas"}
	case "aws:sesv2/emailIdentity:EmailIdentity":
		return []string{"emailIdentity"}
	case "aws:cognito/userPoolClient:UserPoolClient":
		// aws_cognito_user_pool_client: user_pool_id and generate_secret require replacement; a
		// new name is an update.
		return []string{"userPoolId", "generateSecret"}
	case "aws:ec2/securityGroup:SecurityGroup":
		return []string{"name", "namePrefix", "description", "vpcId"}
	case "aws:ec2/instance:Instance":
		return []string{"ami", "subnetId", "instanceType"}
	}
	return []string{"name"}
}

func (p *testProvider) Create(_ context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	urn := resource.URN(req.GetUrn())
	props, err := unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	typ := urn.Type().String()
	preview := req.GetPreview()
	if !preview {
		slowCreate(typ)
	}
	var id string
	switch p.kind {
	case "aws":
		// The mocks' ID, made unique per create as AWS's are, so a replacement has an ID of its own.
		id = plan.FakeIDFor(typ, urn.Name()) + "-" + randomHex(3)
		inputs := maps.Clone(props)
		p.recorder().AnswerResource(typ, urn.Name(), id, props)
		if !preview {
			// Where the AWS provider's ID is a name or an ARN, its import takes that form.
			switch typ {
			case "aws:cognito/user:User":
				id = plainString(props["userPoolId"]) + "/" + plainString(props["username"])
			case "aws:secretsmanager/secret:Secret":
				id = plainString(props["arn"])
			case "aws:s3/bucketV2:BucketV2":
				id = plainString(props["bucket"])
			case "aws:kms/alias:Alias":
				id = plainString(props["name"])
			}
		}
		if err := p.claimName(typ, id, string(urn), props, preview); err != nil {
			return nil, err
		}
		if !preview {
			if err := p.saveState(id, inputs, props); err != nil {
				return nil, err
			}
		}
		if preview {
			// As the AWS provider does, a preview knows the inputs and nothing AWS computes
			// (IDs, ARNs, endpoints): those stay unknown until the create.
			for k := range props {
				if _, in := inputs[k]; !in {
					markUnknown(props, k)
				}
			}
		}
	case "random":
		id, err = mintRandom(typ, props)
		if preview {
			markUnknown(props, "base64", "hex", "result")
		}
	case "command":
		id = urn.Name() + "-" + randomHex(4)
		if preview {
			markUnknown(props, "stdout", "stderr")
		} else {
			err = runCommand(props, "create", nil)
		}
	}
	if preview {
		id = ""
	}
	if err != nil {
		return nil, err
	}
	out, err := marshal(props)
	return &pulumirpc.CreateResponse{Id: id, Properties: out}, err
}

func (p *testProvider) Update(_ context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	urn := resource.URN(req.GetUrn())
	olds, err := unmarshal(req.GetOlds())
	if err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	switch p.kind {
	case "aws":
		inputs := maps.Clone(news)
		p.recorder().AnswerResource(urn.Type().String(), urn.Name(), req.GetId(), news)
		if !req.GetPreview() {
			if err := p.saveState(req.GetId(), inputs, news); err != nil {
				return nil, err
			}
		}
	case "random":
		// Nothing of a random value updates in place: keep what was minted.
		for k, v := range olds {
			if _, ok := news[k]; !ok {
				news[k] = v
			}
		}
		for _, k := range []resource.PropertyKey{"base64", "hex", "result", "bcryptHash"} {
			if v, ok := olds[k]; ok {
				news[k] = v
			}
		}
	case "command":
		if req.GetPreview() {
			markUnknown(news, "stdout", "stderr")
			break
		}
		step := "update"
		if plainString(news["update"]) == "" {
			step = "create"
		}
		if err := runCommand(news, step, olds); err != nil {
			return nil, err
		}
	}
	out, err := marshal(news)
	return &pulumirpc.UpdateResponse{Properties: out}, err
}

func (p *testProvider) Delete(_ context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	urn := resource.URN(req.GetUrn())
	olds, err := unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	switch p.kind {
	case "aws":
		if why := deletionProtected(urn.Type().String(), olds); why != "" {
			return nil, fmt.Errorf("%s: %s", req.GetId(), why)
		}
		if err := p.releaseName(req.GetId(), string(urn), plainString(olds["bucket"])); err != nil {
			return nil, err
		}
	case "command":
		if plainString(olds["delete"]) != "" {
			if err := runCommand(olds, "delete", olds); err != nil {
				return nil, err
			}
		}
	}
	return &emptypb.Empty{}, nil
}

// Read returns the state the engine holds: the test provider has no cloud to drift from. An
// import (a read of an ID alone) finds what the account holds under that ID, as AWS does for a
// resource a destroy retained; an ID the account does not hold reads as gone.
func (p *testProvider) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	if p.kind != "aws" || len(req.GetProperties().GetFields()) > 0 || p.record == "" {
		return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: req.GetProperties(), Inputs: req.GetInputs()}, nil
	}
	var st recordState
	var ok bool
	// Read under the record's lock: another plugin process may be writing it.
	if err := p.updateRecord(func(rec *accountRecord) error {
		st, ok = rec.State[req.GetId()]
		return errNoChange
	}); err != nil {
		return nil, err
	}
	if !ok {
		return &pulumirpc.ReadResponse{}, nil
	}
	var inputs, outputs structpb.Struct
	if err := protojson.Unmarshal([]byte(st.Inputs), &inputs); err != nil {
		return nil, fmt.Errorf("record state of %s: %w", req.GetId(), err)
	}
	if err := protojson.Unmarshal([]byte(st.Outputs), &outputs); err != nil {
		return nil, fmt.Errorf("record state of %s: %w", req.GetId(), err)
	}
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: &outputs, Inputs: &inputs}, nil
}

// saveState keeps what a resource is in the account record, for a later import to read.
func (p *testProvider) saveState(id string, inputs, outputs resource.PropertyMap) error {
	in, err := marshal(inputs)
	if err != nil {
		return err
	}
	out, err := marshal(outputs)
	if err != nil {
		return err
	}
	inJSON, err := protojson.Marshal(in)
	if err != nil {
		return err
	}
	outJSON, err := protojson.Marshal(out)
	if err != nil {
		return err
	}
	return p.updateRecord(func(rec *accountRecord) error {
		rec.State[id] = recordState{Inputs: string(inJSON), Outputs: string(outJSON)}
		return nil
	})
}

func (p *testProvider) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

// plainString is a string property's value, secret or not; "" for anything else.
func plainString(v resource.PropertyValue) string {
	if v.IsSecret() {
		v = v.SecretValue().Element
	}
	if v.IsOutput() {
		v = v.OutputValue().Element
	}
	if v.IsString() {
		return v.StringValue()
	}
	return ""
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never returns an error (Go 1.24+)
	return hex.EncodeToString(b)
}

// mintRandom fills a random resource's outputs with real random values, secret as
// pulumi-random marks them.
func mintRandom(typ string, props resource.PropertyMap) (string, error) {
	n := 32
	if v := props["length"]; v.IsNumber() {
		n = int(v.NumberValue())
	}
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random: %w", err)
	}
	switch typ {
	case "random:index/randomBytes:RandomBytes":
		props["base64"] = resource.MakeSecret(resource.NewProperty(base64.StdEncoding.EncodeToString(b)))
		props["hex"] = resource.MakeSecret(resource.NewProperty(hex.EncodeToString(b)))
		return "none", nil
	case "random:index/randomPassword:RandomPassword":
		const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
		pw := make([]byte, n)
		for i := range b {
			pw[i] = alphabet[int(b[i])%len(alphabet)]
		}
		props["result"] = resource.MakeSecret(resource.NewProperty(string(pw)))
		return "none", nil
	}
	return "", fmt.Errorf("random test provider: no type %s", typ)
}

// accountRecord is what exists in the fake account.
type accountRecord struct {
	// Resources maps each existing resource's ID to the URN that created it.
	Resources map[string]string `json:"resources"`
	// Names maps "<type>|<name>" to the URN and ID holding that name.
	Names map[string]recordEntry `json:"names"`
	// InBucket maps the ID of each bucket configuration (policy, versioning, lifecycle, ...)
	// to its bucket: S3 deletes them with the bucket.
	InBucket map[string]string `json:"inBucket"`
	// State holds each existing resource's inputs and outputs (protobuf JSON), read by imports.
	State map[string]recordState `json:"state"`
}

// recordState is a resource's properties as the account keeps them.
type recordState struct {
	Inputs  string `json:"inputs"`
	Outputs string `json:"outputs"`
}

type recordEntry struct {
	URN string `json:"urn"`
	ID  string `json:"id"`
}

// recordMu serialises this process's record updates; lockFile serialises processes.
var recordMu sync.Mutex

func (p *testProvider) updateRecord(fn func(*accountRecord) error) error {
	if p.record == "" {
		return nil
	}
	recordMu.Lock()
	defer recordMu.Unlock()
	unlock, err := lockFile(p.record + ".lock")
	if err != nil {
		return err
	}
	defer unlock()
	rec, err := readRecord(p.record)
	if err != nil {
		return err
	}
	if err := fn(rec); err != nil {
		if errors.Is(err, errNoChange) {
			return nil
		}
		return err
	}
	b, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(p.record, b, 0o600)
}

func readRecord(path string) (*accountRecord, error) {
	rec := &accountRecord{Resources: map[string]string{}, Names: map[string]recordEntry{}, InBucket: map[string]string{}, State: map[string]recordState{}}
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return rec, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, rec); err != nil {
		return nil, fmt.Errorf("record %s: %w", path, err)
	}
	if rec.Resources == nil {
		rec.Resources = map[string]string{}
	}
	if rec.Names == nil {
		rec.Names = map[string]recordEntry{}
	}
	if rec.InBucket == nil {
		rec.InBucket = map[string]string{}
	}
	if rec.State == nil {
		rec.State = map[string]recordState{}
	}
	return rec, nil
}

// claimName records a created resource, refusing a name the account already holds; a
// preview only checks.
func (p *testProvider) claimName(typ, id, urn string, props resource.PropertyMap, preview bool) error {
	key := uniqueName(typ, props)
	if preview && key == "" {
		return nil
	}
	return p.updateRecord(func(rec *accountRecord) error {
		if key != "" {
			if held, ok := rec.Names[key]; ok {
				return fmt.Errorf("%s already exists in this account (held by %s): AWS refuses a second one of that name", key, held.URN)
			}
			if preview {
				return errNoChange
			}
			rec.Names[key] = recordEntry{URN: urn, ID: id}
		}
		rec.Resources[id] = urn
		if strings.HasPrefix(typ, "aws:s3/bucket") && typ != "aws:s3/bucketV2:BucketV2" {
			rec.InBucket[id] = plainString(props["bucket"])
		}
		return nil
	})
}

// errNoChange tells updateRecord to leave the record as it was.
var errNoChange = errors.New("no change")

// markUnknown makes outputs unknown, as a provider reports what only a real create can know.
func markUnknown(props resource.PropertyMap, keys ...resource.PropertyKey) {
	for _, k := range keys {
		props[k] = resource.MakeComputed(resource.NewProperty(""))
	}
}

// releaseName forgets a deleted resource; a deleted bucket takes its configurations along.
func (p *testProvider) releaseName(id, urn, bucket string) error {
	isBucket := resource.URN(urn).Type().String() == "aws:s3/bucketV2:BucketV2"
	return p.updateRecord(func(rec *accountRecord) error {
		for k, e := range rec.Names {
			if e.URN == urn && e.ID == id {
				delete(rec.Names, k)
			}
		}
		delete(rec.Resources, id)
		delete(rec.InBucket, id)
		delete(rec.State, id)
		if isBucket {
			for sub, b := range rec.InBucket {
				if b == bucket {
					delete(rec.Resources, sub)
					delete(rec.InBucket, sub)
					delete(rec.State, sub)
				}
			}
		}
		return nil
	})
}

// envReplaceAfterPreview names a resource ("<type>::<name>") whose first diff finds nothing and
// every later one a replacement: the cloud changing between a preview and the up that follows it.
const envReplaceAfterPreview = "FLIP_TESTPROVIDER_REPLACE_AFTER_PREVIEW"

// replaceAfterFirstDiff reports whether this diff of the named resource must be a replacement;
// a marker file beside the account record remembers the first diff across plugin processes.
func replaceAfterFirstDiff(record, name string) bool {
	if want := os.Getenv(envReplaceAfterPreview); want == "" || want != name || record == "" {
		return false
	}
	marker := record + ".diffed-" + strings.NewReplacer(":", "_", "/", "_").Replace(name)
	if _, err := os.Stat(marker); err == nil {
		return true
	}
	_ = os.WriteFile(marker, nil, 0o600)
	return false
}

// envSlowCreate makes the creates of one type take a while ("<type>=<duration>"), as real AWS
// does (an RDS instance takes minutes), so a test can interrupt an update mid-operation.
const envSlowCreate = "FLIP_TESTPROVIDER_SLOW_CREATE"

func slowCreate(typ string) {
	t, d, ok := strings.Cut(os.Getenv(envSlowCreate), "=")
	if !ok || t != typ {
		return
	}
	if dur, err := time.ParseDuration(d); err == nil {
		time.Sleep(dur)
	}
}
