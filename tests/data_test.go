package tests

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"

	"github.com/londonaicentre/flip-hub/config"
	"github.com/londonaicentre/flip-hub/data"
	"github.com/londonaicentre/flip-hub/hub"
	"github.com/londonaicentre/flip-hub/internal/bucket"
	"github.com/londonaicentre/flip-hub/internal/flip"
	"github.com/londonaicentre/flip-hub/internal/iamdoc"
	"github.com/londonaicentre/flip-hub/internal/plan"
)

// Resource types of the data layer (prefixed dl: this package holds every layer's suite).
const (
	dlTypeLayer      = data.TypeToken
	dlTypeBucketComp = bucket.TypeToken
	dlTypeKey        = "aws:kms/key:Key"
	dlTypeRDS        = "aws:rds/instance:Instance"
	dlTypeSubnetGrp  = "aws:rds/subnetGroup:SubnetGroup"
	dlTypeParamGrp   = "aws:rds/parameterGroup:ParameterGroup"
	dlTypeRole       = "aws:iam/role:Role"
	dlTypeAttachment = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
	dlTypeSecret     = "aws:secretsmanager/secret:Secret"
	dlTypeVersion    = "aws:secretsmanager/secretVersion:SecretVersion"
	dlTypeRandom     = "random:index/randomBytes:RandomBytes"
	dlTypeParameter  = "aws:ssm/parameter:Parameter"
	dlTypeBucket     = "aws:s3/bucketV2:BucketV2"
	dlTypePAB        = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
	dlTypeOwnership  = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
	dlTypeVersioning = "aws:s3/bucketVersioningV2:BucketVersioningV2"
	dlTypeSSE        = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
	dlTypeLifecycle  = "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"
	dlTypeLogging    = "aws:s3/bucketLoggingV2:BucketLoggingV2"
	dlTypeCORS       = "aws:s3/bucketCorsConfigurationV2:BucketCorsConfigurationV2"
	dlTypePolicy     = "aws:s3/bucketPolicy:BucketPolicy"

	dlLogBucket = "logs"
)

// dlAccount is the account the mocks report for a stack: its first allowed account.
func dlAccount(cfg *config.Config) string { return cfg.AllowedAccountIDs[0] }

// dlKeyARN is the stack key's ARN as the mocks report it.
func dlKeyARN(cfg *config.Config) string {
	return fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", cfg.Region, dlAccount(cfg), plan.FakeIDFor(dlTypeKey, "stack"))
}

// dlOne returns the one resource of a type and name inside the data layer.
func dlOne(t *testing.T, g *plan.Graph, typ, name string) plan.Resource {
	t.Helper()
	var found []plan.Resource
	for _, r := range g.ByType(typ) {
		if r.Name != name {
			continue
		}
		if l, ok := g.ByURN(g.Layer(r)); ok && l.Type == dlTypeLayer {
			found = append(found, r)
		}
	}
	if len(found) != 1 {
		t.Fatalf("data layer has %d %s named %q; want 1", len(found), typ, name)
	}
	return found[0]
}

// dlInLayer returns every custom resource of the data layer.
func dlInLayer(g *plan.Graph) []plan.Resource {
	var out []plan.Resource
	for _, r := range g.Custom() {
		if l, ok := g.ByURN(g.Layer(r)); ok && l.Type == dlTypeLayer {
			out = append(out, r)
		}
	}
	return out
}

func dlStrings(t *testing.T, r plan.Resource, path string) []string {
	t.Helper()
	v, _ := r.Lookup(path)
	arr, _ := v.([]any)
	out := make([]string, 0, len(arr))
	for _, e := range arr {
		s, ok := e.(string)
		if !ok {
			t.Fatalf("%s %s holds %v; want strings", r.Name, path, v)
		}
		out = append(out, s)
	}
	return out
}

func dlPolicy(t *testing.T, doc string) iamdoc.Document {
	t.Helper()
	d, err := iamdoc.Parse(doc)
	if err != nil {
		t.Fatalf("policy: %v", err)
	}
	return d
}

