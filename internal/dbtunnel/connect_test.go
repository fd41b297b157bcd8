package dbtunnel

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/londonaicentre/flip-hub/internal/testmoto"
	"github.com/londonaicentre/flip-hub/internal/testpg"
)

const rdsHost = "flip-stag.cabcdefghijk.eu-west-2.rds.amazonaws.com"

// pki is a throwaway CA and a server certificate for rdsHost, as PEM files.
type pki struct{ caFile, certFile, keyFile string }

var (
	pkiOnce sync.Once
	pkiDir  string
	pkiVal  pki
	pkiErr  error
)

func testPKI(t *testing.T) pki {
	t.Helper()
	pkiOnce.Do(func() {
		pkiDir, pkiErr = os.MkdirTemp("", "dbtunnel-pki-")
		if pkiErr == nil {
			pkiVal, pkiErr = makePKI(pkiDir)
		}
	})
	if pkiErr != nil {
		t.Fatal(pkiErr)
	}
	return pkiVal
}

func makePKI(dir string) (pki, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return pki{}, err
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Test RDS Root CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return pki{}, err
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return pki{}, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return pki{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: rdsHost}, DNSNames: []string{rdsHost},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return pki{}, err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return pki{}, err
	}
	p := pki{filepath.Join(dir, "ca.pem"), filepath.Join(dir, "server.pem"), filepath.Join(dir, "server-key.pem")}
	for path, block := range map[string]*pem.Block{
		p.caFile:   {Type: "CERTIFICATE", Bytes: caDER},
		p.certFile: {Type: "CERTIFICATE", Bytes: der},
		p.keyFile:  {Type: "EC PRIVATE KEY", Bytes: keyDER},
	} {
		if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
			return pki{}, err
		}
	}
	return p, nil
}

// secretCounter keeps secret names unique on the shared moto_server.
var secretCounter atomic.Int64

// putSecret stores value in moto and returns its ARN.
func putSecret(t *testing.T, sm *secretsmanager.Client, value string) string {
	t.Helper()
	out, err := sm.CreateSecret(context.Background(), &secretsmanager.CreateSecretInput{
		Name:         aws.String(fmt.Sprintf("rds!db-test-%d", secretCounter.Add(1))),
		SecretString: aws.String(value),
	})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.ARN)
}

func secretsClient(t *testing.T) *secretsmanager.Client {
	t.Helper()
	return secretsmanager.NewFromConfig(testmoto.Check(t, moto, motoErr).AWSConfig())
}

// terminator records TerminateSession calls.
type terminator struct {
	mu  sync.Mutex
	ids []string
}

func (f *terminator) TerminateSession(_ context.Context, in *ssm.TerminateSessionInput, _ ...func(*ssm.Options)) (*ssm.TerminateSessionOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ids = append(f.ids, aws.ToString(in.SessionId))
	return &ssm.TerminateSessionOutput{SessionId: in.SessionId}, nil
}

