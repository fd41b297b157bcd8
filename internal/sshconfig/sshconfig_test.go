package sshconfig

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var stag = Host{Alias: "flip-stag", InstanceID: "i-0123456789abcdef0", Region: "eu-west-2", User: "ubuntu", IdentityFile: "~/.ssh/id_ed25519"}

func TestBlock(t *testing.T) {
	t.Parallel()
	b, err := Block(stag)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"# BEGIN hubctl flip-stag\n", "Host flip-stag\n", "  HostName i-0123456789abcdef0\n",
		"--document-name AWS-StartSSHSession", "--parameters portNumber=%p", "send-ssh-public-key --instance-id %h",
		"file://~/.ssh/id_ed25519.pub", "aws --region eu-west-2 ssm start-session", "# END hubctl flip-stag\n",
	} {
		if !strings.Contains(b, want) {
			t.Errorf("block lacks %q:\n%s", want, b)
		}
	}
	bad := []Host{
		{Alias: "Flip Stag", InstanceID: stag.InstanceID, Region: "eu-west-2", User: "ubuntu", IdentityFile: "~/.ssh/k"},
		{Alias: "flip", InstanceID: "i-1; rm -rf /", Region: "eu-west-2", User: "ubuntu", IdentityFile: "~/.ssh/k"},
		{Alias: "flip", InstanceID: stag.InstanceID, Region: "eu-west-2a", User: "ubuntu", IdentityFile: "~/.ssh/k"},
		{Alias: "flip", InstanceID: stag.InstanceID, Region: "eu-west-2", User: "ubuntu", IdentityFile: "~/.ssh/k'$(x)"},
		{Alias: "flip", InstanceID: stag.InstanceID, Region: "eu-west-2", User: "ubuntu", IdentityFile: "~/.ssh/k", Profile: "a b"},
	}
	for _, h := range bad {
		if _, err := Block(h); err == nil {
			t.Errorf("Block(%+v) accepted", h)
		}
	}
}

func TestMerge(t *testing.T) {
	t.Parallel()
	block, _ := Block(stag)
	newer := stag
	newer.InstanceID = "i-0fedcba9876543210"
	newBlock, _ := Block(newer)
	cases := []struct {
		name, existing, want string
	}{
		{"empty file", "", block},
		{"appended after other hosts", "Host other\n  HostName x", "Host other\n  HostName x\n\n" + block},
		{"own block replaced in place", "Host a\n\n" + block + "\nHost b\n", "Host a\n\n" + newBlock + "\nHost b\n"},
		{"a prod block is left alone", strings.ReplaceAll(block, "flip-stag", "flip-prod"), strings.ReplaceAll(block, "flip-stag", "flip-prod") + "\n" + newBlock},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			use := block
			if strings.Contains(tc.want, newer.InstanceID) {
				use = newBlock
			}
			got, err := Merge([]byte(tc.existing), "flip-stag", use)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Fatalf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
	if _, err := Merge([]byte("# BEGIN hubctl flip-stag\nHost x\n"), "flip-stag", block); err == nil {
		t.Error("a block without its end marker was overwritten")
	}
}

func TestWrite(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "ssh", "config")
	if err := Write(path, stag); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("new ssh config mode %v (%v); want 0600", info.Mode().Perm(), err)
	}
	if err := Write(path, stag); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if n := strings.Count(string(b), "Host flip-stag"); n != 1 {
		t.Fatalf("%d blocks after writing twice; want 1", n)
	}
}
