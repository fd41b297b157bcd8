package data

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ssm"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/internal/bucket"
	"github.com/londonaicentre/flip-hub/internal/namer"
)

// TypeToken is the data layer's Pulumi type.
const TypeToken = "flip:data:Data"

// KitSlotParameter is the SSM parameter flip-api seeds its kit-slot pool from at boot.
// flip-api reads this fixed name, so it carries no stack prefix.
const KitSlotParameter = "/flip/fl_kit_slot_names"

// Database mirrors the decided database config.
type Database struct {
	EngineVersion         string
	Family                string // parameter group family, e.g. postgres17
	InstanceClass         string
	AllocatedStorageGB    int
	MaxAllocatedStorageGB int
	Name                  string
	Username              string
	MultiAZ               bool
	BackupRetentionDays   int
	DeletionProtection    bool
	// FinalSnapshot takes a snapshot with a deterministic identifier before a delete
	// and keeps the automated backups.
	FinalSnapshot bool
	// Protect adds pulumi.Protect to the instance.
	Protect bool
	// MonitoringIntervalSeconds is the enhanced-monitoring interval; 0 turns it off.
	MonitoringIntervalSeconds int
	// ApplyImmediately applies modifications now rather than in the maintenance window.
	ApplyImmediately bool
}

// Imports adopts existing persistent resources instead of creating them.
type Imports struct {
	// FlipAPISecretID is the ARN of an existing FLIP_API secret.
	FlipAPISecretID string
	// BucketImportIDs maps an app-bucket purpose to an existing bucket's name.
	BucketImportIDs map[string]string
}

// Args configures the data layer: plain values decided by the caller and upstream outputs.
type Args struct {
	// Prefix starts every physical name, e.g. "flip-prod".
	Prefix string
	Region string
	// Domain is the hub's canonical domain; browsers upload and download from it.
	Domain    string
	AccountID pulumi.StringInput
	Partition pulumi.StringInput
	// KMSKeyARN is the stack key: RDS storage, Performance Insights, the RDS master
	// secret, the FLIP_API secret, the app buckets and the RDS log groups.
	KMSKeyARN          pulumi.StringInput
	PrivateSubnetIDs   pulumi.StringArrayInput
	RDSSecurityGroupID pulumi.StringInput
	Database           Database
	LogRetentionDays   int
	// ProtectPersistent adds pulumi.Protect to the app buckets, the log bucket and the
	// FLIP_API secret and its key material. They are retained on destroy regardless.
	ProtectPersistent bool
	// ForceDestroyBuckets lets a destroy empty the log bucket (disposable stacks only).
	ForceDestroyBuckets bool
	// SecretRecoveryWindowDays (7–30) is how long a deleted secret can be restored.
	SecretRecoveryWindowDays int
	// AppBuckets are the purposes of the application buckets, e.g. "fl-kits".
	AppBuckets   []string
	KitSlotNames []string
	// KitSlotTier is the SSM tier of the slot-name parameter (Standard or Advanced), decided by
	// config from the list's length.
	KitSlotTier string
	Imports     Imports
	// ExistingAESKey and ExistingInternalServiceKey (secrets; both or neither) keep an
	// existing hub's FLIP_API values instead of minting new ones.
	ExistingAESKey             *pulumi.StringOutput
	ExistingInternalServiceKey *pulumi.StringOutput
	// RegistryToken (secret, optional) is stored for the hub host's registry login.
	RegistryToken *pulumi.StringOutput
	// LogBucketGrants add log-delivery statements (e.g. load balancer access logs) to
	// the log bucket's policy.
	LogBucketGrants []bucket.Grant
}

// Data is the data layer component.
type Data struct {
	pulumi.ResourceState

	// Ready are the resources the hub needs before it can start: the database and the
	// secret values. Depend on these, not on the component: a component expands only to the
	// children registered by the time the dependency is read.
	Ready []pulumi.Resource

	DBAddress              pulumi.StringOutput
	DBPort                 pulumi.IntOutput
	DBName                 pulumi.StringOutput
	DBInstanceID           pulumi.StringOutput
	DBInstanceARN          pulumi.StringOutput
	DBMasterSecretARN      pulumi.StringOutput
	FlipAPISecretARN       pulumi.StringOutput
	FlipAPISecretName      pulumi.StringOutput
	RegistryTokenSecretARN pulumi.StringOutput
	// BucketNames and BucketARNs are keyed by app-bucket purpose.
	BucketNames   pulumi.StringMapOutput
	BucketARNs    pulumi.StringMapOutput
	AppBucketARNs pulumi.StringArrayOutput
	LogBucketName pulumi.StringOutput
	// LogBucketReady is what a log writer waits for: the log bucket's policy.
	LogBucketReady       []pulumi.Resource
	LogBucketARN         pulumi.StringOutput
	LogBucketDomainName  pulumi.StringOutput
	KitSlotParameterName pulumi.StringOutput
	// AESKeyBase64 (secret) is the FLIP_API AES key, base64 of 32 bytes: trusts hold the same
	// key in their kit files (AES_KEY_BASE64).
	AESKeyBase64 pulumi.StringOutput
}

