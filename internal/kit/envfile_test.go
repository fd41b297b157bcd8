package kit

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRenderManaged(t *testing.T) {
	t.Parallel()
	managed := [][2]string{{"AWS_REGION", "eu-west-2"}, {"DB_HOST", "db.internal"}, {"SECRET_NAME", "flip/stag api"}}
	cases := []struct {
		name     string
		existing string
		want     string
	}{
		{
			name: "new file",
			want: EnvSentinel + "\nAWS_REGION=eu-west-2\nDB_HOST=db.internal\nSECRET_NAME='flip/stag api'\n",
		},
		{
			name:     "operator lines kept, stale managed assignment removed",
			existing: "# mine\nMY_KEY=1\nDB_HOST=old\n\n",
			want:     "# mine\nMY_KEY=1\n\n" + EnvSentinel + "\nAWS_REGION=eu-west-2\nDB_HOST=db.internal\nSECRET_NAME='flip/stag api'\n",
		},
		{
			name:     "managed section rewritten, operator line below it moved up",
			existing: "A=1\n\n" + EnvSentinel + "\nAWS_REGION=us-east-1\nLATE=2\n",
			want:     "A=1\nLATE=2\n\n" + EnvSentinel + "\nAWS_REGION=eu-west-2\nDB_HOST=db.internal\nSECRET_NAME='flip/stag api'\n",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := RenderManaged([]byte(tc.existing), managed)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Fatalf("got\n%s\nwant\n%s", got, tc.want)
			}
			again, err := RenderManaged(got, managed)
			if err != nil || string(again) != string(got) {
				t.Fatalf("not idempotent:\n%s\nthen\n%s (%v)", got, again, err)
			}
		})
	}
	if _, err := RenderManaged(nil, [][2]string{{"BAD KEY", "x"}}); err == nil {
		t.Error("a malformed key was accepted")
	}
	_, err := RenderManaged(nil, [][2]string{{"K", "line\nbreak-secret"}})
	if err == nil || strings.Contains(err.Error(), "break-secret") {
		t.Errorf("unquotable value: %v", err)
	}
}

func TestWriteManagedMode(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), ".env.stag")
	if err := os.WriteFile(path, []byte("KEEP=me\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	changed, err := WriteManaged(path, [][2]string{{"A", "1"}})
	if err != nil || !changed {
		t.Fatalf("first write: changed %v, %v", changed, err)
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != FileMode {
		t.Fatalf("mode %v (%v); want 0600", info.Mode().Perm(), err)
	}
	changed, err = WriteManaged(path, [][2]string{{"A", "1"}})
	if err != nil || changed {
		t.Fatalf("second write changed the file: %v %v", changed, err)
	}
	b, _ := os.ReadFile(path)
	if !strings.HasPrefix(string(b), "KEEP=me\n") {
		t.Fatalf("operator line lost: %q", b)
	}
	if _, err := EnvFileName("dev"); err == nil {
		t.Error("unknown env accepted")
	}
	if n, _ := EnvFileName("production"); n != ".env.production" {
		t.Errorf("env file name %q", n)
	}
}
