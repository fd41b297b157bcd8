package data

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/londonaicentre/flip-hub/internal/bucket"
	"github.com/londonaicentre/flip-hub/internal/deploy"
	"github.com/londonaicentre/flip-hub/internal/iamdoc"
)

// App-bucket purposes the browser reaches directly, through presigned URLs (upstream's CORS:
// POST on the uploads bucket, GET on the results bucket; services.tf).
const (
	// UploadedModelFiles receives model files the browser uploads with a presigned POST.
	UploadedModelFiles = deploy.BucketModelFilesUploads
	// UploadedFederatedData holds FL results, downloaded with presigned GETs.
	UploadedFederatedData = deploy.BucketFLResults
)

// logPurpose names the log bucket.
const logPurpose = "logs"

// Log bucket lifecycle: logs expire after the stack's log retention; versions replaced
// or deleted before that go after logNoncurrentDays.
const logNoncurrentDays = 30

// Reasons the log bucket departs from the secure bucket defaults.
const (
	logSSES3Reason = "S3 server access logging delivers only to targets encrypted with SSE-S3 " +
		"(default SSE-KMS is unsupported); CloudFront standard logs and ELB access logs land here too"
	logACLReason = "CloudFront standard (legacy) logging writes through ACLs: CloudFront adds the " +
		"awslogsdelivery FULL_CONTROL grant, which needs ACLs enabled (BucketOwnerPreferred keeps the " +
		"bucket owner owning delivered objects); the public access block still refuses public ACLs"
	logNoAccessLogReason = "this is the access-log target itself; logging it into itself would log " +
		"every log delivery, without end"
)

// CORSRules are the browser rules of an app bucket, for the hub's own origin only.
func CORSRules(purpose, domain string) []bucket.CORSRule {
	origin := "https://" + domain
	switch purpose {
	case UploadedModelFiles:
		// The presigned POST's signed policy, not CORS, limits what may be written (key,
		// size, content type); CORS only lets the hub's page send the form and read the reply.
		return []bucket.CORSRule{{
			AllowedMethods: []string{"POST"},
			AllowedOrigins: []string{origin},
			AllowedHeaders: []string{"*"},
			ExposeHeaders:  []string{"ETag"},
			MaxAgeSeconds:  3000,
		}}
	case UploadedFederatedData:
		return []bucket.CORSRule{{
			AllowedMethods: []string{"GET"},
			AllowedOrigins: []string{origin},
			ExposeHeaders:  []string{"ETag", "Content-Length", "Content-Disposition"},
			MaxAgeSeconds:  3000,
		}}
	}
	return nil
}

func newBuckets(ctx *pulumi.Context, d *Data, args Args, parent pulumi.ResourceOption) error {
	account := args.AccountID.ToStringOutput()
	physical := func(purpose string) pulumi.StringOutput {
		return account.ApplyT(func(a string) (string, error) {
			return bucket.PhysicalName(args.Prefix, purpose, a)
		}).(pulumi.StringOutput)
	}
	// Names are known before any bucket exists, so the log bucket's policy can name the
	// buckets that deliver to it.
	names := map[string]pulumi.StringInput{}
	for _, p := range args.AppBuckets {
		if id := args.Imports.BucketImportIDs[p]; id != "" {
			names[p] = pulumi.String(id)
		} else {
			names[p] = physical(p)
		}
	}

	sources := pulumi.StringMap{"account": args.AccountID, "partition": args.Partition}
	for p, n := range names {
		sources["source:"+p] = n
	}
	grants := append([]bucket.Grant{{Values: sources, Statements: accessLogDelivery}}, args.LogBucketGrants...)
	logs, err := bucket.New(ctx, logPurpose, bucket.Args{
		BucketName:            physical(logPurpose),
		Encryption:            bucket.SSES3,
		SSES3Reason:           logSSES3Reason,
		ACLsEnabled:           true,
		ACLReason:             logACLReason,
		NoAccessLogReason:     logNoAccessLogReason,
		Grants:                grants,
		NoncurrentVersionDays: logNoncurrentDays,
		ExpireAfterDays:       args.LogRetentionDays,
		ForceDestroy:          args.ForceDestroyBuckets,
		RetainOnDelete:        args.ProtectPersistent,
		Protect:               args.ProtectPersistent,
		Tags:                  map[string]string{"purpose": logPurpose},
	}, parent)
	if err != nil {
		return err
	}

	bucketNames, bucketARNs := pulumi.StringMap{}, pulumi.StringMap{}
	var appARNs pulumi.StringArray
	for _, p := range args.AppBuckets {
		ba := bucket.Args{
			KMSKeyARN:       args.KMSKeyARN,
			AccessLogBucket: logs.Name,
			CORSRules:       CORSRules(p, args.Domain),
			ForceDestroy:    args.ForceDestroyBuckets,
			RetainOnDelete:  true,
			Protect:         args.ProtectPersistent,
			Tags:            map[string]string{"purpose": p},
		}
		if id := args.Imports.BucketImportIDs[p]; id != "" {
			ba.ImportID = id
		} else {
			ba.BucketName = names[p]
		}
		b, err := bucket.New(ctx, p, ba, parent)
		if err != nil {
			return err
		}
		bucketNames[p] = b.Name
		bucketARNs[p] = b.ARN
		appARNs = append(appARNs, b.ARN)
	}

	d.BucketNames = bucketNames.ToStringMapOutput()
	d.BucketARNs = bucketARNs.ToStringMapOutput()
	d.AppBucketARNs = appARNs.ToStringArrayOutput()
	d.LogBucketName = logs.Name
	d.LogBucketReady = []pulumi.Resource{logs.Policy}
	d.LogBucketARN = logs.ARN
	d.LogBucketDomainName = logs.DomainName
	return nil
}

// accessLogDelivery lets S3 server access logging write into the log bucket, under the
// s3-access/ prefix only, for this account's app buckets only.
func accessLogDelivery(logARN string, v map[string]string) ([]iamdoc.Statement, error) {
	var sources []string
	for _, k := range sortedKeys(v) {
		if p, ok := strings.CutPrefix(k, "source:"); ok {
			if v[k] == "" {
				return nil, fmt.Errorf("access-log source %s has no bucket name", p)
			}
			sources = append(sources, fmt.Sprintf("arn:%s:s3:::%s", v["partition"], v[k]))
		}
	}
	if v["account"] == "" || len(sources) == 0 {
		return nil, fmt.Errorf("access-log delivery: want the account and at least one source bucket")
	}
	return []iamdoc.Statement{{
		Sid:       "S3ServerAccessLogDelivery",
		Effect:    iamdoc.Allow,
		Principal: map[string]any{"Service": "logging.s3.amazonaws.com"},
		Action:    []string{"s3:PutObject"},
		Resource:  []string{logARN + "/" + bucket.AccessLogRoot + "*"},
		Condition: map[string]map[string]any{
			"StringEquals": {"aws:SourceAccount": v["account"]},
			"ArnLike":      {"aws:SourceArn": sources},
		},
	}}, nil
}