func (a Args) validate() error {
	switch {
	case a.Prefix == "" || a.Region == "" || a.Domain == "":
		return fmt.Errorf("want a prefix, a region and a domain")
	case a.AccountID == nil || a.Partition == nil || a.KMSKeyARN == nil:
		return fmt.Errorf("want the account, partition and stack key")
	case a.PrivateSubnetIDs == nil || a.RDSSecurityGroupID == nil:
		return fmt.Errorf("want the private subnets and the RDS security group")
	case a.LogRetentionDays < 1:
		return fmt.Errorf("log retention %d days; want at least 1", a.LogRetentionDays)
	case a.SecretRecoveryWindowDays < 7 || a.SecretRecoveryWindowDays > 30:
		return fmt.Errorf("secret recovery window %d days is outside 7–30", a.SecretRecoveryWindowDays)
	case len(a.AppBuckets) == 0:
		return fmt.Errorf("want at least one app bucket")
	case len(a.KitSlotNames) == 0:
		return fmt.Errorf("want at least one kit slot name")
	case a.KitSlotTier != "Standard" && a.KitSlotTier != "Advanced":
		return fmt.Errorf("kit slot parameter tier %q; want Standard or Advanced", a.KitSlotTier)
	case (a.ExistingAESKey == nil) != (a.ExistingInternalServiceKey == nil):
		return fmt.Errorf("existing FLIP_API keys: want both the AES key and the internal service key, or neither")
	}
	seen := map[string]bool{}
	for _, p := range a.AppBuckets {
		if seen[p] || p == logPurpose {
			return fmt.Errorf("app bucket %q is listed twice or clashes with the log bucket", p)
		}
		seen[p] = true
	}
	for p := range a.Imports.BucketImportIDs {
		if !seen[p] {
			return fmt.Errorf("bucket import %q names no app bucket; want one of %v", p, a.AppBuckets)
		}
	}
	return a.Database.validate()
}

// New builds the data layer.
func New(ctx *pulumi.Context, name string, args Args, opts ...pulumi.ResourceOption) (*Data, error) {
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("data %s: %w", name, err)
	}
	d := &Data{}
	if err := ctx.RegisterComponentResource(TypeToken, name, d, opts...); err != nil {
		return nil, fmt.Errorf("data %s: %w", name, err)
	}
	parent := pulumi.Parent(d)
	nm := namer.New(args.Prefix)

	if err := newDatabase(ctx, d, nm, args, parent); err != nil {
		return nil, err
	}
	if err := newSecrets(ctx, d, nm, args, parent); err != nil {
		return nil, err
	}
	if err := newBuckets(ctx, d, args, parent); err != nil {
		return nil, err
	}

	slots, err := json.Marshal(args.KitSlotNames)
	if err != nil {
		return nil, fmt.Errorf("kit slot names: %w", err)
	}
	// A plain String parameter: slot names are not secret, and flip-api reads the value
	// without asking SSM to decrypt it (a SecureString would reach it as ciphertext).
	// InsecureValue keeps the list visible in previews; Value would hide it as a secret.
	param, err := ssm.NewParameter(ctx, "fl-kit-slot-names", &ssm.ParameterArgs{
		Name:          pulumi.String(KitSlotParameter),
		Description:   pulumi.String("FL kit slots flip-api seeds its pool from (JSON list); managed by " + nm.Name()),
		Type:          pulumi.String("String"),
		DataType:      pulumi.String("text"),
		Tier:          pulumi.String(args.KitSlotTier),
		InsecureValue: pulumi.String(string(slots)),
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("kit slot parameter: %w", err)
	}
	d.KitSlotParameterName = param.Name

	if err := ctx.RegisterResourceOutputs(d, pulumi.Map{
		"dbAddress":            d.DBAddress,
		"dbPort":               d.DBPort,
		"dbName":               d.DBName,
		"dbInstanceId":         d.DBInstanceID,
		"dbMasterSecretArn":    d.DBMasterSecretARN,
		"flipApiSecretArn":     d.FlipAPISecretARN,
		"flipApiSecretName":    d.FlipAPISecretName,
		"bucketNames":          d.BucketNames,
		"logBucketName":        d.LogBucketName,
		"kitSlotParameterName": d.KitSlotParameterName,
	}); err != nil {
		return nil, fmt.Errorf("data outputs: %w", err)
	}
	return d, nil
}

// sortedKeys returns a map's keys in order, for deterministic iteration.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
