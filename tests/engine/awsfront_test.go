package engine

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"
)

// The account the aws test provider keeps (its record) is also what hubctl's own AWS calls see
// where they look for resources by name: a front before moto answers the reads `hubctl up` makes
// to find what a destroy retained (KMS DescribeKey, Secrets Manager DescribeSecret and
// GetSecretValue, Cognito ListUserPools, DescribeUserPoolDomain, ListUserPoolClients and
// AdminGetUser, S3 HeadBucket) from the record, in the wire forms of those APIs; every other
// call goes on to moto. It cannot prove the real APIs' behaviour (paging, eventual consistency,
// permissions): the retained package's own tests run the same calls against moto.

// recordFront serves the record-backed reads before next and returns its URL.
func recordFront(t testing.TB, record, next string) string {
	t.Helper()
	target, err := url.Parse(next)
	if err != nil {
		t.Fatal(err)
	}
	forward := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op := r.Header.Get("X-Amz-Target")
		if bucket := strings.Trim(r.URL.Path, "/"); r.Method == http.MethodHead && op == "" && bucket != "" && !strings.Contains(bucket, "/") {
			headBucket(w, record, bucket)
			return
		}
		answer, ok := frontAnswers[op]
		if !ok {
			forward.ServeHTTP(w, r)
			return
		}
		var in map[string]any
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		rec, err := loadAccount(record)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		out, code := answer(rec, in)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		if code != "" {
			w.WriteHeader(http.StatusBadRequest)
			out = map[string]any{"__type": code, "message": fmt.Sprintf("%s: %v", code, in)}
		}
		_ = json.NewEncoder(w).Encode(out)
	}))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.URL
}

// account is the record read for the front: each existing resource's type, ID and outputs.
type account []accountResource

type accountResource struct {
	typ, id string
	out     resource.PropertyMap
}

func loadAccount(record string) (account, error) {
	rec, err := readRecord(record)
	if err != nil {
		return nil, err
	}
	var a account
	for id, urn := range rec.Resources {
		st, ok := rec.State[id]
		if !ok || !resource.URN(urn).IsValid() {
			continue
		}
		var s structpb.Struct
		if err := protojson.Unmarshal([]byte(st.Outputs), &s); err != nil {
			return nil, err
		}
		out, err := unmarshal(&s)
		if err != nil {
			return nil, err
		}
		a = append(a, accountResource{typ: resource.URN(urn).Type().String(), id: id, out: out})
	}
	return a, nil
}

// find returns the resources of a type whose output key equals value ("id" matches the ID).
func (a account) find(typ, key, value string) []accountResource {
	var out []accountResource
	for _, r := range a {
		v := r.id
		if key != "id" {
			v = plainString(r.out[resource.PropertyKey(key)])
		}
		if r.typ == typ && v == value {
			out = append(out, r)
		}
	}
	return out
}

func (r accountResource) get(key string) string { return plainString(r.out[resource.PropertyKey(key)]) }

func str(in map[string]any, k string) string { s, _ := in[k].(string); return s }

// frontAnswers answer one API operation from the account: the response, or an error code.
var frontAnswers = map[string]func(account, map[string]any) (map[string]any, string){
	"TrentService.DescribeKey": func(a account, in map[string]any) (map[string]any, string) {
		id := str(in, "KeyId")
		if strings.HasPrefix(id, "alias/") {
			aliases := a.find("aws:kms/alias:Alias", "name", id)
			if len(aliases) == 0 {
				return nil, "NotFoundException"
			}
			id = aliases[0].get("targetKeyId")
		}
		keys := a.find("aws:kms/key:Key", "id", id)
		if len(keys) == 0 {
			return nil, "NotFoundException"
		}
		return map[string]any{"KeyMetadata": map[string]any{"KeyId": id, "Arn": keys[0].get("arn"), "KeyState": "Enabled"}}, ""
	},
	"secretsmanager.DescribeSecret": func(a account, in map[string]any) (map[string]any, string) {
		id := str(in, "SecretId")
		secrets := append(a.find("aws:secretsmanager/secret:Secret", "name", id), a.find("aws:secretsmanager/secret:Secret", "id", id)...)
		if len(secrets) == 0 {
			return nil, "ResourceNotFoundException"
		}
		return map[string]any{"ARN": secrets[0].id, "Name": secrets[0].get("name")}, ""
	},
	"secretsmanager.GetSecretValue": func(a account, in map[string]any) (map[string]any, string) {
		versions := a.find("aws:secretsmanager/secretVersion:SecretVersion", "secretId", str(in, "SecretId"))
		if len(versions) == 0 {
			return nil, "ResourceNotFoundException"
		}
		return map[string]any{"ARN": str(in, "SecretId"), "SecretString": versions[0].get("secretString")}, ""
	},
	"AWSCognitoIdentityProviderService.ListUserPools": func(a account, _ map[string]any) (map[string]any, string) {
		pools := []any{}
		for _, p := range a {
			if p.typ == "aws:cognito/userPool:UserPool" {
				pools = append(pools, map[string]any{"Id": p.id, "Name": p.get("name")})
			}
		}
		return map[string]any{"UserPools": pools}, ""
	},
	"AWSCognitoIdentityProviderService.DescribeUserPoolDomain": func(a account, in map[string]any) (map[string]any, string) {
		desc := map[string]any{}
		if d := a.find("aws:cognito/userPoolDomain:UserPoolDomain", "domain", str(in, "Domain")); len(d) > 0 {
			desc = map[string]any{"Domain": str(in, "Domain"), "UserPoolId": d[0].get("userPoolId")}
		}
		return map[string]any{"DomainDescription": desc}, ""
	},
	"AWSCognitoIdentityProviderService.ListUserPoolClients": func(a account, in map[string]any) (map[string]any, string) {
		clients := []any{}
		for _, c := range a.find("aws:cognito/userPoolClient:UserPoolClient", "userPoolId", str(in, "UserPoolId")) {
			clients = append(clients, map[string]any{"ClientId": c.id, "ClientName": c.get("name"), "UserPoolId": str(in, "UserPoolId")})
		}
		return map[string]any{"UserPoolClients": clients}, ""
	},
	"AWSCognitoIdentityProviderService.AdminGetUser": func(a account, in map[string]any) (map[string]any, string) {
		if len(a.find("aws:cognito/user:User", "id", str(in, "UserPoolId")+"/"+str(in, "Username"))) == 0 {
			return nil, "UserNotFoundException"
		}
		return map[string]any{"Username": str(in, "Username"), "Enabled": true}, ""
	},
}

func headBucket(w http.ResponseWriter, record, bucket string) {
	a, err := loadAccount(record)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if len(a.find("aws:s3/bucketV2:BucketV2", "id", bucket)) == 0 {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	w.WriteHeader(http.StatusOK)
}
