package sshconfig

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/londonaicentre/flip-hub/internal/awsid"
)

// Host describes one host to reach: the hub host or an AWS-hosted trust's host.
type Host struct {
	// Alias is the name operators type: `ssh <Alias>`.
	Alias      string
	InstanceID string
	Region     string
	// User is the login user of the host image (ubuntu on the hub's Ubuntu AMI).
	User string
	// IdentityFile is the private key whose .pub is pushed before each session.
	IdentityFile string
	// Profile is an optional AWS CLI profile.
	Profile string
}

var (
	aliasRE   = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
	userRE    = regexp.MustCompile(`^[a-z_][a-z0-9_-]{0,31}$`)
	profileRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)
	pathRE    = regexp.MustCompile(`^[A-Za-z0-9_./~-]+$`)
)

// ErrInvalid marks a host description that cannot be written safely.
var ErrInvalid = errors.New("invalid ssh host")

func (h Host) validate() error {
	switch {
	case !aliasRE.MatchString(h.Alias):
		return fmt.Errorf("%w: alias %q; want lower-case letters, digits and -", ErrInvalid, h.Alias)
	case !awsid.Instance(h.InstanceID):
		return fmt.Errorf("%w: instance %q; want an EC2 instance ID such as i-0123456789abcdef0", ErrInvalid, h.InstanceID)
	case !awsid.Region(h.Region):
		return fmt.Errorf("%w: region %q; want a region such as eu-west-2", ErrInvalid, h.Region)
	case !userRE.MatchString(h.User):
		return fmt.Errorf("%w: user %q", ErrInvalid, h.User)
	case !pathRE.MatchString(h.IdentityFile):
		return fmt.Errorf("%w: identity file %q; want a plain path such as ~/.ssh/id_ed25519", ErrInvalid, h.IdentityFile)
	case h.Profile != "" && !profileRE.MatchString(h.Profile):
		return fmt.Errorf("%w: profile %q", ErrInvalid, h.Profile)
	}
	return nil
}

func begin(alias string) string { return "# BEGIN hubctl " + alias }
func end(alias string) string   { return "# END hubctl " + alias }

// Block renders the ssh config block of a host, markers included.
func Block(h Host) (string, error) {
	if err := h.validate(); err != nil {
		return "", err
	}
	aws := "aws --region " + h.Region
	if h.Profile != "" {
		aws += " --profile " + h.Profile
	}
	proxy := fmt.Sprintf(`sh -c '%s ec2-instance-connect send-ssh-public-key --instance-id %%h --instance-os-user %%r --ssh-public-key file://%s.pub >/dev/null && %s ssm start-session --target %%h --document-name AWS-StartSSHSession --parameters portNumber=%%p'`,
		aws, h.IdentityFile, aws)
	lines := []string{
		begin(h.Alias),
		"# Written by hubctl ssh-config: reaches the host through SSM; port 22 is never opened.",
		"Host " + h.Alias,
		"  HostName " + h.InstanceID,
		"  User " + h.User,
		"  IdentityFile " + h.IdentityFile,
		"  IdentitiesOnly yes",
		"  ProxyCommand " + proxy,
		"  ServerAliveInterval 30",
		end(h.Alias),
	}
	return strings.Join(lines, "\n") + "\n", nil
}

// Merge replaces the block of alias in existing with block (appending it when absent) and
// leaves every other line untouched.
func Merge(existing []byte, alias, block string) ([]byte, error) {
	text := string(existing)
	b, e := begin(alias), end(alias)
	start := indexLine(text, b)
	if start < 0 {
		if text != "" && !strings.HasSuffix(text, "\n") {
			text += "\n"
		}
		if text != "" {
			text += "\n"
		}
		return []byte(text + block), nil
	}
	stop := indexLine(text[start:], e)
	if stop < 0 {
		return nil, fmt.Errorf("ssh config: %q has no matching %q; fix the file by hand", b, e)
	}
	stop += start + len(e)
	if stop < len(text) && text[stop] == '\n' {
		stop++
	}
	return []byte(text[:start] + block + text[stop:]), nil
}

// indexLine finds line as a whole line of text.
func indexLine(text, line string) int {
	for off := 0; off < len(text); {
		i := strings.Index(text[off:], line)
		if i < 0 {
			return -1
		}
		at := off + i
		startOK := at == 0 || text[at-1] == '\n'
		after := at + len(line)
		endOK := after == len(text) || text[after] == '\n' || text[after] == '\r'
		if startOK && endOK {
			return at
		}
		off = at + len(line)
	}
	return -1
}

// Write merges the blocks of hosts into the ssh config at path (created 0600 with its
// directory 0700 when absent), keeping the file's mode otherwise.
func Write(path string, hosts ...Host) error {
	existing, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("read %s: %w", path, err)
	}
	mode := os.FileMode(0o600)
	if info, statErr := os.Stat(path); statErr == nil {
		mode = info.Mode().Perm()
	}
	out := existing
	for _, h := range hosts {
		block, err := Block(h)
		if err != nil {
			return err
		}
		if out, err = Merge(out, h.Alias, block); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("ssh config dir: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".hubctl-ssh-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(out); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