func TestConnectOverTLS(t *testing.T) {
	t.Parallel()
	p := testPKI(t)
	sm := secretsClient(t)
	const password = "not-the-real-password-7c1e"
	arn := putSecret(t, sm, `{"username":"`+testpg.Superuser+`","password":"`+password+`","engine":"postgres"}`)
	cases := []struct {
		name    string
		mode    string // fake server mode
		host    string
		tls     TLSMode
		caFile  string
		wantErr string
	}{
		{"verify-full against the RDS CA", "tls", rdsHost, TLSVerifyFull, p.caFile, ""},
		{"require encrypts without verifying", "tls", rdsHost, TLSRequire, "", ""},
		{"verify-full refuses another host name", "tls", "other.cabcdefghijk.eu-west-2.rds.amazonaws.com", TLSVerifyFull, p.caFile, "certificate"},
		{"verify-full refuses an unknown CA", "tls", rdsHost, TLSVerifyFull, "", "certificate"},
		{"no plaintext fallback", "notls", rdsHost, TLSRequire, "", "refused TLS"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			target, db := pgTarget(t)
			f := newFake(t, tc.mode, target, p.certFile, p.keyFile)
			term := &terminator{}
			ctx := context.Background()
			conn, err := Connect(ctx, Options{
				InstanceID: "i-0123456789abcdef0", DBHost: tc.host, DBPort: 5432, DBName: db,
				SecretARN: arn, Region: "eu-west-2", TLS: tc.tls, CAFile: tc.caFile,
				Secrets: sm, Terminator: term, AWSCLI: f.cli, ReadyTimeout: 30 * time.Second,
			})
			if err != nil && strings.Contains(err.Error(), password) {
				t.Fatal("the error reveals the password")
			}
			if tc.wantErr != "" {
				if err == nil {
					_ = conn.Close(ctx)
					t.Fatalf("Connect() succeeded; want an error containing %q", tc.wantErr)
				}
				if !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Connect() = %v; want an error containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Connect() = %v", err)
			}
			tc2, ok := conn.PgConn().Conn().(*tls.Conn)
			if !ok {
				t.Fatalf("the connection is %T; want TLS", conn.PgConn().Conn())
			}
			if st := tc2.ConnectionState(); !st.HandshakeComplete || st.ServerName != rdsHost {
				t.Errorf("TLS state: handshake %v, server name %q; want %q", st.HandshakeComplete, st.ServerName, rdsHost)
			}
			var user string
			if err := conn.QueryRow(ctx, "SELECT current_user").Scan(&user); err != nil || user != testpg.Superuser {
				t.Fatalf("current_user = %q, %v; want the secret's user %q", user, err, testpg.Superuser)
			}
			port := conn.tunnel.LocalPort
			if err := conn.Close(ctx); err != nil {
				t.Fatalf("Close() = %v", err)
			}
			refused(t, port)
			term.mu.Lock()
			defer term.mu.Unlock()
			if len(term.ids) != 1 || term.ids[0] != fakeSession {
				t.Errorf("TerminateSession calls %v; want one for %s", term.ids, fakeSession)
			}
		})
	}
}

func TestConnectChecksTheSecretBeforeStartingASession(t *testing.T) {
	t.Parallel()
	sm := secretsClient(t)
	// A CLI that is never there: reaching it would give ErrNoCLI, not the secret's error.
	missing := filepath.Join(t.TempDir(), "no-aws")
	_, err := Connect(context.Background(), Options{
		InstanceID: "i-0123456789abcdef0", DBHost: rdsHost, DBPort: 5432, DBName: "flip",
		SecretARN: putSecret(t, sm, "hunter2"), Region: "eu-west-2", Secrets: sm, AWSCLI: missing,
	})
	if !errors.Is(err, ErrBadSecret) {
		t.Fatalf("Connect() = %v; want ErrBadSecret", err)
	}
}

