package hub

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/compute"
	"github.com/londonaicentre/flip-hub/internal/deploy"
	"github.com/londonaicentre/flip-hub/network"
)

func (s *stack) buildCompute(ctx *pulumi.Context) error {
	cfg := s.cfg
	c, err := compute.New(ctx, "compute", compute.Args{
		Prefix:              s.prefix,
		Region:              cfg.Region,
		Partition:           s.partition,
		AccountID:           s.account,
		InstanceType:        cfg.Host.InstanceType,
		RootVolumeGB:        cfg.Host.RootVolumeGB,
		DetailedMonitoring:  cfg.Host.DetailedMonitoring,
		KMSKeyARN:           s.key.ARN,
		SubnetID:            s.network.PrivateSubnetIDs.Index(pulumi.Int(0)),
		SecurityGroupID:     s.network.HostSecurityGroupID.ToStringOutput(),
		InstanceProfileName: s.identity.HostInstanceProfileName,
		APITargetGroupARN:   s.edge.APITargetGroupARN,
		FLTargetGroupARN:    s.edge.FLTargetGroupARN,
		APIPort:             network.APIPort,
		FLPort:              cfg.FL.Port,
		LogRetentionDays:    cfg.LogRetentionDays,
		// The bootstrap downloads through the NAT gateway and reaches SSM through the VPC
		// endpoints; neither is an input of the host.
		HostDependsOn: s.network.Ready,
		// The deploy needs the database up, the FLIP_API secret's value stored and the host
		// role's policies attached before flip-api starts.
		DeployDependsOn: append(append([]pulumi.Resource{}, s.data.Ready...), s.identity.Ready...),
		HubctlPath:      compute.DefaultHubctl,
		Deploy: compute.Deploy{
			Backend: cfg.FL.Backend,
			Images: deploy.Images{
				Registry:   cfg.Images.Registry,
				Tag:        cfg.Images.Tag,
				FLRegistry: cfg.Images.FLRegistry,
				FLTag:      cfg.Images.FLTag,
			},
			EnforceMFA:             cfg.Identity.MFA.EnforceEnrolment(),
			SESAdminEmail:          cfg.Identity.AdminEmail,
			SESSenderEmail:         cfg.Identity.SenderEmail,
			KitDate:                cfg.FL.KitDate,
			KitSlotNames:           cfg.FL.KitSlotNames,
			MinClients:             cfg.FL.MinClients,
			DBUser:                 cfg.Database.Username,
			UserPoolID:             s.identity.UserPoolID,
			AppClientID:            s.identity.ClientID,
			DBAddress:              s.data.DBAddress,
			DBPort:                 s.data.DBPort,
			DBName:                 s.data.DBName,
			DBMasterSecretARN:      s.data.DBMasterSecretARN,
			FlipAPISecretName:      s.data.FlipAPISecretName,
			FlipAPISecretARN:       s.data.FlipAPISecretARN,
			RegistryTokenSecretARN: s.data.RegistryTokenSecretARN,
			BucketNames:            s.data.BucketNames,
			FLServerRoleARN:        s.identity.FLServerRoleARN,
		},
	}, s.inherit)
	if err != nil {
		return err
	}
	s.compute = c
	export(ctx, &Out.HubInstanceID, c.InstanceID)
	export(ctx, &Out.HubPrivateIP, c.PrivateIP)
	export(ctx, &Out.HubAMIID, c.AMIID)
	export(ctx, &Out.HubLogGroupNames, c.LogGroupNames)
	export(ctx, &Out.HubDeployHash, c.DeployHash)
	export(ctx, &Out.HubDeployCommandID, c.DeployCommandID)
	return nil
}