func TestDataStackKey(t *testing.T) {
	t.Parallel()
	cases := []struct {
		stack   string
		window  int
		protect bool
	}{{"stag", 7, false}, {"prod", 30, true}}
	for _, tc := range cases {
		t.Run(tc.stack, func(t *testing.T) {
			t.Parallel()
			g := Plan(t, tc.stack)
			cfg := loadCfg(t, tc.stack)
			keys := ByTypeIn(g, dlTypeKey, "flip:data:Key")
			if len(keys) != 1 {
				t.Fatalf("%d KMS keys; want the one stack key", len(keys))
			}
			k := keys[0]
			if int(k.Number("deletionWindowInDays")) != tc.window {
				t.Errorf("deletion window %v days; want %d", k.Inputs["deletionWindowInDays"], tc.window)
			}
			if !k.Bool("enableKeyRotation") {
				t.Error("key rotation is off")
			}
			if !k.RetainOnDelete || k.Protect != tc.protect || k.ImportID != "" {
				t.Errorf("key retain=%v protect=%v import=%q; want retained, protect=%v, not imported", k.RetainOnDelete, k.Protect, k.ImportID, tc.protect)
			}
			for _, s := range dlPolicy(t, k.String("policy")).Statement {
				if s.Principal["AWS"] == "*" && (len(s.Condition) == 0 || s.Condition["StringEquals"]["kms:CallerAccount"] != dlAccount(cfg)) {
					t.Errorf("key statement %s allows any principal without narrowing it to the account", s.Sid)
				}
			}
			alias, ok := g.Get("aws:kms/alias:Alias", "stack")
			if !ok || alias.String("name") != "alias/"+hub.Prefix(cfg) {
				t.Errorf("alias %v; want alias/%s", alias.Inputs, hub.Prefix(cfg))
			}
		})
	}
}

