package testmoto

import (
	"strings"
	"testing"
)

func TestTailKeepsLastBytes(t *testing.T) {
	tests := []struct {
		name   string
		max    int
		writes []string
		want   string
	}{
		{name: "under limit", max: 10, writes: []string{"ab", "cd"}, want: "abcd"},
		{name: "exactly limit", max: 4, writes: []string{"ab", "cd"}, want: "abcd"},
		{name: "over limit keeps tail", max: 4, writes: []string{"abc", "def"}, want: "cdef"},
		{name: "single large write", max: 3, writes: []string{"0123456789"}, want: "789"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tl := &tail{max: tc.max}
			for _, w := range tc.writes {
				n, err := tl.Write([]byte(w))
				if err != nil || n != len(w) {
					t.Fatalf("Write(%q) = %d, %v", w, n, err)
				}
			}
			if got := tl.String(); got != tc.want {
				t.Fatalf("tail = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCheckLoopback(t *testing.T) {
	tests := []struct {
		addr    string
		wantErr string
	}{
		{addr: "127.0.0.1:5000"},
		{addr: "127.3.2.1:5000"},
		{addr: "[::1]:5000"},
		{addr: "localhost:5000"},
		{addr: "10.0.0.1:443", wantErr: "non-loopback"},
		{addr: "0.0.0.0:5000", wantErr: "non-loopback"},
		{addr: "[::]:5000", wantErr: "non-loopback"},
		{addr: "ssm.eu-west-2.amazonaws.com:443", wantErr: "non-loopback"},
		{addr: "localhost.evil.example:80", wantErr: "non-loopback"},
		{addr: "no-port", wantErr: "missing port"},
	}
	for _, tc := range tests {
		t.Run(tc.addr, func(t *testing.T) {
			err := checkLoopback(tc.addr)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("checkLoopback(%q) = %v, want nil", tc.addr, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("checkLoopback(%q) = %v, want error containing %q", tc.addr, err, tc.wantErr)
			}
		})
	}
}
