package bucket

import (
	"fmt"

	"github.com/londonaicentre/flip-hub/internal/iamdoc"
)

// MinTLSVersion is the oldest TLS version any bucket accepts.
const MinTLSVersion = "1.2"

// Sids of the statements every bucket policy starts with.
const (
	SidDenyInsecureTransport = "DenyInsecureTransport"
	SidDenyOldTLS            = "DenyTLSOlderThan12"
)

// TLSOnly returns the denials every bucket policy starts with: no request over plain
// HTTP (aws:SecureTransport false), and none over TLS older than MinTLSVersion. They
// apply to every principal, the account's own included.
func TLSOnly(bucketARN string) []iamdoc.Statement {
	resources := []string{bucketARN, bucketARN + "/*"}
	everyone := map[string]any{"AWS": "*"}
	return []iamdoc.Statement{
		{
			Sid:       SidDenyInsecureTransport,
			Effect:    iamdoc.Deny,
			Principal: everyone,
			Action:    []string{"s3:*"},
			Resource:  resources,
			Condition: map[string]map[string]any{"Bool": {"aws:SecureTransport": "false"}},
		},
		{
			Sid:       SidDenyOldTLS,
			Effect:    iamdoc.Deny,
			Principal: everyone,
			Action:    []string{"s3:*"},
			Resource:  resources,
			Condition: map[string]map[string]any{"NumericLessThan": {"s3:TlsVersion": MinTLSVersion}},
		},
	}
}

// Policy renders a bucket's policy: TLSOnly, then extra. It refuses duplicate Sids and
// any Allow to a wildcard principal without a condition, which would make the bucket
// public (and which the public access block would reject at deploy time anyway).
func Policy(bucketARN string, extra ...iamdoc.Statement) (string, error) {
	statements := append(TLSOnly(bucketARN), extra...)
	seen := map[string]bool{}
	for _, s := range statements {
		if s.Sid != "" {
			if seen[s.Sid] {
				return "", fmt.Errorf("bucket policy: statement id %q is used twice", s.Sid)
			}
			seen[s.Sid] = true
		}
		if s.Effect == iamdoc.Allow && len(s.Condition) == 0 && wildcardPrincipal(s.Principal) {
			return "", fmt.Errorf("bucket policy: statement %q allows any principal without a condition", s.Sid)
		}
	}
	return iamdoc.JSON(statements...)
}

func wildcardPrincipal(p map[string]any) bool {
	for _, v := range p {
		switch x := v.(type) {
		case string:
			if x == "*" {
				return true
			}
		case []string:
			for _, e := range x {
				if e == "*" {
					return true
				}
			}
		case []any:
			for _, e := range x {
				if e == "*" {
					return true
				}
			}
		}
	}
	return false
}