func TestDataDatabase(t *testing.T) {
	t.Parallel()
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			g := Plan(t, stack)
			cfg := loadCfg(t, stack)
			db := cfg.Database
			prefix := hub.Prefix(cfg)
			key := dlKeyARN(cfg)
			inst := dlOne(t, g, dlTypeRDS, "postgres")

			want := map[string]any{
				"engine":                           "postgres",
				"engineVersion":                    db.EngineVersion,
				"instanceClass":                    db.InstanceClass,
				"allocatedStorage":                 float64(db.AllocatedStorageGB),
				"maxAllocatedStorage":              float64(db.MaxAllocatedStorageGB),
				"dbName":                           db.Name,
				"username":                         db.Username,
				"identifier":                       data.Identifier(prefix),
				"port":                             float64(data.PostgresPort),
				"storageEncrypted":                 true,
				"kmsKeyId":                         key,
				"publiclyAccessible":               false,
				"iamDatabaseAuthenticationEnabled": true,
				"manageMasterUserPassword":         true,
				"masterUserSecretKmsKeyId":         key,
				"performanceInsightsEnabled":       true,
				"performanceInsightsKmsKeyId":      key,
				"autoMinorVersionUpgrade":          true,
				"allowMajorVersionUpgrade":         false,
				"copyTagsToSnapshot":               true,
				"caCertIdentifier":                 data.CACertificate,
				"multiAz":                          db.MultiAZ,
				"backupRetentionPeriod":            float64(db.BackupRetentionDays),
				"deletionProtection":               db.DeletionProtection,
				"skipFinalSnapshot":                !db.FinalSnapshot,
				"monitoringInterval":               float64(db.MonitoringIntervalSeconds),
			}
			for k, v := range want {
				if got, _ := inst.Lookup(k); got != v {
					t.Errorf("rds %s = %v; want %v", k, got, v)
				}
			}
			for _, k := range []string{"password", "passwordWo"} {
				if _, ok := inst.Lookup(k); ok {
					t.Errorf("rds has a %s input; RDS must manage the master password", k)
				}
			}
			if !slices.Equal(dlStrings(t, inst, "enabledCloudwatchLogsExports"), []string{"postgresql", "upgrade"}) {
				t.Errorf("log exports %v; want postgresql and upgrade", inst.Inputs["enabledCloudwatchLogsExports"])
			}
			if slices.Contains([]string{"rds-ca-2015", "rds-ca-2019", ""}, inst.String("caCertIdentifier")) {
				t.Errorf("CA %q is retired", inst.String("caCertIdentifier"))
			}

			// Network placement: the private subnets, the RDS group, which admits 5432 from the hub host only.
			subnets := dlOne(t, g, dlTypeSubnetGrp, "postgres")
			if inst.String("dbSubnetGroupName") != subnets.String("name") {
				t.Errorf("rds subnet group %q; want %q", inst.String("dbSubnetGroupName"), subnets.String("name"))
			}
			var private []string
			for _, az := range cfg.Network.AvailabilityZones {
				private = append(private, plan.FakeIDFor(typeSubnet, "private-"+az))
			}
			if got := dlStrings(t, subnets, "subnetIds"); !slices.Equal(got, private) {
				t.Errorf("rds subnets %v; want the private subnets %v", got, private)
			}
			rdsSG, hostSG := plan.FakeIDFor(typeSG, "rds"), plan.FakeIDFor(typeSG, "hub-host")
			if got := dlStrings(t, inst, "vpcSecurityGroupIds"); !slices.Equal(got, []string{rdsSG}) {
				t.Errorf("rds security groups %v; want only %s", got, rdsSG)
			}
			admits := 0
			for _, r := range g.ByType(typeIngress) {
				if r.String("securityGroupId") != rdsSG {
					continue
				}
				admits++
				if r.String("referencedSecurityGroupId") != hostSG || r.Number("fromPort") != 5432 || r.Number("toPort") != 5432 || r.String("ipProtocol") != "tcp" {
					t.Errorf("rds ingress %s is not tcp/5432 from the hub host: %v", r.Name, r.Inputs)
				}
			}
			if admits != 1 {
				t.Errorf("%d ingress rules on the RDS group; want 1", admits)
			}

			params := dlOne(t, g, dlTypeParamGrp, "postgres")
			if inst.String("parameterGroupName") != params.String("name") || params.String("family") != db.Family {
				t.Errorf("parameter group %q family %q; want the instance's, family %s", params.String("name"), params.String("family"), db.Family)
			}
			got := map[string]string{}
			for i := 0; ; i++ {
				name := params.String(fmt.Sprintf("parameters[%d].name", i))
				if name == "" {
					break
				}
				got[name] = params.String(fmt.Sprintf("parameters[%d].value", i))
			}
			for k, v := range map[string]string{"rds.force_ssl": "1", "log_statement": "ddl", "log_min_duration_statement": "1000", "log_connections": "1"} {
				if got[k] != v {
					t.Errorf("parameter %s = %q; want %q", k, got[k], v)
				}
			}

			for _, l := range []string{"postgresql", "upgrade"} {
				lg := dlOne(t, g, typeLogGroup, "postgres-"+l)
				if lg.String("name") != fmt.Sprintf("/aws/rds/instance/%s/%s", data.Identifier(prefix), l) ||
					lg.String("kmsKeyId") != key || int(lg.Number("retentionInDays")) != cfg.LogRetentionDays {
					t.Errorf("rds %s log group %v; want RDS's own name, the stack key and %d days", l, lg.Inputs, cfg.LogRetentionDays)
				}
				if !slices.Contains(inst.Dependencies, lg.URN) {
					t.Errorf("rds does not wait for its %s log group, so RDS could create it unencrypted", l)
				}
			}

			switch stack {
			case "prod":
				if !inst.Protect || !inst.Bool("deletionProtection") || !inst.Bool("multiAz") || inst.Bool("skipFinalSnapshot") {
					t.Errorf("prod rds protect=%v inputs %v; want protect, deletion protection, multi-AZ and a final snapshot", inst.Protect, inst.Inputs)
				}
				if inst.String("finalSnapshotIdentifier") != data.FinalSnapshotIdentifier(prefix) || inst.Bool("deleteAutomatedBackups") {
					t.Errorf("final snapshot %q deleteAutomatedBackups %v; want %s and backups kept", inst.String("finalSnapshotIdentifier"), inst.Bool("deleteAutomatedBackups"), data.FinalSnapshotIdentifier(prefix))
				}
				if inst.Number("backupRetentionPeriod") < 14 || inst.Number("monitoringInterval") <= 0 {
					t.Errorf("prod backups %v days, monitoring %v s; want ≥14 days and enhanced monitoring", inst.Inputs["backupRetentionPeriod"], inst.Inputs["monitoringInterval"])
				}
				role := dlOne(t, g, dlTypeRole, "rds-monitoring")
				if inst.String("monitoringRoleArn") != "arn:aws:iam::"+dlAccount(cfg)+":role/"+role.String("name") {
					t.Errorf("monitoring role %q; want %s", inst.String("monitoringRoleArn"), role.String("name"))
				}
				trust := dlPolicy(t, role.String("assumeRolePolicy")).Statement
				if len(trust) != 1 || trust[0].Principal["Service"] != "monitoring.rds.amazonaws.com" || trust[0].Condition["StringEquals"]["aws:SourceAccount"] != dlAccount(cfg) {
					t.Errorf("monitoring trust %+v; want RDS monitoring of this account only", trust)
				}
				att := dlOne(t, g, dlTypeAttachment, "rds-monitoring")
				if att.String("policyArn") != "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole" || !slices.Contains(inst.Dependencies, att.URN) {
					t.Errorf("monitoring policy %q; want the AWS managed role policy, attached before the instance", att.String("policyArn"))
				}
			case "stag":
				if inst.Protect || inst.Bool("deletionProtection") || inst.Bool("multiAz") || !inst.Bool("skipFinalSnapshot") {
					t.Errorf("stag rds protect=%v inputs %v; want none of protect, deletion protection, multi-AZ, final snapshot", inst.Protect, inst.Inputs)
				}
				if inst.String("finalSnapshotIdentifier") != "" || inst.Number("backupRetentionPeriod") != 7 {
					t.Errorf("stag final snapshot %q, backups %v; want none and 7 days", inst.String("finalSnapshotIdentifier"), inst.Inputs["backupRetentionPeriod"])
				}
				if _, ok := g.Get(dlTypeRole, "rds-monitoring"); ok || inst.String("monitoringRoleArn") != "" {
					t.Error("stag has an enhanced-monitoring role with monitoring off")
				}
			}
		})
	}
}

