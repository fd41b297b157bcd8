package status

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cognito "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// S3HeadAPI is what the buckets check needs from S3; *s3.Client satisfies it.
type S3HeadAPI interface {
	HeadBucket(ctx context.Context, in *s3.HeadBucketInput, optFns ...func(*s3.Options)) (*s3.HeadBucketOutput, error)
}

// CognitoAPI is what the user pool check needs from Cognito; the Cognito client satisfies it.
type CognitoAPI interface {
	DescribeUserPool(ctx context.Context, in *cognito.DescribeUserPoolInput, optFns ...func(*cognito.Options)) (*cognito.DescribeUserPoolOutput, error)
	DescribeUserPoolClient(ctx context.Context, in *cognito.DescribeUserPoolClientInput, optFns ...func(*cognito.Options)) (*cognito.DescribeUserPoolClientOutput, error)
}

// NetworkAPI is what the network check needs from EC2; *ec2.Client satisfies it.
type NetworkAPI interface {
	DescribeVpcs(ctx context.Context, in *ec2.DescribeVpcsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeVpcsOutput, error)
	DescribeSubnets(ctx context.Context, in *ec2.DescribeSubnetsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeSubnetsOutput, error)
}

var (
	_ S3HeadAPI  = (*s3.Client)(nil)
	_ CognitoAPI = (*cognito.Client)(nil)
	_ NetworkAPI = (*ec2.Client)(nil)
)

// Buckets checks that each bucket (purpose → name) exists and the caller may reach it.
func Buckets(c S3HeadAPI, buckets map[string]string) Check {
	return &Func{
		CheckName: "buckets",
		Fix: "a missing bucket of a deployed hub was deleted outside Pulumi: the app buckets are retained and " +
			"protected, so restore it (or its objects) before `hubctl up` recreates it empty; a forbidden one means " +
			"your role lacks s3:ListBucket on it",
		Fn: func(ctx context.Context) (string, error) {
			purposes := make([]string, 0, len(buckets))
			for p := range buckets {
				purposes = append(purposes, p)
			}
			sort.Strings(purposes)
			var bad []string
			for _, p := range purposes {
				_, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(buckets[p])})
				switch code := errorCode(err); {
				case err == nil:
				case code == "NotFound" || code == "NoSuchBucket":
					bad = append(bad, fmt.Sprintf("%s (%s) does not exist", p, buckets[p]))
				case code == "Forbidden" || code == "AccessDenied":
					bad = append(bad, fmt.Sprintf("%s (%s) is forbidden to you", p, buckets[p]))
				default:
					return "", fmt.Errorf("head bucket %s: %w", buckets[p], err)
				}
			}
			if len(bad) > 0 {
				return "", problem("", nil, "%s", strings.Join(bad, "; "))
			}
			return fmt.Sprintf("%d buckets reachable (%s)", len(purposes), strings.Join(purposes, ", ")), nil
		},
	}
}

// UserPool checks that the Cognito user pool and the SPA's app client exist, and reports the pool's
// MFA setting.
func UserPool(c CognitoAPI, poolID, clientID string) Check {
	return &Func{
		CheckName: "user pool",
		Fix:       "the pool is the stack output userPoolId and the client userPoolClientId; check your region and role (cognito-idp:DescribeUserPool)",
		Fn: func(ctx context.Context) (string, error) {
			pool, err := c.DescribeUserPool(ctx, &cognito.DescribeUserPoolInput{UserPoolId: aws.String(poolID)})
			if errorCode(err) == "ResourceNotFoundException" {
				return "", problem("the pool is retained and protected; if it was deleted outside Pulumi, nobody can sign in: "+
					"restore users from a backup into a new pool and adopt it (imports.cognitoUserPool)", nil, "user pool %s does not exist", poolID)
			}
			if err != nil {
				return "", fmt.Errorf("describe user pool %s: %w", poolID, err)
			}
			_, err = c.DescribeUserPoolClient(ctx, &cognito.DescribeUserPoolClientInput{UserPoolId: aws.String(poolID), ClientId: aws.String(clientID)})
			if errorCode(err) == "ResourceNotFoundException" {
				return "", problem("run `hubctl up`: it recreates the app client (the UI then needs the new client id, which `hubctl env` writes)",
					nil, "app client %s of user pool %s does not exist", clientID, poolID)
			}
			if err != nil {
				return "", fmt.Errorf("describe app client %s: %w", clientID, err)
			}
			mfa := "MFA " + strings.ToLower(string(pool.UserPool.MfaConfiguration))
			if pool.UserPool.MfaConfiguration == "" {
				mfa = "MFA not reported"
			}
			return fmt.Sprintf("user pool %s and app client present; %s", poolID, mfa), nil
		},
	}
}

// Network checks that the VPC and every subnet of the stack exist and are available.
func Network(c NetworkAPI, vpcID string, subnetIDs []string) Check {
	return &Func{
		CheckName: "network",
		Fix:       "a missing VPC or subnet was deleted outside Pulumi: `hubctl refresh` then `hubctl up` recreates it (the host and database depend on it)",
		Fn: func(ctx context.Context) (string, error) {
			vpcs, err := c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{vpcID}})
			if errorCode(err) == "InvalidVpcID.NotFound" || (err == nil && len(vpcs.Vpcs) == 0) {
				return "", problem("", nil, "VPC %s does not exist", vpcID)
			}
			if err != nil {
				return "", fmt.Errorf("describe VPC %s: %w", vpcID, err)
			}
			if s := vpcs.Vpcs[0].State; s != ec2types.VpcStateAvailable {
				return "", problem("", nil, "VPC %s is %s", vpcID, s)
			}
			subnets, err := c.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{
				Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{vpcID}}},
			})
			if err != nil {
				return "", fmt.Errorf("describe subnets of %s: %w", vpcID, err)
			}
			found := map[string]ec2types.SubnetState{}
			for _, s := range subnets.Subnets {
				found[aws.ToString(s.SubnetId)] = s.State
			}
			var bad []string
			for _, id := range subnetIDs {
				state, ok := found[id]
				switch {
				case !ok:
					bad = append(bad, id+" is missing")
				case state != ec2types.SubnetStateAvailable:
					bad = append(bad, fmt.Sprintf("%s is %s", id, state))
				}
			}
			if len(bad) > 0 {
				slices.Sort(bad)
				return "", problem("", nil, "subnets of VPC %s: %s", vpcID, strings.Join(bad, "; "))
			}
			return fmt.Sprintf("VPC %s available with its %d subnets", vpcID, len(subnetIDs)), nil
		},
	}
}
