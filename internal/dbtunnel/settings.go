package dbtunnel

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strconv"
	"strings"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/jackc/pgx/v5"

	"github.com/londonaicentre/flip-hub/internal/outcome"
)

// Settings say how an operator's command reaches the hub database: directly with DSN, or through
// the SSM tunnel described by the other fields. hubctl fills them from its flags, the stack's
// outputs and the environment; Open is the one way its commands connect.
type Settings struct {
	// DSN, when set, is used as is (tests and break-glass access); the tunnel fields are ignored.
	DSN string
	// The tunnel: hub host, RDS endpoint, database, master secret and region.
	InstanceID, DBHost string
	DBPort             int
	DBName, SecretARN  string
	Region             string
	// TLS is "require", "verify-full" or empty: verify-full with CAFile, else require.
	TLS, CAFile string
	// AWSCLI, DropEnv and Log are passed to the session (see TunnelOptions).
	AWSCLI  string
	DropEnv []string
	Log     io.Writer
}

// errBadDSN never quotes the DSN: the parser's message can hold its password.
var errBadDSN = errors.New("the DSN is not a PostgreSQL connection string (its value is not shown)")

// Missing names the tunnel fields that are unset (nil when DSN is set): InstanceID, DBHost,
// DBName, SecretARN, Region.
func (s Settings) Missing() []string {
	if s.DSN != "" {
		return nil
	}
	var out []string
	for _, f := range []struct{ name, v string }{
		{"InstanceID", s.InstanceID}, {"DBHost", s.DBHost}, {"DBName", s.DBName}, {"SecretARN", s.SecretARN}, {"Region", s.Region},
	} {
		if f.v == "" {
			out = append(out, f.name)
		}
	}
	return out
}

// Validate checks what can be checked without connecting: the DSN parses, the TLS mode is known.
// Its errors are usage errors.
func (s Settings) Validate() error {
	if s.DSN != "" {
		if _, err := pgx.ParseConfig(s.DSN); err != nil {
			return outcome.Wrap(outcome.Usage, errBadDSN)
		}
		return nil
	}
	_, err := s.tlsMode()
	return err
}

func (s Settings) tlsMode() (TLSMode, error) {
	if s.TLS == "" {
		if s.CAFile != "" {
			return TLSVerifyFull, nil
		}
		return TLSRequire, nil
	}
	m, err := ParseTLSMode(s.TLS)
	if err != nil {
		return "", outcome.Wrap(outcome.Usage, fmt.Errorf("db tls: %w", err))
	}
	return m, nil
}

// Open connects: with the DSN, else through an SSM session with the master password read from its
// secret, using the default AWS credential chain in Region.
func (s Settings) Open(ctx context.Context) (*Conn, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if s.DSN != "" {
		cfg, err := pgx.ParseConfig(s.DSN)
		if err != nil {
			return nil, outcome.Wrap(outcome.Usage, errBadDSN)
		}
		conn, err := pgx.ConnectConfig(ctx, cfg)
		if err != nil {
			return nil, fmt.Errorf("connect with the DSN: %w", err)
		}
		return &Conn{Conn: conn}, nil
	}
	if m := s.Missing(); len(m) > 0 {
		return nil, outcome.Wrap(outcome.Usage, fmt.Errorf("no database connection: the tunnel lacks %s", strings.Join(m, ", ")))
	}
	mode, err := s.tlsMode()
	if err != nil {
		return nil, err
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(s.Region))
	if err != nil {
		return nil, fmt.Errorf("aws config: %w", err)
	}
	return Connect(ctx, Options{
		InstanceID: s.InstanceID, DBHost: s.DBHost, DBPort: s.DBPort, DBName: s.DBName, SecretARN: s.SecretARN,
		Region: s.Region, TLS: mode, CAFile: s.CAFile,
		Secrets: secretsmanager.NewFromConfig(cfg), Terminator: ssm.NewFromConfig(cfg),
		AWSCLI: s.AWSCLI, DropEnv: s.DropEnv, Log: s.Log,
	})
}

// Target says where a connection goes, for a destructive command's confirmation: the stack's
// database through the tunnel, or the database and host of the DSN (never its password). A DSN
// whose server is neither stackDBHost nor this machine (a tunnel's local end) is refused.
func (s Settings) Target(stackDBHost string) (string, error) {
	if s.DSN == "" {
		return fmt.Sprintf("database %s at %s, through the SSM tunnel", s.DBName, s.DBHost), nil
	}
	cfg, err := pgx.ParseConfig(s.DSN)
	if err != nil {
		return "", outcome.Wrap(outcome.Usage, errBadDSN)
	}
	if cfg.Host != stackDBHost && !loopback(cfg.Host) {
		return "", outcome.Errorf(outcome.Refused, "the DSN reaches %s, which is neither the stack's database (%s) "+
			"nor a local tunnel to it; refusing a destructive command on another server", cfg.Host, stackDBHost)
	}
	return fmt.Sprintf("database %s at %s:%d, from the DSN", cfg.Database, cfg.Host, cfg.Port), nil
}

// loopback reports whether host is this machine: a tunnel's local end or a Unix socket.
func loopback(host string) bool {
	if host == "localhost" || strings.HasPrefix(host, "/") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// Source names how an operator gives one setting: its flag and the environment variables read,
// in order, when the flag is not set.
type Source struct {
	Flag string
	Env  []string
}

// Sources are the Source of each setting, for FillFromEnv and RequireTunnel.
type Sources struct {
	DSN, InstanceID, DBHost, DBPort, DBName, SecretARN, Region, CAFile Source
}

// FillFromEnv sets what is still unset from the environment: the tunnel's parts, the CA file, and
// the DSN only when withDSN (never for a destructive command, nor when a stack decides where the
// database is). DBPort defaults to 5432. Bad values are usage errors.
func (s *Settings) FillFromEnv(src Sources, withDSN bool) error {
	fill := func(dst *string, from Source) {
		for _, n := range from.Env {
			if *dst == "" {
				*dst = os.Getenv(n)
			}
		}
	}
	if withDSN {
		fill(&s.DSN, src.DSN)
	}
	fill(&s.InstanceID, src.InstanceID)
	fill(&s.DBHost, src.DBHost)
	fill(&s.DBName, src.DBName)
	fill(&s.SecretARN, src.SecretARN)
	fill(&s.Region, src.Region)
	fill(&s.CAFile, src.CAFile)
	if s.DBPort == 0 {
		var port string
		fill(&port, src.DBPort)
		s.DBPort = 5432
		if port != "" {
			p, err := strconv.Atoi(port)
			if err != nil || p <= 0 || p > 65535 {
				return outcome.Errorf(outcome.Usage, "%s=%q is not a port number", strings.Join(src.DBPort.Env, "/"), port)
			}
			s.DBPort = p
		}
	}
	return s.Validate()
}

// RequireTunnel fails (a usage error naming each missing setting's flag and variables) when s has
// neither a DSN nor every part of the SSM tunnel.
func (s Settings) RequireTunnel(src Sources) error {
	missing := s.Missing()
	if len(missing) == 0 {
		return nil
	}
	by := map[string]Source{"InstanceID": src.InstanceID, "DBHost": src.DBHost, "DBName": src.DBName, "SecretARN": src.SecretARN, "Region": src.Region}
	var want []string
	for _, m := range missing {
		want = append(want, fmt.Sprintf("%s (%s)", by[m].Flag, strings.Join(by[m].Env, ", ")))
	}
	return outcome.Errorf(outcome.Usage, "no database connection: want --stack, %s, or %s for the SSM tunnel", src.DSN.Flag, strings.Join(want, ", "))
}