func TestDataFlipAPISecret(t *testing.T) {
	t.Parallel()
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			g := Plan(t, stack)
			cfg := loadCfg(t, stack)
			secret := dlOne(t, g, dlTypeSecret, "flip-api")
			if secret.String("name") != data.FlipAPISecretName(hub.Prefix(cfg)) || secret.String("kmsKeyId") != dlKeyARN(cfg) {
				t.Errorf("secret %v; want %s under the stack key", secret.Inputs, data.FlipAPISecretName(hub.Prefix(cfg)))
			}
			if int(secret.Number("recoveryWindowInDays")) != cfg.KMSDeletionWindowDays {
				t.Errorf("recovery window %v; want %d", secret.Inputs["recoveryWindowInDays"], cfg.KMSDeletionWindowDays)
			}
			version := dlOne(t, g, dlTypeVersion, "flip-api")
			if version.Inputs["secretString"] != plan.Secret || !slices.Contains(version.SecretInputs, "secretString") {
				t.Errorf("secret string %v; want it recorded only as a secret", version.Inputs["secretString"])
			}
			if !strings.Contains(version.String("secretId"), ":secret:"+secret.String("name")+"-") {
				t.Errorf("version targets %q; want the FLIP_API secret", version.String("secretId"))
			}
			randoms := ByTypeIn(g, dlTypeRandom, "flip:data:Data")
			if len(randoms) != 2 {
				t.Fatalf("%d random byte resources; want the AES key and the internal service key", len(randoms))
			}
			persistent := append([]plan.Resource{secret, version}, randoms...)
			for _, r := range persistent {
				if !r.RetainOnDelete || r.Protect != (stack == "prod") {
					t.Errorf("%s %s retain=%v protect=%v; want retained, protected only in prod", r.Type, r.Name, r.RetainOnDelete, r.Protect)
				}
			}
			for _, r := range randoms {
				if r.Number("length") < data.KeyBytes || r.Inputs["keepers"] != nil {
					t.Errorf("random %s length %v keepers %v; want ≥%d bytes and no keepers (re-runs never rotate)", r.Name, r.Inputs["length"], r.Inputs["keepers"], data.KeyBytes)
				}
				if !strings.Contains(r.Provider, "::pulumi:providers:random::") {
					t.Errorf("random %s uses provider %q; want the stack's random provider", r.Name, r.Provider)
				}
			}
			if _, ok := g.Get(dlTypeSecret, "registry-token"); ok {
				t.Error("a registry token secret exists without a registry token")
			}
		})
	}
}

