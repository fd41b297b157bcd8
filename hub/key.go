package hub

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/config"
	"github.com/londonaicentre/flip-hub/data"
)

func (s *stack) buildKey(ctx *pulumi.Context) error {
	key, err := data.NewKey(ctx, "key", data.KeyArgs{
		Prefix:             s.prefix,
		Region:             s.cfg.Region,
		AccountID:          s.account,
		Partition:          s.partition,
		DeletionWindowDays: s.cfg.KMSDeletionWindowDays,
		Protect:            s.cfg.ProtectPersistent,
		ImportID:           s.cfg.Imports[config.ImportKMSKey],
		AliasImportID:      s.cfg.Imports[config.ImportKMSAlias],
	}, s.inherit)
	if err != nil {
		return err
	}
	s.key = key
	export(ctx, &Out.KMSKeyARN, key.ARN)
	return nil
}
