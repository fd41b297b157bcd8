package data_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"

	"github.com/londonaicentre/flip-hub/data"
	"github.com/londonaicentre/flip-hub/internal/bucket"
	"github.com/londonaicentre/flip-hub/internal/flip"
	"github.com/londonaicentre/flip-hub/internal/plan"
)

const (
	prefix            = "flip-test"
	typeRandomBytes   = "random:index/randomBytes:RandomBytes"
	typeSecret        = "aws:secretsmanager/secret:Secret"
	typeSecretVersion = "aws:secretsmanager/secretVersion:SecretVersion"

	// Existing-hub values handed in as secrets; they must never surface in plaintext.
	existingAES = "ZXhpc3RpbmctaHViLWFlcy1rZXktMzItYnl0ZXMtISE="
	existingISK = "ZXhpc3RpbmctaHViLWludGVybmFsLXNlcnZpY2Uta2V5"
	registryTok = "ghp_registry-token-that-must-not-leak"
)

var appBuckets = []string{"uploaded-model-files", "uploaded-federated-data", "fl-kits"}

func baseArgs() data.Args {
	return data.Args{
		Prefix:             prefix,
		Region:             region,
		Domain:             "app.example.org",
		AccountID:          pulumi.String(account),
		Partition:          pulumi.String("aws"),
		KMSKeyARN:          pulumi.String("arn:aws:kms:eu-west-2:" + account + ":key/test"),
		PrivateSubnetIDs:   pulumi.ToStringArray([]string{"subnet-a", "subnet-b"}),
		RDSSecurityGroupID: pulumi.String("sg-rds"),
		Database: data.Database{
			EngineVersion:         "17",
			Family:                "postgres17",
			InstanceClass:         "db.t4g.small",
			AllocatedStorageGB:    20,
			MaxAllocatedStorageGB: 100,
			Name:                  "flip",
			Username:              "flip_admin",
			BackupRetentionDays:   7,
		},
		LogRetentionDays:         30,
		SecretRecoveryWindowDays: 7,
		AppBuckets:               appBuckets,
		KitSlotNames:             []string{"Trust_1", "Trust_2"},
		KitSlotTier:              "Standard",
	}
}

// mintedPlaintexts are the values the mocks mint for the FLIP_API keys.
func mintedPlaintexts(t *testing.T) []string {
	t.Helper()
	aes := base64.StdEncoding.EncodeToString(plan.FakeRandomBytes(data.AESKeyResource, data.KeyBytes))
	raw := plan.FakeRandomBytes(data.InternalServiceKeyResource, data.KeyBytes)
	isk, err := data.URLSafeKey(base64.StdEncoding.EncodeToString(raw))
	if err != nil {
		t.Fatal(err)
	}
	return []string{aes, isk, base64.StdEncoding.EncodeToString(raw), flip.KeyHash(isk)}
}

func secretOf(s string) *pulumi.StringOutput {
	o := pulumi.ToSecret(pulumi.String(s)).(pulumi.StringOutput)
	return &o
}

type resolved struct {
	value  any
	secret bool
}