func TestDataBuckets(t *testing.T) {
	t.Parallel()
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			g := Plan(t, stack)
			cfg := loadCfg(t, stack)
			prefix, account := hub.Prefix(cfg), dlAccount(cfg)
			prod := stack == "prod"

			layer, ok := g.Get(dlTypeLayer, "data")
			if !ok {
				t.Fatal("no data layer")
			}
			var comps []string
			for _, c := range g.Children(layer.URN) {
				if c.Type == dlTypeBucketComp {
					comps = append(comps, c.Name)
				}
			}
			wantComps := append(slices.Clone(config.AppBuckets), dlLogBucket)
			slices.Sort(comps)
			slices.Sort(wantComps)
			if !slices.Equal(comps, wantComps) {
				t.Fatalf("bucket components %v; want %v", comps, wantComps)
			}

			logName, err := bucket.PhysicalName(prefix, dlLogBucket, account)
			if err != nil {
				t.Fatal(err)
			}
			var appARNs []string
			for _, purpose := range wantComps {
				isLog := purpose == dlLogBucket
				name, err := bucket.PhysicalName(prefix, purpose, account)
				if err != nil {
					t.Fatal(err)
				}
				arn := "arn:aws:s3:::" + name
				if !isLog {
					appARNs = append(appARNs, arn)
				}
				b := dlOne(t, g, dlTypeBucket, purpose)
				if b.String("bucket") != name || len(name) > bucket.MaxNameLength {
					t.Errorf("%s bucket named %q; want %q", purpose, b.String("bucket"), name)
				}
				if b.Bool("forceDestroy") == prod {
					t.Errorf("%s forceDestroy=%v in %s; want it only in stag", purpose, b.Bool("forceDestroy"), stack)
				}
				if !isLog && (!b.RetainOnDelete || b.Protect != prod) {
					t.Errorf("app bucket %s retain=%v protect=%v; want retained, protected in prod", purpose, b.RetainOnDelete, b.Protect)
				}
				if isLog && (b.RetainOnDelete != prod || b.Protect != prod) {
					t.Errorf("log bucket retain=%v protect=%v; want both only in prod", b.RetainOnDelete, b.Protect)
				}
				for _, typ := range []string{dlTypePAB, dlTypeOwnership, dlTypeVersioning, dlTypeSSE, dlTypeLifecycle, dlTypePolicy} {
					c := dlOne(t, g, typ, purpose)
					if c.String("bucket") != name {
						t.Errorf("%s %s applies to %q; want %q", purpose, typ, c.String("bucket"), name)
					}
					if b.RetainOnDelete && !c.RetainOnDelete {
						t.Errorf("%s %s is deleted on destroy while its bucket is retained", purpose, typ)
					}
					if !b.RetainOnDelete && c.DeletedWith != b.URN {
						t.Errorf("%s %s deletedWith %q; want the bucket", purpose, typ, c.DeletedWith)
					}
				}

				pab := dlOne(t, g, dlTypePAB, purpose)
				for _, k := range []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"} {
					if !pab.Bool(k) {
						t.Errorf("%s public access block %s is off", purpose, k)
					}
				}
				ownership := dlOne(t, g, dlTypeOwnership, purpose).String("rule.objectOwnership")
				if wantOwn := map[bool]string{true: bucket.OwnershipPreferred, false: bucket.OwnershipEnforced}[isLog]; ownership != wantOwn {
					t.Errorf("%s object ownership %q; want %q", purpose, ownership, wantOwn)
				}
				if v := dlOne(t, g, dlTypeVersioning, purpose).String("versioningConfiguration.status"); v != "Enabled" {
					t.Errorf("%s versioning %q", purpose, v)
				}
				sse := dlOne(t, g, dlTypeSSE, purpose)
				alg := sse.String("rules[0].applyServerSideEncryptionByDefault.sseAlgorithm")
				switch {
				case isLog && alg != "AES256":
					t.Errorf("log bucket encryption %q; want SSE-S3 (the only kind S3 access logging delivers to)", alg)
				case !isLog && (alg != "aws:kms" || sse.String("rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId") != dlKeyARN(cfg) || !sse.Bool("rules[0].bucketKeyEnabled")):
					t.Errorf("%s encryption %v; want SSE-KMS with the stack key and the bucket key", purpose, sse.Inputs)
				}

				lc := dlOne(t, g, dlTypeLifecycle, purpose)
				rules := map[string]plan.Resource{}
				for i := 0; lc.String(fmt.Sprintf("rules[%d].id", i)) != ""; i++ {
					v, _ := lc.Lookup(fmt.Sprintf("rules[%d]", i))
					m, _ := v.(map[string]any)
					rules[lc.String(fmt.Sprintf("rules[%d].id", i))] = plan.Resource{Inputs: m}
				}
				if rules["abort-incomplete-multipart-uploads"].Number("abortIncompleteMultipartUpload.daysAfterInitiation") <= 0 {
					t.Errorf("%s does not abort incomplete uploads: %v", purpose, lc.Inputs["rules"])
				}
				if rules["expire-noncurrent-versions"].Number("noncurrentVersionExpiration.noncurrentDays") <= 0 {
					t.Errorf("%s keeps noncurrent versions forever: %v", purpose, lc.Inputs["rules"])
				}
				expire := rules["expire-objects"].Number("expiration.days")
				if isLog && int(expire) != cfg.LogRetentionDays {
					t.Errorf("logs expire after %v days; want %d", expire, cfg.LogRetentionDays)
				}
				if !isLog && expire != 0 {
					t.Errorf("app bucket %s expires its objects after %v days", purpose, expire)
				}

				logging, hasLogging := g.Get(dlTypeLogging, purpose)
				switch {
				case isLog && hasLogging:
					t.Error("the log bucket logs into a bucket")
				case !isLog && (!hasLogging || logging.String("targetBucket") != logName || logging.String("targetPrefix") != bucket.AccessLogPrefix(purpose)):
					t.Errorf("%s access logging %v; want %s under %s", purpose, logging.Inputs, logName, bucket.AccessLogPrefix(purpose))
				}

				doc := dlPolicy(t, dlOne(t, g, dlTypePolicy, purpose).String("policy"))
				denies := map[string]bool{}
				for _, s := range doc.Statement {
					if s.Effect == iamdoc.Deny && s.Principal["AWS"] == "*" && slices.Equal(s.Resource, []string{arn, arn + "/*"}) {
						if s.Condition["Bool"]["aws:SecureTransport"] == "false" {
							denies["plain"] = true
						}
						if s.Condition["NumericLessThan"]["s3:TlsVersion"] == bucket.MinTLSVersion {
							denies["old-tls"] = true
						}
					}
					if s.Effect == iamdoc.Allow && len(s.Condition) == 0 {
						t.Errorf("%s policy statement %s allows without a condition", purpose, s.Sid)
					}
				}
				if !denies["plain"] || !denies["old-tls"] {
					t.Errorf("%s policy lacks the TLS-only denials: %+v", purpose, doc.Statement)
				}
				if isLog {
					dlCheckLogDelivery(t, doc, arn, account, logName)
				}

				cors, hasCORS := g.Get(dlTypeCORS, purpose)
				origin := "https://" + cfg.Edge.Domain
				wantMethod := map[string]string{data.UploadedModelFiles: "POST", data.UploadedFederatedData: "GET"}[purpose]
				switch {
				case wantMethod == "" && hasCORS:
					t.Errorf("%s has CORS rules; only the browser-facing buckets need them", purpose)
				case wantMethod != "" && (!hasCORS ||
					!slices.Equal(dlStrings(t, cors, "corsRules[0].allowedMethods"), []string{wantMethod}) ||
					!slices.Equal(dlStrings(t, cors, "corsRules[0].allowedOrigins"), []string{origin})):
					t.Errorf("%s CORS %v; want %s from %s only", purpose, cors.Inputs, wantMethod, origin)
				}
			}

			// The log bucket's delivery grant names exactly the app buckets.
			doc := dlPolicy(t, dlOne(t, g, dlTypePolicy, dlLogBucket).String("policy"))
			for _, s := range doc.Statement {
				if s.Sid != "S3ServerAccessLogDelivery" {
					continue
				}
				var got []string
				for _, v := range s.Condition["ArnLike"]["aws:SourceArn"].([]any) {
					got = append(got, v.(string))
				}
				slices.Sort(got)
				slices.Sort(appARNs)
				if !slices.Equal(got, appARNs) {
					t.Errorf("log delivery sources %v; want the app buckets %v", got, appARNs)
				}
			}
		})
	}
}

