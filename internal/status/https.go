package status

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// MinCertValidity is how long the hub's certificate must still be valid: ACM renews DNS-validated
// certificates from 60 days before expiry, so 21 days left means renewal has been failing for weeks.
const MinCertValidity = 21 * 24 * time.Hour

// HTTPDoer sends HTTP requests; *http.Client satisfies it. Tests give it a Transport that trusts a
// local TLS server and dials it for the hub's domain.
type HTTPDoer interface {
	Do(req *http.Request) (*http.Response, error)
}

var _ HTTPDoer = (*http.Client)(nil)

// HTTPStatus checks that GET url answers want (200 for the UI and /api/health).
func HTTPStatus(c HTTPDoer, name, url string, want int, fix string) Check {
	return &Func{
		CheckName: name,
		Fix:       fix,
		Fn: func(ctx context.Context) (string, error) {
			resp, err := get(ctx, c, url)
			if err != nil {
				return "", err
			}
			defer resp.Body.Close()
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
			if resp.StatusCode != want {
				return "", fmt.Errorf("GET %s answered %s; want %d", url, resp.Status, want)
			}
			return fmt.Sprintf("GET %s: %s", url, resp.Status), nil
		},
	}
}

// Certificate checks that url serves a certificate chain that verifies (the client's own checks) and
// whose earliest expiry is at least minValidity after now.
func Certificate(c HTTPDoer, url string, minValidity time.Duration, now func() time.Time) Check {
	if now == nil {
		now = time.Now
	}
	const renewFix = "ACM renews the CloudFront certificate (us-east-1) only while its DNS validation records " +
		"(stack output certificateValidationRecords) are in the zone: put them back, then check the " +
		"certificate's renewal status in ACM"
	return &Func{
		CheckName: "certificate",
		Fix: renewFix + "; if the certificate does not verify at all, check the domain points at the CloudFront " +
			"distribution (stack output distributionDomainName)",
		Fn: func(ctx context.Context) (string, error) {
			resp, err := get(ctx, c, url)
			if err != nil {
				return "", err
			}
			defer resp.Body.Close()
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
			if resp.TLS == nil || len(resp.TLS.PeerCertificates) == 0 {
				return "", problem("the hub is served over HTTPS only: check the CloudFront viewer protocol policy", nil,
					"%s was not served over TLS", url)
			}
			first := resp.TLS.PeerCertificates[0]
			for _, cert := range resp.TLS.PeerCertificates[1:] {
				if cert.NotAfter.Before(first.NotAfter) {
					first = cert
				}
			}
			left := first.NotAfter.Sub(now())
			days := int(left.Hours() / 24)
			if left < minValidity {
				return "", problem(renewFix, nil, "certificate %q expires %s, in %d days; want at least %d",
					first.Subject.CommonName, first.NotAfter.UTC().Format("2006-01-02"), days, int(minValidity.Hours()/24))
			}
			return fmt.Sprintf("valid until %s (%d days)", first.NotAfter.UTC().Format("2006-01-02"), days), nil
		},
	}
}

func get(ctx context.Context, c HTTPDoer, url string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("request %s: %w", url, err)
	}
	req.Header.Set("User-Agent", "hubctl-status")
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	return resp, nil
}

// Dialer opens TCP connections; *net.Dialer satisfies it.
type Dialer interface {
	DialContext(ctx context.Context, network, address string) (net.Conn, error)
}

var _ Dialer = (*net.Dialer)(nil)

// TCP checks that addr accepts a TCP connection. fix says what to do when it does not.
func TCP(d Dialer, name, addr, fix string) Check {
	return &Func{
		CheckName: name,
		Fix:       fix,
		Fn: func(ctx context.Context) (string, error) {
			start := time.Now()
			conn, err := d.DialContext(ctx, "tcp", addr)
			if err != nil {
				return "", fmt.Errorf("connect to %s: %w", addr, err)
			}
			_ = conn.Close()
			return fmt.Sprintf("%s accepted a TCP connection in %s", addr, time.Since(start).Round(time.Millisecond)), nil
		},
	}
}
