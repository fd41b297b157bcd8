package kit

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// listDir returns the names in dir, sorted.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

func modeOf(t *testing.T, path string) fs.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func TestWriteCreatesPrivateFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct{ code, env string }{
		{code: "gstt", env: "stag"},
		{code: "kch", env: "production"},
	}
	for _, tc := range tests {
		path, err := Write(dir, tc.code, tc.env, testTrust(), testHub())
		if err != nil {
			t.Fatalf("Write(%s, %s) error = %v", tc.code, tc.env, err)
		}
		if want := filepath.Join(dir, ".env."+tc.code+"."+tc.env); path != want {
			t.Errorf("Write() path = %s, want %s", path, want)
		}
		if m := modeOf(t, path); m != 0o600 {
			t.Errorf("new kit mode = %o, want 600", m)
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != wantNewFile {
			t.Errorf("kit content mismatch\n%s", got)
		}
	}
	if got, want := listDir(t, dir), []string{".env.gstt.stag", ".env.kch.production"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("directory holds %v, want only %v (no temporary files)", got, want)
	}
}

func TestWriteRewrite(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		existing  string
		mode      fs.FileMode
		want      string
		wantSame  bool // the file must not be replaced (same inode)
		trustEdit func(*Trust)
	}{
		{name: "merges into an operator file and fixes 0644", existing: operatorFile, mode: 0o644, want: wantMergedFile},
		{name: "merges into a 0640 file", existing: "LOG_LEVEL=debug\n", mode: 0o640, want: "LOG_LEVEL=debug\n\n" + wantNewFile},
		{name: "identical content is left in place", existing: wantNewFile, mode: 0o600, want: wantNewFile, wantSame: true},
		{name: "identical content with a wide mode only gets chmod", existing: wantNewFile, mode: 0o644, want: wantNewFile, wantSame: true},
		{
			name: "identical content with keys kept from the file", existing: wantNewFile, mode: 0o600, want: wantNewFile, wantSame: true,
			trustEdit: func(tr *Trust) { tr.APIKey, tr.InternalServiceKey = "", "" },
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, ".env.gstt.stag")
			if err := os.WriteFile(path, []byte(tc.existing), tc.mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tc.mode); err != nil { // WriteFile's mode is subject to umask
				t.Fatal(err)
			}
			before, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			tr := testTrust()
			if tc.trustEdit != nil {
				tc.trustEdit(&tr)
			}
			if _, err := Write(dir, "gstt", "stag", tr, testHub()); err != nil {
				t.Fatalf("Write() error = %v", err)
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("kit content mismatch\n--- got ---\n%s\n--- want ---\n%s", got, tc.want)
			}
			if m := modeOf(t, path); m != 0o600 {
				t.Errorf("kit mode after rewrite = %o, want 600", m)
			}
			after, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if same := os.SameFile(before, after); same != tc.wantSame {
				t.Errorf("file kept in place = %v, want %v", same, tc.wantSame)
			}

			// A second write is byte-identical and does not replace the file.
			if _, err := Write(dir, "gstt", "stag", tr, testHub()); err != nil {
				t.Fatalf("second Write() error = %v", err)
			}
			again, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if string(again) != string(got) {
				t.Errorf("second write changed the file")
			}
			final, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if !os.SameFile(after, final) {
				t.Errorf("second, idempotent write replaced the file")
			}
			if names := listDir(t, dir); len(names) != 1 {
				t.Errorf("directory holds %v, want only the kit", names)
			}
		})
	}
}

func TestWriteRefusesBadTargets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		code    string
		env     string
		wantErr error
	}{
		{name: "parent escape", code: "../x", env: "stag", wantErr: ErrInvalidCode},
		{name: "absolute", code: "/etc/passwd", env: "stag", wantErr: ErrInvalidCode},
		{name: "slash inside", code: "a/b", env: "stag", wantErr: ErrInvalidCode},
		{name: "space", code: "GS TT", env: "stag", wantErr: ErrInvalidCode},
		{name: "empty code", code: "", env: "stag", wantErr: ErrInvalidCode},
		{name: "dotted code", code: "a.b", env: "stag", wantErr: ErrInvalidCode},
		{name: "env escape", code: "gstt", env: "../../x", wantErr: ErrInvalidEnv},
		{name: "unknown env", code: "gstt", env: "dev", wantErr: ErrInvalidEnv},
		{name: "prod is not production", code: "gstt", env: "prod", wantErr: ErrInvalidEnv},
		{name: "empty env", code: "gstt", env: "", wantErr: ErrInvalidEnv},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			parent := t.TempDir()
			dir := filepath.Join(parent, "trust")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			path, err := Write(dir, tc.code, tc.env, testTrust(), testHub())
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Write(%q, %q) = %q, %v; want %v", tc.code, tc.env, path, err, tc.wantErr)
			}
			assertNoSecrets(t, err.Error())
			if names := listDir(t, dir); len(names) != 0 {
				t.Errorf("trust dir holds %v after a refused write", names)
			}
			if names := listDir(t, parent); len(names) != 1 {
				t.Errorf("parent dir holds %v after a refused write", names)
			}
		})
	}
}

func TestWriteRefusesSymlink(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	target := filepath.Join(dir, "elsewhere")
	if err := os.WriteFile(target, []byte("SOMETHING=else\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, filepath.Join(dir, ".env.gstt.stag")); err != nil {
		t.Fatal(err)
	}
	if _, err := Write(dir, "gstt", "stag", testTrust(), testHub()); !errors.Is(err, ErrNotRegular) {
		t.Fatalf("Write() over a symlink error = %v, want ErrNotRegular", err)
	}
	got, err := os.ReadFile(target)
	if err != nil || string(got) != "SOMETHING=else\n" {
		t.Errorf("symlink target changed: %q, %v", got, err)
	}
	if m := modeOf(t, target); m != 0o644 {
		t.Errorf("symlink target mode changed to %o", m)
	}
}

func TestWriteLeavesFileAloneOnError(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, ".env.gstt.production")
	original := "LOG_LEVEL=debug\n" // no keys: a render without keys must fail
	if err := os.WriteFile(path, []byte(original), 0o600); err != nil {
		t.Fatal(err)
	}
	tr := testTrust()
	tr.APIKey = ""
	_, err := Write(dir, "gstt", "production", tr, testHub())
	if !errors.Is(err, ErrMissingValue) {
		t.Fatalf("Write() error = %v, want ErrMissingValue", err)
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != original {
		t.Errorf("kit changed by a failed write: %q, %v", got, err)
	}
	if names := listDir(t, dir); len(names) != 1 {
		t.Errorf("directory holds %v, want only the kit", names)
	}
}

func TestWriteMissingDirectory(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "no-such-trust-dir")
	if _, err := Write(dir, "gstt", "stag", testTrust(), testHub()); err == nil || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Write() into a missing directory error = %v, want not-exist", err)
	} else {
		assertNoSecrets(t, err.Error())
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Write() created the directory")
	}
}
