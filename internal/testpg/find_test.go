package testpg

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/londonaicentre/flip-hub/internal/testexec"
)

// fakeBin writes an executable (or, with mode 0o644, a non-executable) file at dir/name.
func fakeBin(t *testing.T, dir, name string, mode os.FileMode) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	testexec.Write(t, p, "#!/bin/sh\n", mode)
	return p
}

func TestFindBinaries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// setup lays out fake binaries under root and returns the environment and globs to search.
		setup      func(t *testing.T, root string) (env map[string]string, globs []string)
		wantInitdb string // relative to root; empty means an error is expected
		wantPgCtl  string
	}{
		{
			name: "bin dir variable wins over PATH",
			setup: func(t *testing.T, root string) (map[string]string, []string) {
				fakeBin(t, root+"/env", "initdb", 0o755)
				fakeBin(t, root+"/env", "pg_ctl", 0o755)
				fakeBin(t, root+"/path", "initdb", 0o755)
				fakeBin(t, root+"/path", "pg_ctl", 0o755)
				return map[string]string{BinDirEnv: root + "/env", "PATH": root + "/path"}, nil
			},
			wantInitdb: "env/initdb",
			wantPgCtl:  "env/pg_ctl",
		},
		{
			name: "bin dir variable without binaries fails instead of falling back",
			setup: func(t *testing.T, root string) (map[string]string, []string) {
				fakeBin(t, root+"/path", "initdb", 0o755)
				fakeBin(t, root+"/path", "pg_ctl", 0o755)
				return map[string]string{BinDirEnv: root + "/empty", "PATH": root + "/path"}, nil
			},
		},
		{
			name: "PATH with the two programs in different directories",
			setup: func(t *testing.T, root string) (map[string]string, []string) {
				fakeBin(t, root+"/a", "initdb", 0o755)
				fakeBin(t, root+"/b", "pg_ctl", 0o755)
				return map[string]string{"PATH": root + "/a" + string(os.PathListSeparator) + root + "/b"}, nil
			},
			wantInitdb: "a/initdb",
			wantPgCtl:  "b/pg_ctl",
		},
		{
			name: "non-executable file on PATH is ignored in favour of the versioned dir",
			setup: func(t *testing.T, root string) (map[string]string, []string) {
				fakeBin(t, root+"/path", "initdb", 0o644)
				fakeBin(t, root+"/path", "pg_ctl", 0o755)
				fakeBin(t, root+"/lib/15/bin", "initdb", 0o755)
				fakeBin(t, root+"/lib/15/bin", "pg_ctl", 0o755)
				return map[string]string{"PATH": root + "/path"}, []string{root + "/lib/*/bin"}
			},
			wantInitdb: "lib/15/bin/initdb",
			wantPgCtl:  "lib/15/bin/pg_ctl",
		},
		{
			name: "newest major version wins, numerically not lexically",
			setup: func(t *testing.T, root string) (map[string]string, []string) {
				for _, v := range []string{"9", "15", "17"} {
					fakeBin(t, root+"/lib/"+v+"/bin", "initdb", 0o755)
					fakeBin(t, root+"/lib/"+v+"/bin", "pg_ctl", 0o755)
				}
				return map[string]string{"PATH": ""}, []string{root + "/lib/*/bin"}
			},
			wantInitdb: "lib/17/bin/initdb",
			wantPgCtl:  "lib/17/bin/pg_ctl",
		},
		{
			name: "versioned dir missing pg_ctl is passed over",
			setup: func(t *testing.T, root string) (map[string]string, []string) {
				fakeBin(t, root+"/lib/17/bin", "initdb", 0o755)
				fakeBin(t, root+"/lib/16/bin", "initdb", 0o755)
				fakeBin(t, root+"/lib/16/bin", "pg_ctl", 0o755)
				return map[string]string{}, []string{root + "/lib/*/bin"}
			},
			wantInitdb: "lib/16/bin/initdb",
			wantPgCtl:  "lib/16/bin/pg_ctl",
		},
		{
			name: "nothing installed",
			setup: func(t *testing.T, root string) (map[string]string, []string) {
				return map[string]string{"PATH": root}, []string{root + "/lib/*/bin"}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			env, globs := tc.setup(t, root)
			got, err := findBinaries(func(k string) string { return env[k] }, globs)
			if tc.wantInitdb == "" {
				if !errors.Is(err, ErrNotInstalled) {
					t.Fatalf("findBinaries() error = %v, want ErrNotInstalled", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("findBinaries() error = %v", err)
			}
			want := binaries{initdb: filepath.Join(root, tc.wantInitdb), pgCtl: filepath.Join(root, tc.wantPgCtl)}
			if got != want {
				t.Errorf("findBinaries() = %+v, want %+v", got, want)
			}
		})
	}
}

func TestNotInstalledMessageSaysWhatToDo(t *testing.T) {
	t.Parallel()
	_, err := findBinaries(func(string) string { return "" }, []string{t.TempDir() + "/*/bin"})
	if err == nil {
		t.Fatal("findBinaries() found binaries in an empty directory")
	}
	for _, want := range []string{"initdb", "pg_ctl", "apt-get install postgresql", SkipEnv + "=1", BinDirEnv} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

// recorder is a testing.TB that records Skipf and Fatalf instead of stopping the goroutine.
type recorder struct {
	testing.TB
	skipped, failed bool
	msg             string
}

func (r *recorder) Helper() {}
func (r *recorder) Skipf(format string, args ...any) {
	r.skipped = true
	r.msg = fmt.Sprintf(format, args...)
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = true
	r.msg = fmt.Sprintf(format, args...)
}

func TestReportSkipsOnlyAMissingInstallationAndOnlyWhenAskedTo(t *testing.T) {
	missing := errors.Join(errors.New("testpg: looked everywhere"), ErrNotInstalled)
	broken := errors.New("testpg: pg_ctl start: exit status 1")
	tests := []struct {
		name     string
		skipEnv  string
		err      error
		wantSkip bool
	}{
		{name: "missing without opt-out fails", skipEnv: "", err: missing},
		{name: "missing with FLIP_SKIP_PG=1 skips", skipEnv: "1", err: missing, wantSkip: true},
		{name: "missing with another value fails", skipEnv: "true", err: missing},
		{name: "broken server fails even with opt-out", skipEnv: "1", err: broken},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(SkipEnv, tc.skipEnv)
			r := &recorder{}
			report(r, tc.err)
			if r.skipped != tc.wantSkip || r.failed == tc.wantSkip {
				t.Fatalf("report(): skipped=%v failed=%v, want skipped=%v failed=%v", r.skipped, r.failed, tc.wantSkip, !tc.wantSkip)
			}
			if !strings.Contains(r.msg, tc.err.Error()) {
				t.Errorf("report() message %q does not carry the cause %q", r.msg, tc.err)
			}
			if tc.wantSkip && !strings.Contains(r.msg, SkipEnv+"=1") {
				t.Errorf("skip message %q does not say which variable caused it", r.msg)
			}
		})
	}
	t.Run("Require with nil server and nil error fails", func(t *testing.T) {
		r := &recorder{}
		if got := Require(r, nil, nil); got != nil || !r.failed {
			t.Fatalf("Require(nil, nil) = %v, failed=%v; want nil and a failure", got, r.failed)
		}
	})
}
