package testmoto_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
)

// newLoopbackServer starts h on 127.0.0.1 explicitly and returns its URL.
func newLoopbackServer(t *testing.T, h http.Handler) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen on loopback: %v", err)
	}
	srv := &httptest.Server{Listener: l, Config: &http.Server{Handler: h}}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.URL
}
