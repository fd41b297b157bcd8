package status_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/londonaicentre/flip-hub/internal/status"
)

const hubDomain = "stag.flip.example.test"

// testCA issues certificates for the hub's domain.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

func newCA(t *testing.T) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "status test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(10 * 365 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &testCA{cert: cert, key: key, pool: pool}
}

// leaf issues a certificate for hubDomain valid until notAfter.
func (ca *testCA) leaf(t *testing.T, notAfter time.Time) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: hubDomain},
		DNSNames: []string{hubDomain}, NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: notAfter,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// hub starts a local HTTPS server standing in for CloudFront at hubDomain: / answers 200 and
// /api/health answers apiStatus. The returned client trusts ca and dials the server for any address.
func hub(t *testing.T, ca *testCA, cert tls.Certificate, apiStatus int) *http.Client {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("<!doctype html>")) })
	mux.HandleFunc("/api/health", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(apiStatus) })
	srv := httptest.NewUnstartedServer(mux)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	addr := srv.Listener.Addr().String()
	return &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: ca.pool, MinVersion: tls.VersionTLS12},
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		},
	}}
}

func TestHTTPS(t *testing.T) {
	t.Parallel()
	ca := newCA(t)
	now := time.Now()
	longLived := ca.leaf(t, now.Add(80*24*time.Hour))
	shortLived := ca.leaf(t, now.Add(10*24*time.Hour))
	expired := ca.leaf(t, now.Add(-time.Hour))
	ui, api := "https://"+hubDomain+"/", "https://"+hubDomain+"/api/health"
	cases := []struct {
		name   string
		cert   tls.Certificate
		api    int
		check  func(c *http.Client) status.Check
		ok     bool
		detail string
	}{
		{"ui answers 200", longLived, 200, func(c *http.Client) status.Check { return status.HTTPStatus(c, "https /", ui, 200, "fix") }, true, "200 OK"},
		{"api health 200", longLived, 200, func(c *http.Client) status.Check { return status.HTTPStatus(c, "https /api/health", api, 200, "fix") }, true, "200 OK"},
		{"api health 500", longLived, 500, func(c *http.Client) status.Check { return status.HTTPStatus(c, "https /api/health", api, 200, "fix") }, false, "answered 500"},
		{"certificate with 80 days left", longLived, 200, func(c *http.Client) status.Check {
			return status.Certificate(c, ui, status.MinCertValidity, nil)
		}, true, "(79 days)"},
		{"certificate with 10 days left", shortLived, 200, func(c *http.Client) status.Check {
			return status.Certificate(c, ui, status.MinCertValidity, nil)
		}, false, "in 9 days; want at least 21"},
		{"expired certificate", expired, 200, func(c *http.Client) status.Check {
			return status.Certificate(c, ui, status.MinCertValidity, nil)
		}, false, "certificate has expired"},
		{"expired certificate fails the ui too", expired, 200, func(c *http.Client) status.Check {
			return status.HTTPStatus(c, "https /", ui, 200, "fix")
		}, false, "x509"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			run(t, tc.check(hub(t, ca, tc.cert, tc.api)), tc.ok, tc.detail)
		})
	}

	t.Run("untrusted certificate", func(t *testing.T) {
		t.Parallel()
		other := newCA(t)
		c := hub(t, other, other.leaf(t, now.Add(80*24*time.Hour)), 200)
		c.Transport.(*http.Transport).TLSClientConfig.RootCAs = ca.pool
		run(t, status.Certificate(c, ui, status.MinCertValidity, nil), false, "unknown authority")
	})
	t.Run("plain http", func(t *testing.T) {
		t.Parallel()
		srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
		t.Cleanup(srv.Close)
		run(t, status.Certificate(srv.Client(), srv.URL, status.MinCertValidity, nil), false, "not served over TLS")
	})
}

func TestTCP(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			_ = c.Close()
		}
	}()
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := closed.Addr().String()
	_ = closed.Close()

	run(t, status.TCP(&net.Dialer{}, "fl-endpoint", l.Addr().String(), "fix"), true, "accepted a TCP connection")
	run(t, status.TCP(&net.Dialer{}, "fl-endpoint", closedAddr, "fix"), false, "connection refused")
}