// runData plans one data layer and resolves its exported fields.
func runData(t *testing.T, args data.Args) (*plan.Graph, map[string]resolved) {
	t.Helper()
	var d *data.Data
	g, err := planProgram(t, func(ctx *pulumi.Context) error {
		var err error
		d, err = data.New(ctx, "data", args)
		return err
	})
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	outs := map[string]pulumi.Output{
		"DBAddress": d.DBAddress, "DBPort": d.DBPort, "DBName": d.DBName, "DBInstanceID": d.DBInstanceID,
		"DBInstanceARN": d.DBInstanceARN, "DBMasterSecretARN": d.DBMasterSecretARN,
		"FlipAPISecretARN": d.FlipAPISecretARN, "FlipAPISecretName": d.FlipAPISecretName,
		"RegistryTokenSecretARN": d.RegistryTokenSecretARN, "BucketNames": d.BucketNames, "BucketARNs": d.BucketARNs,
		"AppBucketARNs": d.AppBucketARNs, "LogBucketName": d.LogBucketName, "LogBucketARN": d.LogBucketARN,
		"LogBucketDomainName": d.LogBucketDomainName, "KitSlotParameterName": d.KitSlotParameterName,
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	got := map[string]resolved{}
	for name, o := range outs {
		r, err := internals.UnsafeAwaitOutput(ctx, o)
		if err != nil {
			t.Fatalf("output %s: %v", name, err)
		}
		if !r.Known {
			t.Fatalf("output %s is unknown", name)
		}
		got[name] = resolved{value: r.Value, secret: r.Secret}
	}
	return g, got
}

func TestDataOutputs(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		mutate   func(a *data.Args)
		minted   bool
		registry bool
	}{
		{name: "minted keys", minted: true},
		{name: "existing keys and a registry token", registry: true, mutate: func(a *data.Args) {
			a.ExistingAESKey, a.ExistingInternalServiceKey = secretOf(existingAES), secretOf(existingISK)
			a.RegistryToken = secretOf(registryTok)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			args := baseArgs()
			if tc.mutate != nil {
				tc.mutate(&args)
			}
			g, outs := runData(t, args)

			leaks := []string{registryTok, existingAES, existingISK, flip.KeyHash(existingISK)}
			if tc.minted {
				leaks = append(leaks, mintedPlaintexts(t)...)
			}
			// str returns an output for assertions and messages; a secret or leaked value
			// is never printed.
			str := func(name string) string {
				s, _ := outs[name].value.(string)
				if outs[name].secret {
					return plan.Secret
				}
				for _, l := range leaks {
					s = strings.ReplaceAll(s, l, plan.Secret)
				}
				return s
			}
			if p, _ := outs["DBPort"].value.(int); p != data.PostgresPort {
				t.Errorf("DBPort %v; want %d", outs["DBPort"].value, data.PostgresPort)
			}
			if str("DBInstanceID") != data.Identifier(prefix) || !strings.HasPrefix(str("DBAddress"), data.Identifier(prefix)+".") || str("DBName") != "flip" {
				t.Errorf("db outputs %q %q %q", str("DBInstanceID"), str("DBAddress"), str("DBName"))
			}
			if !strings.HasPrefix(str("DBMasterSecretARN"), "arn:aws:secretsmanager:"+region+":"+account+":secret:") {
				t.Errorf("DBMasterSecretARN %q; want the RDS-managed secret's ARN", str("DBMasterSecretARN"))
			}
			if str("FlipAPISecretName") != data.FlipAPISecretName(prefix) || !strings.Contains(str("FlipAPISecretARN"), ":secret:"+data.FlipAPISecretName(prefix)+"-") {
				t.Errorf("flip-api secret outputs %q %q", str("FlipAPISecretName"), str("FlipAPISecretARN"))
			}
			if tc.registry != (str("RegistryTokenSecretARN") != "") {
				t.Errorf("RegistryTokenSecretARN %q with registry token set=%v", str("RegistryTokenSecretARN"), tc.registry)
			}
			if str("KitSlotParameterName") != data.KitSlotParameter {
				t.Errorf("KitSlotParameterName %q", str("KitSlotParameterName"))
			}
			names, _ := outs["BucketNames"].value.(map[string]string)
			arns, _ := outs["BucketARNs"].value.(map[string]string)
			appARNs, _ := outs["AppBucketARNs"].value.([]string)
			if len(names) != len(appBuckets) || len(arns) != len(appBuckets) || len(appARNs) != len(appBuckets) {
				t.Fatalf("bucket outputs %v %v %v; want one per app bucket %v", names, arns, appARNs, appBuckets)
			}
			for i, p := range appBuckets {
				want, err := bucket.PhysicalName(prefix, p, account)
				if err != nil {
					t.Fatal(err)
				}
				if names[p] != want || arns[p] != "arn:aws:s3:::"+want || appARNs[i] != arns[p] {
					t.Errorf("bucket %s outputs %q %q %q; want %s", p, names[p], arns[p], appARNs[i], want)
				}
			}
			if !strings.HasSuffix(str("LogBucketDomainName"), ".s3.amazonaws.com") || !strings.HasPrefix(str("LogBucketDomainName"), str("LogBucketName")+".") {
				t.Errorf("LogBucketDomainName %q; want the global domain CloudFront logging takes", str("LogBucketDomainName"))
			}

			// No output carries a secret, and no secret plaintext reaches an output or a
			// non-secret input.
			for name, o := range outs {
				b, _ := json.Marshal(o.value)
				if o.secret {
					t.Errorf("output %s is a secret; the data layer exports none", name)
				}
				for _, s := range leaks {
					if strings.Contains(string(b), s) {
						t.Errorf("output %s contains a secret value", name)
					}
				}
			}
			for _, r := range g.Resources {
				b, _ := json.Marshal(r.Inputs)
				for _, s := range leaks {
					if strings.Contains(string(b), s) {
						t.Errorf("%s carries a secret value in a non-secret input", r.URN)
					}
				}
			}

			randoms := g.ByType(typeRandomBytes)
			if tc.minted != (len(randoms) == 2) || (!tc.minted && len(randoms) != 0) {
				t.Errorf("%d random resources with minted=%v; want 2 when minting, none when adopting", len(randoms), tc.minted)
			}
			for _, r := range randoms {
				if r.Number("length") < data.KeyBytes || r.Inputs["keepers"] != nil {
					t.Errorf("random %s: length %v keepers %v; want at least %d bytes and no keepers", r.Name, r.Inputs["length"], r.Inputs["keepers"], data.KeyBytes)
				}
			}
			versions := g.ByType(typeSecretVersion)
			wantVersions := 1
			if tc.registry {
				wantVersions = 2
			}
			if len(versions) != wantVersions {
				t.Fatalf("%d secret versions; want %d", len(versions), wantVersions)
			}
			for _, v := range versions {
				if v.Inputs["secretString"] != plan.Secret || !slices.Contains(v.SecretInputs, "secretString") {
					t.Errorf("secret version %s: secretString %v is not a secret", v.Name, v.Inputs["secretString"])
				}
			}
		})
	}
}