// dlCheckLogDelivery checks the log bucket grants S3 access-log delivery, for this
// account's buckets, into s3-access/ only.
func dlCheckLogDelivery(t *testing.T, doc iamdoc.Document, arn, account, logName string) {
	t.Helper()
	for _, s := range doc.Statement {
		if s.Principal["Service"] != "logging.s3.amazonaws.com" {
			continue
		}
		if s.Effect != iamdoc.Allow || !slices.Equal(s.Action, []string{"s3:PutObject"}) || !slices.Equal(s.Resource, []string{arn + "/" + bucket.AccessLogRoot + "*"}) {
			t.Errorf("log delivery %+v; want s3:PutObject into %s/%s* only", s, logName, bucket.AccessLogRoot)
		}
		if s.Condition["StringEquals"]["aws:SourceAccount"] != account {
			t.Errorf("log delivery condition %v; want this account only", s.Condition)
		}
		return
	}
	t.Error("the log bucket does not let S3 server access logging deliver")
}

func TestDataKitSlotParameter(t *testing.T) {
	t.Parallel()
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			g := Plan(t, stack)
			cfg := loadCfg(t, stack)
			p := dlOne(t, g, dlTypeParameter, "fl-kit-slot-names")
			if p.String("name") != "/flip/fl_kit_slot_names" || p.String("type") != "String" {
				t.Errorf("kit slot parameter %v; want the String /flip/fl_kit_slot_names", p.Inputs)
			}
			var slots []string
			if err := json.Unmarshal([]byte(p.String("insecureValue")), &slots); err != nil || !slices.Equal(slots, cfg.FL.KitSlotNames) {
				t.Errorf("kit slots %q (%v); want the JSON list %v", p.String("insecureValue"), err, cfg.FL.KitSlotNames)
			}
		})
	}
}

// TestDataProtection checks the environment split: stag has no protect and no deletion
// protection anywhere in the data layer; prod protects every stateful resource.
func TestDataProtection(t *testing.T) {
	t.Parallel()
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			g := Plan(t, stack)
			protected := map[string]bool{}
			for _, r := range dlInLayer(g) {
				if r.Protect {
					protected[r.Type+"::"+r.Name] = true
				}
				if stack == "stag" && r.Bool("deletionProtection") {
					t.Errorf("stag %s %s has deletion protection", r.Type, r.Name)
				}
			}
			want := map[string]bool{
				dlTypeRDS + "::postgres":                              true,
				dlTypeSecret + "::flip-api":                           true,
				dlTypeVersion + "::flip-api":                          true,
				dlTypeRandom + "::" + data.AESKeyResource:             true,
				dlTypeRandom + "::" + data.InternalServiceKeyResource: true,
				dlTypeBucket + "::" + dlLogBucket:                     true,
			}
			for _, p := range config.AppBuckets {
				want[dlTypeBucket+"::"+p] = true
			}
			if stack == "stag" {
				if len(protected) != 0 {
					t.Errorf("stag protects %v; want nothing protected", protected)
				}
				return
			}
			for k := range want {
				if !protected[k] {
					t.Errorf("prod does not protect %s", k)
				}
			}
			for k := range protected {
				if !want[k] {
					t.Errorf("prod protects %s, which is not stateful", k)
				}
			}
		})
	}
}

