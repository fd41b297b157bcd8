package hub

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/config"
	"github.com/londonaicentre/flip-hub/identity"
	"github.com/londonaicentre/flip-hub/internal/deploy"
	"github.com/londonaicentre/flip-hub/internal/flip"
)

func (s *stack) buildIdentity(ctx *pulumi.Context) error {
	idc := s.cfg.Identity
	// The SES domain identity's DKIM and MAIL FROM records go in the stack's zone only
	// when the stack manages DNS; otherwise operators add them from the outputs.
	zoneID := s.zoneID(ctx)
	id, err := identity.New(ctx, "identity", identity.Args{
		Prefix:                    s.prefix,
		Region:                    s.cfg.Region,
		Domain:                    s.cfg.Edge.Domain,
		ZoneID:                    zoneID,
		ZoneName:                  s.cfg.Edge.ZoneName,
		PoolMFAOn:                 idc.MFA.PoolMFAOn(),
		EnrolmentRequired:         idc.MFA.EnforceEnrolment(),
		DeletionProtection:        idc.DeletionProtection,
		ThreatProtectionEnforced:  idc.ThreatProtectionEnforced,
		DomainPrefix:              idc.DomainPrefix,
		SenderEmail:               idc.SenderEmail,
		AdminEmail:                idc.AdminEmail,
		AdminUserEmail:            idc.AdminUser,
		ResearcherUserEmail:       idc.ResearcherUser,
		SESDomainIdentity:         idc.SESDomainIdentity,
		SESVerified:               idc.SESVerified,
		AccessTokenMinutes:        idc.AccessTokenMinutes,
		IDTokenMinutes:            idc.IDTokenMinutes,
		RefreshTokenDays:          idc.RefreshTokenDays,
		TemporaryPasswordDays:     idc.TemporaryPasswordDays,
		Protect:                   s.cfg.ProtectPersistent,
		CognitoImportID:           s.cfg.Imports[config.ImportCognitoUserPool],
		CognitoDomainImportID:     s.cfg.Imports[config.ImportCognitoDomain],
		CognitoClientImportID:     s.cfg.Imports[config.ImportCognitoAppClient],
		CognitoAdminImportID:      s.cfg.Imports[config.ImportCognitoAdminUser],
		CognitoResearcherImportID: s.cfg.Imports[config.ImportCognitoResearcherUser],
		SESIdentityImportID:       s.cfg.Imports[config.ImportSESIdentity],
		SESTemplateImportIDs:      sesTemplateImports(s.cfg.Imports),
		AccountID:                 s.account,
		Partition:                 s.partition,
		KMSKeyARN:                 s.key.ARN,
		FlipAPISecretARN:          s.data.FlipAPISecretARN,
		DBMasterSecretARN:         s.data.DBMasterSecretARN,
		RegistryTokenSecretARN:    s.data.RegistryTokenSecretARN,
		AppBucketARNs:             s.data.AppBucketARNs,
		AppObjectsReadWrite:       objectARNs(s.data.BucketNames, s.partition, deploy.Buckets.ReadWriteGrants),
		AppObjectsReadOnly:        objectARNs(s.data.BucketNames, s.partition, deploy.Buckets.ReadOnlyGrants),
		FLServerObjects:           objectARNs(s.data.BucketNames, s.partition, deploy.Buckets.FLServerGrants),
		ParameterPath:             identity.DefaultParameterPath,
	}, s.inherit)
	if err != nil {
		return err
	}
	s.identity = id
	export(ctx, &Out.UserPoolID, id.UserPoolID)
	export(ctx, &Out.UserPoolARN, id.UserPoolARN)
	export(ctx, &Out.UserPoolClientID, id.ClientID)
	export(ctx, &Out.UserPoolDomain, id.UserPoolDomain)
	export(ctx, &Out.SESIdentityARN, id.SESIdentityARN)
	export(ctx, &Out.SESVerificationRecords, id.SESVerificationRecords)
	export(ctx, &Out.HostRoleName, id.HostRoleName)
	export(ctx, &Out.HostInstanceProfileName, id.HostInstanceProfileName)
	export(ctx, &Out.FLServerRoleARN, id.FLServerRoleARN)
	return nil
}

// objectARNs are the object ARN patterns of one of deploy.Buckets' grants.
func objectARNs(names pulumi.StringMapOutput, partition pulumi.StringOutput, grants func(deploy.Buckets) []string) pulumi.StringArrayOutput {
	return pulumi.All(names, partition).ApplyT(func(in []any) ([]string, error) {
		b, err := deploy.BucketsFromMap(in[0].(map[string]string))
		if err != nil {
			return nil, err
		}
		keys := grants(b)
		out := make([]string, len(keys))
		for i, k := range keys {
			out[i] = fmt.Sprintf("arn:%s:s3:::%s", in[1].(string), k)
		}
		return out, nil
	}).(pulumi.StringArrayOutput)
}

// sesTemplateImports are the adopted SES templates: name → import ID.
func sesTemplateImports(imports map[string]string) map[string]string {
	out := map[string]string{}
	for _, t := range flip.SESTemplates {
		if id := imports[config.ImportSESTemplate(t)]; id != "" {
			out[t] = id
		}
	}
	return out
}
