package status_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cognito "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/londonaicentre/flip-hub/internal/status"
	"github.com/londonaicentre/flip-hub/internal/testmoto"
)

// The buckets, user pool and network checks against moto's S3, Cognito and EC2.
func TestResourceChecksThroughMoto(t *testing.T) {
	srv := testmoto.Check(t, moto, motoErr)
	cfg := srv.AWSConfig()
	ctx := context.Background()

	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("flip-stag-fl-kits-111111111111"),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(cfg.Region)}}); err != nil {
		t.Fatal(err)
	}
	t.Run("buckets", func(t *testing.T) {
		run(t, status.Buckets(s3c, map[string]string{"fl-kits": "flip-stag-fl-kits-111111111111"}), true, "1 buckets reachable (fl-kits)")
		run(t, status.Buckets(s3c, map[string]string{"fl-kits": "flip-stag-fl-kits-111111111111", "fl-results": "flip-stag-gone-111111111111"}),
			false, "fl-results (flip-stag-gone-111111111111) does not exist")
	})

	cg := cognito.NewFromConfig(cfg)
	pool, err := cg.CreateUserPool(ctx, &cognito.CreateUserPoolInput{PoolName: aws.String("flip-stag-users"), MfaConfiguration: "ON",
		SmsConfiguration: nil})
	if err != nil {
		t.Fatal(err)
	}
	poolID := aws.ToString(pool.UserPool.Id)
	client, err := cg.CreateUserPoolClient(ctx, &cognito.CreateUserPoolClientInput{UserPoolId: aws.String(poolID), ClientName: aws.String("spa")})
	if err != nil {
		t.Fatal(err)
	}
	clientID := aws.ToString(client.UserPoolClient.ClientId)
	t.Run("user pool", func(t *testing.T) {
		run(t, status.UserPool(cg, poolID, clientID), true, "MFA on")
		run(t, status.UserPool(cg, poolID, "nosuchclient0000000000000"), false, "does not exist")
		run(t, status.UserPool(cg, "eu-west-2_Missing00", clientID), false, "user pool eu-west-2_Missing00 does not exist")
	})

	ec := ec2.NewFromConfig(cfg)
	vpc, err := ec.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.40.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	vpcID := aws.ToString(vpc.Vpc.VpcId)
	var subnets []string
	for i, cidr := range []string{"10.40.1.0/24", "10.40.2.0/24"} {
		sn, err := ec.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String(vpcID), CidrBlock: aws.String(cidr),
			AvailabilityZone: aws.String(cfg.Region + string(rune('a'+i)))})
		if err != nil {
			t.Fatal(err)
		}
		subnets = append(subnets, aws.ToString(sn.Subnet.SubnetId))
	}
	t.Run("network", func(t *testing.T) {
		run(t, status.Network(ec, vpcID, subnets), true, "available with its 2 subnets")
		run(t, status.Network(ec, vpcID, append(subnets, "subnet-0123456789abcdef0")), false, "subnet-0123456789abcdef0 is missing")
		run(t, status.Network(ec, "vpc-0123456789abcdef0", subnets), false, "VPC vpc-0123456789abcdef0 does not exist")
	})
}