func TestDataArgsRejected(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		mutate func(a *data.Args)
	}{
		{"only the aes key of an existing hub", func(a *data.Args) { a.ExistingAESKey = secretOf(existingAES) }},
		{"only the internal key of an existing hub", func(a *data.Args) { a.ExistingInternalServiceKey = secretOf(existingISK) }},
		{"import of an unknown bucket", func(a *data.Args) { a.Imports.BucketImportIDs = map[string]string{"ui": "legacy-ui"} }},
		{"secret recovery window too short", func(a *data.Args) { a.SecretRecoveryWindowDays = 6 }},
		{"secret recovery window too long", func(a *data.Args) { a.SecretRecoveryWindowDays = 31 }},
		{"no app buckets", func(a *data.Args) { a.AppBuckets = nil }},
		{"app bucket named like the log bucket", func(a *data.Args) { a.AppBuckets = []string{"logs"} }},
		{"duplicate app bucket", func(a *data.Args) { a.AppBuckets = []string{"fl-kits", "fl-kits"} }},
		{"no kit slots", func(a *data.Args) { a.KitSlotNames = nil }},
		{"no log retention", func(a *data.Args) { a.LogRetentionDays = 0 }},
		{"not a postgres family", func(a *data.Args) { a.Database.Family = "mysql8.0" }},
		{"storage ceiling below storage", func(a *data.Args) { a.Database.MaxAllocatedStorageGB = 10 }},
		{"backup retention too long", func(a *data.Args) { a.Database.BackupRetentionDays = 36 }},
		{"no stack key", func(a *data.Args) { a.KMSKeyARN = nil }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			args := baseArgs()
			tc.mutate(&args)
			g, err := planProgram(t, func(ctx *pulumi.Context) error {
				_, err := data.New(ctx, "data", args)
				return err
			})
			if err == nil {
				t.Fatal("the data layer was built")
			}
			if len(g.Custom()) != 0 {
				t.Errorf("%d resources registered before the argument error", len(g.Custom()))
			}
		})
	}
}
