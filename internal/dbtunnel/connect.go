package dbtunnel

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// TLSMode says how the database's certificate is checked. There is no mode without TLS: RDS forces
// it (rds.force_ssl) and the connection carries the registrar's writes.
type TLSMode string

// The TLS modes.
const (
	// TLSRequire encrypts without verifying the certificate. The unverified hop runs from the hub
	// host to RDS inside the VPC; the hop to the hub host is the SSM session, authenticated by AWS.
	TLSRequire TLSMode = "require"
	// TLSVerifyFull also verifies the certificate chain (against CAFile, or the system roots) and
	// that it names the RDS endpoint, although the connection goes to a local port.
	TLSVerifyFull TLSMode = "verify-full"
)

// ParseTLSMode accepts "require" and "verify-full".
func ParseTLSMode(s string) (TLSMode, error) {
	switch m := TLSMode(s); m {
	case TLSRequire, TLSVerifyFull:
		return m, nil
	}
	return "", fmt.Errorf("tls mode %q; want %q or %q", s, TLSRequire, TLSVerifyFull)
}

// Options describe a tunnelled connection to the hub database.
type Options struct {
	// InstanceID is the hub host the session goes through.
	InstanceID string
	// DBHost and DBPort are the RDS endpoint; DBName is the hub database.
	DBHost string
	DBPort int
	DBName string
	// SecretARN is the RDS-managed master user secret.
	SecretARN string
	// Region is the AWS region of the hub.
	Region string
	// TLS is the certificate check; CAFile a PEM bundle for TLSVerifyFull (such as the RDS global
	// bundle), the system roots when empty.
	TLS    TLSMode
	CAFile string
	// Secrets reads the master secret; Terminator (optional) ends the session on AWS on Close.
	Secrets    SecretGetter
	Terminator SessionTerminator
	// AWSCLI, DropEnv, ReadyTimeout and Log are passed to the session (see TunnelOptions).
	AWSCLI       string
	DropEnv      []string
	ReadyTimeout time.Duration
	Log          io.Writer
}

// Conn is a database connection, through an SSM session unless it was opened with a DSN. Close
// ends both.
type Conn struct {
	*pgx.Conn
	tunnel *Tunnel
}

// Close closes the connection and the session.
func (c *Conn) Close(ctx context.Context) error {
	err := c.Conn.Close(ctx)
	if c.tunnel == nil {
		return err
	}
	return errors.Join(err, c.tunnel.Close())
}

// Connect reads the master credentials, opens the session and connects over TLS through it. The
// session is closed again on any failure, and when ctx ends.
//
// The master credentials come from the RDS-managed secret in Secrets Manager; the TLS server name
// is the RDS endpoint, not the local end of the tunnel. Conn.Close ends the session and kills its
// whole process group.
func Connect(ctx context.Context, o Options) (*Conn, error) {
	if o.Secrets == nil {
		return nil, fmt.Errorf("db connect: no secrets manager client")
	}
	if o.TLS == "" {
		o.TLS = TLSRequire
	}
	tlsCfg, err := TLSConfig(o.TLS, o.DBHost, o.CAFile)
	if err != nil {
		return nil, err
	}
	// Read the secret before starting anything, so a missing permission fails fast and alone.
	creds, err := ReadCredentials(ctx, o.Secrets, o.SecretARN)
	if err != nil {
		return nil, err
	}
	tun, err := Open(ctx, TunnelOptions{
		InstanceID:   o.InstanceID,
		RemoteHost:   o.DBHost,
		RemotePort:   o.DBPort,
		Region:       o.Region,
		AWSCLI:       o.AWSCLI,
		DropEnv:      o.DropEnv,
		ReadyTimeout: o.ReadyTimeout,
		Log:          o.Log,
		Terminator:   o.Terminator,
	})
	if err != nil {
		return nil, err
	}
	cfg, err := ConnConfig("127.0.0.1", tun.LocalPort, o.DBName, creds, tlsCfg)
	if err != nil {
		_ = tun.Close()
		return nil, err
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		_ = tun.Close()
		return nil, fmt.Errorf("db connect to %s through %s: %w", o.DBHost, o.InstanceID, err)
	}
	return &Conn{Conn: conn, tunnel: tun}, nil
}

// TLSConfig builds the client TLS settings for a database whose certificate names serverName.
func TLSConfig(mode TLSMode, serverName, caFile string) (*tls.Config, error) {
	cfg := &tls.Config{ServerName: serverName, MinVersion: tls.VersionTLS12}
	switch mode {
	case TLSRequire:
		if caFile != "" {
			return nil, fmt.Errorf("db tls: a CA file only makes sense with %s", TLSVerifyFull)
		}
		// Encryption without authentication; see TLSRequire.
		cfg.InsecureSkipVerify = true
		return cfg, nil
	case TLSVerifyFull:
		pool, err := roots(caFile)
		if err != nil {
			return nil, err
		}
		cfg.RootCAs = pool
		return cfg, nil
	}
	_, err := ParseTLSMode(string(mode))
	return nil, fmt.Errorf("db tls: %w", err)
}

func roots(caFile string) (*x509.CertPool, error) {
	if caFile == "" {
		pool, err := x509.SystemCertPool()
		if err != nil {
			return nil, fmt.Errorf("db tls: system roots: %w", err)
		}
		return pool, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("db tls: ca file: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("db tls: ca file %s holds no PEM certificate", caFile)
	}
	return pool, nil
}

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_$-]{0,62}$`)

// ConnConfig is the pgx configuration for a database reached at host:port (the local end of the
// session) with the given TLS settings. TLS is mandatory: no plaintext fallback is kept. The
// password goes into the config, never into a connection string.
func ConnConfig(host string, port int, dbName string, creds Credentials, tlsCfg *tls.Config) (*pgx.ConnConfig, error) {
	if !identRE.MatchString(dbName) {
		return nil, fmt.Errorf("db connect: database name %q is not a PostgreSQL identifier", dbName)
	}
	if !identRE.MatchString(creds.Username) {
		return nil, fmt.Errorf("db connect: user name %q from the secret is not a PostgreSQL identifier", creds.Username)
	}
	if tlsCfg == nil {
		return nil, fmt.Errorf("db connect: no tls settings; the hub database is only reached over tls")
	}
	dsn := strings.Join([]string{
		"host=" + host,
		"port=" + strconv.Itoa(port),
		"dbname=" + dbName,
		"user=" + creds.Username,
		"sslmode=require",
		"connect_timeout=30",
		"application_name=hubctl",
	}, " ")
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("db connect: %w", err)
	}
	cfg.Password = creds.Password
	cfg.TLSConfig = tlsCfg
	cfg.Fallbacks = nil
	return cfg, nil
}