func TestDataImports(t *testing.T) {
	t.Parallel()
	const (
		keyID    = "1234abcd-12ab-34cd-56ef-1234567890ab"
		secretID = "arn:aws:secretsmanager:eu-west-2:222222222222:secret:FLIP_API-AbCdEf"
		kitsID   = "legacy-flip-fl-kits"
	)
	g := MustPlanWith(t, "prod", func(tb testing.TB, c plan.StackConfig) {
		if err := c.SetObject(config.KeyImports, map[string]string{
			"kmsKey":         keyID,
			"flipApiSecret":  secretID,
			"bucket:fl-kits": kitsID,
		}); err != nil {
			tb.Fatal(err)
		}
		// An adopted FLIP_API secret keeps its values (config refuses it without them).
		for _, k := range []string{config.KeyFlipAPIAESKey, config.KeyFlipAPIInternalServiceKey} {
			c.Values[k] = plan.FakeSecret(k)
			c.SecretKeys = append(c.SecretKeys, k)
		}
	})
	if k := ByTypeIn(g, dlTypeKey, "flip:data:Key"); len(k) != 1 || k[0].ImportID != keyID {
		t.Errorf("stack key import %v; want %s", k, keyID)
	}
	secret := dlOne(t, g, dlTypeSecret, "flip-api")
	if secret.ImportID != secretID || secret.String("name") != "FLIP_API" || !secret.Protect || !secret.RetainOnDelete {
		t.Errorf("FLIP_API secret import %q name %q protect=%v retain=%v; want %s adopted under its own name, protected", secret.ImportID, secret.String("name"), secret.Protect, secret.RetainOnDelete, secretID)
	}
	if v := dlOne(t, g, dlTypeVersion, "flip-api"); v.ImportID != "" {
		t.Error("the secret value is imported; only the secret is adopted")
	}
	for _, p := range config.AppBuckets {
		b := dlOne(t, g, dlTypeBucket, p)
		switch {
		case p == "fl-kits" && (b.ImportID != kitsID || b.String("bucket") != kitsID):
			t.Errorf("fl-kits import %q name %q; want %s", b.ImportID, b.String("bucket"), kitsID)
		case p != "fl-kits" && b.ImportID != "":
			t.Errorf("bucket %s is imported from %q; only fl-kits was", p, b.ImportID)
		}
	}
	doc := dlPolicy(t, dlOne(t, g, dlTypePolicy, dlLogBucket).String("policy"))
	found := false
	for _, s := range doc.Statement {
		if arns, ok := s.Condition["ArnLike"]["aws:SourceArn"].([]any); ok && slices.Contains(arns, any("arn:aws:s3:::"+kitsID)) {
			found = true
		}
	}
	if !found {
		t.Error("the log bucket does not accept access logs from the adopted bucket")
	}
}

