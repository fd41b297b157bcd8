package hub

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/config"
	"github.com/londonaicentre/flip-hub/data"
)

func (s *stack) buildData(ctx *pulumi.Context) error {
	db := s.cfg.Database
	bucketImports := map[string]string{}
	for _, purpose := range config.AppBuckets {
		if id := s.cfg.Imports[config.ImportBucket(purpose)]; id != "" {
			bucketImports[purpose] = id
		}
	}
	d, err := data.New(ctx, "data", data.Args{
		Prefix:             s.prefix,
		Region:             s.cfg.Region,
		Domain:             s.cfg.Edge.Domain,
		AccountID:          s.account,
		Partition:          s.partition,
		KMSKeyARN:          s.key.ARN,
		PrivateSubnetIDs:   s.network.PrivateSubnetIDs,
		RDSSecurityGroupID: s.network.RDSSecurityGroupID.ToStringOutput(),
		Database: data.Database{
			EngineVersion:             db.EngineVersion,
			Family:                    db.Family,
			InstanceClass:             db.InstanceClass,
			AllocatedStorageGB:        db.AllocatedStorageGB,
			MaxAllocatedStorageGB:     db.MaxAllocatedStorageGB,
			Name:                      db.Name,
			Username:                  db.Username,
			MultiAZ:                   db.MultiAZ,
			BackupRetentionDays:       db.BackupRetentionDays,
			DeletionProtection:        db.DeletionProtection,
			FinalSnapshot:             db.FinalSnapshot,
			Protect:                   db.Protect,
			MonitoringIntervalSeconds: db.MonitoringIntervalSeconds,
			// A disposable hub changes at once; prod waits for its maintenance window.
			ApplyImmediately: !db.Protect,
		},
		LogRetentionDays:  s.cfg.LogRetentionDays,
		ProtectPersistent: s.cfg.ProtectPersistent,
		// Only a stack whose persistent resources are unprotected may empty buckets on destroy.
		ForceDestroyBuckets: !s.cfg.ProtectPersistent,
		// Deleted secrets stay restorable as long as a deleted stack key would.
		SecretRecoveryWindowDays: s.cfg.KMSDeletionWindowDays,
		AppBuckets:               config.AppBuckets,
		KitSlotNames:             s.cfg.FL.KitSlotNames,
		KitSlotTier:              s.cfg.FL.KitSlotTier,
		Imports: data.Imports{
			FlipAPISecretID: s.cfg.Imports[config.ImportFlipAPISecret],
			BucketImportIDs: bucketImports,
		},
		ExistingAESKey:             s.cfg.Secrets.FlipAPIAESKey,
		ExistingInternalServiceKey: s.cfg.Secrets.FlipAPIInternalServiceKey,
		RegistryToken:              s.cfg.Secrets.RegistryToken,
		// The edge's ALB access logs and UI bucket access logs land in the log bucket.
		LogBucketGrants: s.edgeLogGrants(),
	}, s.inherit)
	if err != nil {
		return err
	}
	s.data = d
	export(ctx, &Out.DBAddress, d.DBAddress)
	export(ctx, &Out.DBPort, d.DBPort)
	export(ctx, &Out.DBName, d.DBName)
	export(ctx, &Out.DBInstanceID, d.DBInstanceID)
	export(ctx, &Out.DBMasterSecretARN, d.DBMasterSecretARN)
	export(ctx, &Out.FlipAPISecretARN, d.FlipAPISecretARN)
	export(ctx, &Out.FlipAPISecretName, d.FlipAPISecretName)
	export(ctx, &Out.RegistryTokenSecretARN, d.RegistryTokenSecretARN)
	export(ctx, &Out.BucketNames, d.BucketNames)
	export(ctx, &Out.BucketARNs, d.BucketARNs)
	export(ctx, &Out.LogBucketName, d.LogBucketName)
	export(ctx, &Out.KitSlotParameterName, d.KitSlotParameterName)
	return nil
}
