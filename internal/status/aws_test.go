package status_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/londonaicentre/flip-hub/internal/status"
	"github.com/londonaicentre/flip-hub/internal/testmoto"
)

// run runs one check and fails the test when its outcome is not want.
func run(t *testing.T, c status.Check, wantOK bool, wantDetail string) status.Result {
	t.Helper()
	r := c.Run(context.Background())
	if r.OK != wantOK {
		t.Fatalf("%s: ok = %v (detail %q); want %v", c.Name(), r.OK, r.Detail, wantOK)
	}
	if !strings.Contains(r.Detail, wantDetail) {
		t.Errorf("%s: detail %q; want it to mention %q", c.Name(), r.Detail, wantDetail)
	}
	if !r.OK && r.Fix == "" {
		t.Errorf("%s failed without saying what to do", c.Name())
	}
	if r.OK && r.Fix != "" {
		t.Errorf("%s passed but has a fix %q", c.Name(), r.Fix)
	}
	return r
}

// unregistered answers DescribeInstanceInformation with an empty list: an instance whose SSM agent
// never registered.
type unregistered struct{}

func (unregistered) DescribeInstanceInformation(context.Context, *ssm.DescribeInstanceInformationInput, ...func(*ssm.Options)) (*ssm.DescribeInstanceInformationOutput, error) {
	return &ssm.DescribeInstanceInformationOutput{}, nil
}

// connectionLost reports every instance as ConnectionLost.
type connectionLost struct{}

func (connectionLost) DescribeInstanceInformation(_ context.Context, in *ssm.DescribeInstanceInformationInput, _ ...func(*ssm.Options)) (*ssm.DescribeInstanceInformationOutput, error) {
	return &ssm.DescribeInstanceInformationOutput{InstanceInformationList: []ssmtypes.InstanceInformation{
		{InstanceId: aws.String(in.Filters[0].Values[0]), PingStatus: ssmtypes.PingStatusConnectionLost},
	}}, nil
}

func TestInstance(t *testing.T) {
	srv := testmoto.Check(t, moto, motoErr)
	cfg := srv.AWSConfig()
	ec2c := ec2.NewFromConfig(cfg)
	ssmc := ssm.NewFromConfig(testmoto.AWSConfig(testmoto.SSMProxy(t, srv.URL)))
	running := testmoto.LaunchInstance(t, srv.URL)
	stopped := testmoto.LaunchInstance(t, srv.URL)
	if _, err := ec2c.StopInstances(context.Background(), &ec2.StopInstancesInput{InstanceIds: []string{stopped}}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		ping     status.SSMPingAPI
		instance string
		ok       bool
		detail   string
	}{
		{"running and online", ssmc, running, true, "SSM agent Online"},
		{"stopped", ssmc, stopped, false, "is stopped"},
		{"unknown instance", ssmc, "i-0123456789abcdef0", false, "does not exist"},
		{"agent never registered", unregistered{}, running, false, "not registered with SSM"},
		{"agent lost", connectionLost{}, running, false, "ConnectionLost"},
		// moto itself does not implement DescribeInstanceInformation: the error must surface.
		{"ssm error", ssm.NewFromConfig(cfg), running, false, "ssm instance information"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			run(t, status.Instance(ec2c, tc.ping, tc.instance), tc.ok, tc.detail)
		})
	}
}

func TestDBInstance(t *testing.T) {
	srv := testmoto.Check(t, moto, motoErr)
	rdsc := rds.NewFromConfig(srv.AWSConfig())
	ctx := context.Background()
	create := func(id string) {
		t.Helper()
		_, err := rdsc.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{
			DBInstanceIdentifier: aws.String(id), Engine: aws.String("postgres"), EngineVersion: aws.String("17.4"),
			DBInstanceClass: aws.String("db.t4g.small"), AllocatedStorage: aws.Int32(20),
			MasterUsername: aws.String("flip_admin"), MasterUserPassword: aws.String("not-a-real-password"),
		})
		if err != nil {
			t.Fatalf("moto CreateDBInstance: %v", err)
		}
	}
	create("status-db-up")
	create("status-db-stopped")
	if _, err := rdsc.StopDBInstance(ctx, &rds.StopDBInstanceInput{DBInstanceIdentifier: aws.String("status-db-stopped")}); err != nil {
		t.Fatalf("moto StopDBInstance: %v", err)
	}
	cases := []struct {
		id     string
		ok     bool
		detail string
	}{
		{"status-db-up", true, "available (postgres 17.4, db.t4g.small"},
		{"status-db-stopped", false, "is stopped"},
		{"status-db-missing", false, "does not exist"},
	}
	for _, tc := range cases {
		t.Run(tc.id, func(t *testing.T) {
			r := run(t, status.DBInstance(rdsc, tc.id), tc.ok, tc.detail)
			if tc.id == "status-db-stopped" && !strings.Contains(r.Fix, "start-db-instance") {
				t.Errorf("fix for a stopped database %q does not say how to start it", r.Fix)
			}
		})
	}
}