// dlRun plans a stack and resolves its stack outputs.
func dlRun(t *testing.T, stack string, mutate mutation) (*plan.Graph, map[string]any, map[string]bool) {
	t.Helper()
	cfg := Config(t, stack).Clone()
	if mutate != nil {
		mutate(t, cfg)
	}
	var exports map[string]pulumi.Input
	g, err := plan.Run(plan.Options{Stack: stack, Dir: ProjectDir(), Config: &cfg, Program: func(ctx *pulumi.Context) error {
		err := hub.Program(ctx)
		exports = ctx.GetCurrentExportMap()
		return err
	}})
	if err != nil {
		t.Fatalf("plan %s: %v", stack, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	values, secret := map[string]any{}, map[string]bool{}
	for name, in := range exports {
		r, err := internals.UnsafeAwaitOutput(ctx, pulumi.ToOutput(in))
		if err != nil {
			t.Fatalf("output %s: %v", name, err)
		}
		values[name], secret[name] = r.Value, r.Secret
	}
	return g, values, secret
}

// TestDataSecretsNeverLeak computes every secret plaintext the mocks and the fake config
// would produce and fails if one appears in any recorded input or any stack output.
func TestDataSecretsNeverLeak(t *testing.T) {
	t.Parallel()
	withSecrets := func(tb testing.TB, c plan.StackConfig) {
		for _, k := range []string{config.KeyFlipAPIAESKey, config.KeyFlipAPIInternalServiceKey, config.KeyRegistryToken} {
			secret(k, plan.FakeSecret(k))(tb, c)
		}
	}
	cases := []struct {
		name   string
		stack  string
		mutate mutation
	}{
		{"stag minted", "stag", nil},
		{"prod minted", "prod", nil},
		{"stag adopted with a registry token", "stag", withSecrets},
		{"prod adopted with a registry token", "prod", withSecrets},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g, outputs, secretOut := dlRun(t, tc.stack, tc.mutate)
			cfg := loadCfg(t, tc.stack)

			var leaks []string
			aes := plan.FakeRandomBytes(data.AESKeyResource, data.KeyBytes)
			isk, err := data.URLSafeKey(base64.StdEncoding.EncodeToString(plan.FakeRandomBytes(data.InternalServiceKeyResource, data.KeyBytes)))
			if err != nil {
				t.Fatal(err)
			}
			leaks = append(leaks, base64.StdEncoding.EncodeToString(aes), isk, flip.KeyHash(isk))
			adopted := tc.mutate != nil
			if adopted {
				for _, k := range []string{config.KeyFlipAPIAESKey, config.KeyFlipAPIInternalServiceKey, config.KeyRegistryToken} {
					leaks = append(leaks, plan.FakeSecret(k))
				}
				leaks = append(leaks, flip.KeyHash(plan.FakeSecret(config.KeyFlipAPIInternalServiceKey)))
			}

			for _, r := range g.Resources {
				b, _ := json.Marshal(r.Inputs)
				for i, s := range leaks {
					if strings.Contains(string(b), s) {
						t.Errorf("%s carries secret #%d in a non-secret input", r.URN, i)
					}
				}
			}
			for name, v := range outputs {
				if secretOut[name] {
					continue // a secret output (e.g. aesKeyBase64 for the kit writer) is meant to carry it
				}
				b, _ := json.Marshal(v)
				for i, s := range leaks {
					if strings.Contains(string(b), s) {
						t.Errorf("stack output %s carries secret #%d (secret=%v)", name, i, secretOut[name])
					}
				}
			}

			if n := len(ByTypeIn(g, dlTypeRandom, "flip:data:Data")); adopted != (n == 0) {
				t.Errorf("%d minted keys with adopted=%v; want none when the existing hub's keys are given", n, adopted)
			}
			wantVersions := []string{"flip-api"}
			if adopted {
				wantVersions = append(wantVersions, "registry-token")
				token := dlOne(t, g, dlTypeSecret, "registry-token")
				if token.String("name") != data.RegistryTokenSecretName(hub.Prefix(cfg)) || token.String("kmsKeyId") != dlKeyARN(cfg) {
					t.Errorf("registry token secret %v; want %s under the stack key", token.Inputs, data.RegistryTokenSecretName(hub.Prefix(cfg)))
				}
			}
			for _, n := range wantVersions {
				v := dlOne(t, g, dlTypeVersion, n)
				if v.Inputs["secretString"] != plan.Secret {
					t.Errorf("secret version %s records its value as %v; want %s", n, v.Inputs["secretString"], plan.Secret)
				}
			}

			// The outputs other layers and hubctl read are there and carry no secret.
			account := dlAccount(cfg)
			want := map[string]any{
				"dbPort":               float64(data.PostgresPort),
				"dbName":               cfg.Database.Name,
				"dbInstanceId":         data.Identifier(hub.Prefix(cfg)),
				"flipApiSecretName":    data.FlipAPISecretName(hub.Prefix(cfg)),
				"kitSlotParameterName": data.KitSlotParameter,
			}
			for k, v := range want {
				got := outputs[k]
				if n, ok := got.(int); ok {
					got = float64(n)
				}
				if got != v {
					t.Errorf("output %s = %v; want %v", k, got, v)
				}
			}
			for _, k := range []string{"dbAddress", "dbMasterSecretArn", "flipApiSecretArn", "logBucketName", "bucketNames", "bucketArns", "registryTokenSecretArn"} {
				if _, ok := outputs[k]; !ok {
					t.Errorf("no stack output %s", k)
				}
			}
			for _, k := range []string{"dbAddress", "dbPort", "dbName", "dbMasterSecretArn", "flipApiSecretArn", "flipApiSecretName", "logBucketName", "bucketNames", "kitSlotParameterName"} {
				if secretOut[k] {
					t.Errorf("stack output %s is a secret; it must be readable by hubctl and other layers", k)
				}
			}
			if arn, _ := outputs["dbMasterSecretArn"].(string); !strings.HasPrefix(arn, fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:", cfg.Region, account)) {
				t.Errorf("dbMasterSecretArn %q; want the RDS-managed secret", arn)
			}
			names, _ := outputs["bucketNames"].(map[string]string)
			for _, p := range config.AppBuckets {
				if want, _ := bucket.PhysicalName(hub.Prefix(cfg), p, account); names[p] != want {
					t.Errorf("bucketNames[%s] = %q; want %q", p, names[p], want)
				}
			}
			if tok, _ := outputs["registryTokenSecretArn"].(string); adopted == (tok == "") {
				t.Errorf("registryTokenSecretArn %q with a registry token set=%v", tok, adopted)
			}
		})
	}
}
