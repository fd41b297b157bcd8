package bucket

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/londonaicentre/flip-hub/internal/namer"
)

var (
	bucketNameRE   = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$`)
	reservedPrefix = []string{"xn--", "sthree-", "amzn-s3-demo-"}
	reservedSuffix = []string{"-s3alias", "--ol-s3", "--x-s3", "--table-s3"}
)

// PhysicalName is the globally unique name of a bucket: the stack prefix, its purpose and
// the AWS account ID, e.g. "flip-prod-fl-kits-123456789012". The account makes the name
// unique across AWS and predictable for operators; a name over 63 characters keeps its
// head and ends in a hash of the whole. It refuses a name S3 would reject.
func PhysicalName(prefix, purpose, account string) (string, error) {
	if purpose == "" || account == "" {
		return "", fmt.Errorf("bucket name: want a purpose and an account, got %q and %q", purpose, account)
	}
	name := namer.New(prefix).Bounded(MaxNameLength, purpose, account)
	if err := CheckName(name); err != nil {
		return "", err
	}
	return name, nil
}

// CheckName reports whether S3 accepts name for a general-purpose bucket. Dots are
// refused too: they break TLS certificate matching on virtual-hosted addresses.
func CheckName(name string) error {
	if !bucketNameRE.MatchString(name) {
		return fmt.Errorf("bucket name %q: want 3-63 lower-case letters, digits and hyphens, starting and ending with a letter or digit", name)
	}
	for _, p := range reservedPrefix {
		if strings.HasPrefix(name, p) {
			return fmt.Errorf("bucket name %q: the prefix %q is reserved by S3", name, p)
		}
	}
	for _, s := range reservedSuffix {
		if strings.HasSuffix(name, s) {
			return fmt.Errorf("bucket name %q: the suffix %q is reserved by S3", name, s)
		}
	}
	return nil
}

func (a Args) validate() error {
	if a.BucketName == nil && a.ImportID == "" {
		return fmt.Errorf("want a bucket name or an import ID")
	}
	if a.ImportID != "" {
		if err := CheckName(a.ImportID); err != nil {
			return fmt.Errorf("import ID: %w", err)
		}
	}
	switch a.Encryption {
	case "", SSEKMS:
		if a.KMSKeyARN == nil {
			return fmt.Errorf("SSE-KMS needs a KMS key ARN")
		}
		if a.SSES3Reason != "" {
			return fmt.Errorf("an SSE-S3 reason is given for an SSE-KMS bucket")
		}
	case SSES3:
		if strings.TrimSpace(a.SSES3Reason) == "" {
			return fmt.Errorf("SSE-S3 instead of the stack key needs a reason (which log delivery requires it)")
		}
	default:
		return fmt.Errorf("encryption %q is neither %s nor %s", a.Encryption, SSEKMS, SSES3)
	}
	if a.ACLsEnabled && strings.TrimSpace(a.ACLReason) == "" {
		return fmt.Errorf("enabling ACLs needs a reason (which log delivery writes through them)")
	}
	if a.AccessLogBucket == nil && strings.TrimSpace(a.NoAccessLogReason) == "" {
		return fmt.Errorf("a bucket without server access logging needs a reason")
	}
	if a.AccessLogBucket != nil && a.NoAccessLogReason != "" {
		return fmt.Errorf("both an access-log bucket and a reason for having none are given")
	}
	if a.NoncurrentVersionDays < 0 || a.ExpireAfterDays < 0 {
		return fmt.Errorf("lifecycle days must not be negative")
	}
	for i, r := range a.CORSRules {
		if err := r.validate(); err != nil {
			return fmt.Errorf("cors rule %d: %w", i, err)
		}
	}
	for i, g := range a.Grants {
		if g.Statements == nil {
			return fmt.Errorf("grant %d has no statements function", i)
		}
	}
	return nil
}

func (r CORSRule) validate() error {
	if len(r.AllowedMethods) == 0 || len(r.AllowedOrigins) == 0 {
		return fmt.Errorf("want at least one method and one origin")
	}
	for _, m := range r.AllowedMethods {
		if !slices.Contains(corsMethods, m) {
			return fmt.Errorf("method %q is not one of %v", m, corsMethods)
		}
	}
	for _, o := range r.AllowedOrigins {
		if strings.Contains(o, "*") || !strings.HasPrefix(o, "https://") || strings.TrimPrefix(o, "https://") == "" {
			return fmt.Errorf("origin %q: want a full https origin without wildcards", o)
		}
	}
	if r.MaxAgeSeconds < 0 {
		return fmt.Errorf("max age %d is negative", r.MaxAgeSeconds)
	}
	return nil
}