func TestReadCredentials(t *testing.T) {
	t.Parallel()
	sm := secretsClient(t)
	const pw = "s3cret-pw-d41d8cd98f00"
	cases := []struct {
		name    string
		value   string
		arn     string // overrides the stored secret's ARN when set
		want    Credentials
		wantErr error
	}{
		{"rds master secret", `{"username":"flip_admin","password":"` + pw + `"}`, "", Credentials{"flip_admin", pw}, nil},
		{"not json", pw, "", Credentials{}, ErrBadSecret},
		{"no password", `{"username":"flip_admin"}`, "", Credentials{}, ErrBadSecret},
		{"no username", `{"password":"` + pw + `"}`, "", Credentials{}, ErrBadSecret},
		{"unknown secret", "", "arn:aws:secretsmanager:eu-west-2:123456789012:secret:rds!db-none-AbCdEf", Credentials{}, nil},
		{"no arn", "", "-", Credentials{}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			arn := tc.arn
			switch arn {
			case "":
				arn = putSecret(t, sm, tc.value)
			case "-":
				arn = ""
			}
			got, err := ReadCredentials(context.Background(), sm, arn)
			if err != nil && strings.Contains(err.Error(), pw) {
				t.Fatal("the error reveals the password")
			}
			wantErr := tc.wantErr != nil || tc.arn != ""
			switch {
			case wantErr && err == nil:
				t.Fatalf("ReadCredentials() = %v; want an error", got)
			case tc.wantErr != nil && !errors.Is(err, tc.wantErr):
				t.Fatalf("ReadCredentials() = %v; want %v", err, tc.wantErr)
			case !wantErr && (err != nil || got != tc.want):
				t.Fatalf("ReadCredentials() = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func TestCredentialsNeverPrintThePassword(t *testing.T) {
	t.Parallel()
	c := Credentials{Username: "flip_admin", Password: "pw-that-must-not-print"}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		if s := fmt.Sprintf(verb, c); strings.Contains(s, c.Password) || strings.Contains(s, fmt.Sprintf("%x", c.Password)) {
			t.Errorf("%s prints the password: %s", verb, s)
		}
	}
}

func TestConnConfig(t *testing.T) {
	t.Parallel()
	creds := Credentials{Username: "flip_admin", Password: "p'w d=x"}
	tlsCfg, err := TLSConfig(TLSRequire, rdsHost, "")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := ConnConfig("127.0.0.1", 40000, "flip", creds, tlsCfg)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Host != "127.0.0.1" || cfg.Port != 40000 || cfg.Database != "flip" || cfg.User != "flip_admin" || cfg.Password != creds.Password {
		t.Errorf("config %s:%d/%s as %s; want 127.0.0.1:40000/flip as flip_admin with the password", cfg.Host, cfg.Port, cfg.Database, cfg.User)
	}
	if cfg.TLSConfig != tlsCfg || len(cfg.Fallbacks) != 0 {
		t.Errorf("TLS %p (want %p), %d fallbacks (want none)", cfg.TLSConfig, tlsCfg, len(cfg.Fallbacks))
	}
	bad := []struct {
		name  string
		db    string
		creds Credentials
		tls   *tls.Config
	}{
		{"database name with a space", "flip db", creds, tlsCfg},
		{"user with a quote", "flip", Credentials{Username: "a'b", Password: "x"}, tlsCfg},
		{"no tls", "flip", creds, nil},
	}
	for _, tc := range bad {
		if _, err := ConnConfig("127.0.0.1", 40000, tc.db, tc.creds, tc.tls); err == nil {
			t.Errorf("%s: ConnConfig() accepted it", tc.name)
		}
	}
}

func TestTLSConfig(t *testing.T) {
	t.Parallel()
	p := testPKI(t)
	empty := filepath.Join(t.TempDir(), "empty.pem")
	if err := os.WriteFile(empty, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		mode     TLSMode
		caFile   string
		wantErr  bool
		insecure bool
	}{
		{"require", TLSRequire, "", false, true},
		{"require with a CA is a mistake", TLSRequire, p.caFile, true, false},
		{"verify-full with a CA file", TLSVerifyFull, p.caFile, false, false},
		{"verify-full with system roots", TLSVerifyFull, "", false, false},
		{"verify-full with no certificate in the file", TLSVerifyFull, empty, true, false},
		{"disable does not exist", TLSMode("disable"), "", true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := TLSConfig(tc.mode, rdsHost, tc.caFile)
			if (err != nil) != tc.wantErr {
				t.Fatalf("TLSConfig() error = %v; want error %v", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			if cfg.ServerName != rdsHost || cfg.InsecureSkipVerify != tc.insecure || cfg.MinVersion < tls.VersionTLS12 {
				t.Errorf("server name %q, skip verify %v, min version %x", cfg.ServerName, cfg.InsecureSkipVerify, cfg.MinVersion)
			}
		})
	}
}
