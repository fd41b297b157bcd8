package dbtunnel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// SecretGetter is what dbtunnel needs from Secrets Manager; *secretsmanager.Client satisfies it.
type SecretGetter interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// ErrBadSecret: the secret exists but is not the {"username", "password"} JSON RDS writes.
var ErrBadSecret = errors.New("not an rds master user secret")

// Credentials are the database login read from the RDS-managed secret. Printing them with any fmt
// verb shows the user name only.
type Credentials struct {
	Username string
	Password string
}

// String describes the credentials with the password redacted.
func (c Credentials) String() string {
	return fmt.Sprintf("dbtunnel.Credentials{Username:%q, Password:[redacted]}", c.Username)
}

// GoString is String, for %#v.
func (c Credentials) GoString() string { return c.String() }

// Format prints String for every verb.
func (c Credentials) Format(f fmt.State, _ rune) { _, _ = fmt.Fprint(f, c.String()) }

// ReadCredentials reads the master user's login from the RDS-managed secret arn. Errors name the
// secret and what is wrong with it, never its content.
func ReadCredentials(ctx context.Context, sm SecretGetter, arn string) (Credentials, error) {
	if arn == "" {
		return Credentials{}, fmt.Errorf("db secret: no secret arn; want the RDS-managed master secret (stack output dbMasterSecretArn)")
	}
	out, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn)})
	if err != nil {
		return Credentials{}, fmt.Errorf("db secret %s: %w", arn, err)
	}
	if out.SecretString == nil {
		return Credentials{}, fmt.Errorf("db secret %s: %w: it holds binary data", arn, ErrBadSecret)
	}
	var c struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	// The decoder's error could quote the secret; it is replaced, not wrapped.
	if json.Unmarshal([]byte(*out.SecretString), &c) != nil {
		return Credentials{}, fmt.Errorf("db secret %s: %w: its value is not a JSON object", arn, ErrBadSecret)
	}
	if c.Username == "" || c.Password == "" {
		return Credentials{}, fmt.Errorf("db secret %s: %w: want both username and password", arn, ErrBadSecret)
	}
	return Credentials{Username: c.Username, Password: c.Password}, nil
}
