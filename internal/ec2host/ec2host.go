package ec2host

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// MetadataOptions turns IMDSv1 off (a token is required for every call), keeps instance tags out
// of the metadata service, and sets the PUT response hop limit: 1 reaches the host alone, 2 also
// a container on Docker's bridge.
func MetadataOptions(hopLimit int) *ec2.InstanceMetadataOptionsArgs {
	return &ec2.InstanceMetadataOptionsArgs{
		HttpEndpoint:            pulumi.String("enabled"),
		HttpTokens:              pulumi.String("required"),
		HttpPutResponseHopLimit: pulumi.Int(hopLimit),
		InstanceMetadataTags:    pulumi.String("disabled"),
	}
}

// RootVolume is a gp3 root volume of sizeGB, encrypted under kmsKeyARN, deleted with its
// instance, and named hostName-root.
func RootVolume(sizeGB int, kmsKeyARN pulumi.StringInput, hostName string) *ec2.InstanceRootBlockDeviceArgs {
	return &ec2.InstanceRootBlockDeviceArgs{
		VolumeType:          pulumi.String("gp3"),
		VolumeSize:          pulumi.Int(sizeGB),
		Encrypted:           pulumi.Bool(true),
		KmsKeyId:            kmsKeyARN,
		DeleteOnTermination: pulumi.Bool(true),
		Tags:                pulumi.StringMap{"Name": pulumi.String(hostName + "-root")},
	}
}