func flipAPISecret(aesKey []byte, key, hash string) string {
	b, _ := json.Marshal(map[string]string{
		"aes_key": base64.StdEncoding.EncodeToString(aesKey), "internal_service_key": key, "internal_service_key_hash": hash,
	})
	return string(b)
}

func TestSecret(t *testing.T) {
	srv := testmoto.Check(t, moto, motoErr)
	sm := secretsmanager.NewFromConfig(srv.AWSConfig())
	ctx := context.Background()
	const key = "internal-key-value-that-must-never-be-printed-0123456789"
	sum := sha256.Sum256([]byte(key))
	goodHash := hex.EncodeToString(sum[:])
	aes := []byte("0123456789abcdef0123456789abcdef")
	put := func(name, value string) string {
		t.Helper()
		out, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(value)})
		if err != nil {
			t.Fatalf("moto CreateSecret %s: %v", name, err)
		}
		return aws.ToString(out.ARN)
	}
	good := put("status/flip-api-good", flipAPISecret(aes, key, goodHash))
	badHash := put("status/flip-api-bad-hash", flipAPISecret(aes, key, strings.Repeat("0", 64)))
	shortAES := put("status/flip-api-short-aes", flipAPISecret(aes[:16], key, goodHash))
	missingKey := put("status/flip-api-missing", `{"aes_key":"`+base64.StdEncoding.EncodeToString(aes)+`"}`)
	notJSON := put("status/flip-api-not-json", "plain "+key)
	deleted := put("status/flip-api-deleted", flipAPISecret(aes, key, goodHash))
	if _, err := sm.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String(deleted), RecoveryWindowInDays: aws.Int64(7)}); err != nil {
		t.Fatal(err)
	}
	dbMaster := put("status/db-master", `{"username":"flip_admin","password":"`+key+`"}`)

	flip := func(id string) status.SecretSpec {
		return status.SecretSpec{Label: "flip-api", ID: id, Keys: status.FlipAPISecretKeys, Validate: status.ValidateFlipAPISecret}
	}
	cases := []struct {
		name   string
		spec   status.SecretSpec
		ok     bool
		detail string
	}{
		{"flip-api secret", flip(good), true, "holds aes_key, internal_service_key, internal_service_key_hash"},
		{"db master secret", status.SecretSpec{Label: "db-master", ID: dbMaster, Keys: status.DBMasterSecretKeys}, true, "holds username, password"},
		{"hash does not match the key", flip(badHash), false, "internal_service_key_hash is not the SHA-256"},
		{"aes key too short", flip(shortAES), false, "aes_key is not the base64 of 32 bytes"},
		{"keys missing", flip(missingKey), false, "lacks non-empty string key(s) internal_service_key, internal_service_key_hash"},
		{"not json", flip(notJSON), false, "is not a JSON object"},
		{"scheduled for deletion", flip(deleted), false, "scheduled for deletion"},
		{"no such secret", flip("status/none"), false, "does not exist"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, status.Secret(sm, tc.spec), tc.ok, tc.detail)
			for _, secret := range []string{key, goodHash, base64.StdEncoding.EncodeToString(aes)} {
				if strings.Contains(r.Detail+r.Fix, secret) {
					t.Fatalf("the result shows a secret value: %+v", r)
				}
			}
		})
	}
}

func TestLogGroup(t *testing.T) {
	srv := testmoto.Check(t, moto, motoErr)
	logs := cloudwatchlogs.NewFromConfig(srv.AWSConfig())
	ctx := context.Background()
	now := time.Now()
	group := func(name string, events ...time.Time) {
		t.Helper()
		if _, err := logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
		if len(events) == 0 {
			return
		}
		if _, err := logs.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(name), LogStreamName: aws.String("i-1")}); err != nil {
			t.Fatal(err)
		}
		var in []logtypes.InputLogEvent
		for _, at := range events {
			in = append(in, logtypes.InputLogEvent{Message: aws.String("GET /api/health 200"), Timestamp: aws.Int64(at.UnixMilli())})
		}
		if _, err := logs.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{
			LogGroupName: aws.String(name), LogStreamName: aws.String("i-1"), LogEvents: in,
		}); err != nil {
			t.Fatalf("moto PutLogEvents: %v", err)
		}
	}
	group("/status/fresh", now.Add(-3*time.Hour), now.Add(-5*time.Minute))
	group("/status/stale", now.Add(-3*time.Hour))
	group("/status/empty")
	cases := []struct {
		name, group string
		window      time.Duration
		ok          bool
		detail      string
	}{
		{"recent event", "/status/fresh", time.Hour, true, "within the last 1h0m0s"},
		{"only an old event", "/status/stale", time.Hour, false, "no event in the last 1h0m0s"},
		{"no events at all", "/status/empty", time.Hour, false, "no event"},
		{"missing group", "/status/none", time.Hour, false, "does not exist"},
		{"exists only", "/status/empty", 0, true, "exists"},
		{"exists only, missing", "/status/none", 0, false, "does not exist"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			run(t, status.LogGroup(logs, tc.group, tc.window, func() time.Time { return now }), tc.ok, tc.detail)
		})
	}
}
