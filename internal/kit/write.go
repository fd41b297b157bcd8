package kit

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// FileMode is the only mode a kit file ever has: it holds the trust's keys.
const FileMode fs.FileMode = 0o600

// Path returns dir/.env.<code>.<env> after validating code and env, so the name cannot leave dir.
func Path(dir, code, env string) (string, error) {
	if err := validateCode(code); err != nil {
		return "", err
	}
	if err := validateEnv(env); err != nil {
		return "", err
	}
	return filepath.Join(dir, ".env."+code+"."+env), nil
}

// Write renders the kit for code and env into dir (the trust/ directory, which must exist) and
// returns its path. The existing file, if any, is merged as Render describes. The new content goes
// to a temporary file in dir, created 0600, synced, and renamed over the kit, so a reader sees the
// old file or the new one, never a mix. When the content is already what Render produces the file
// is left alone, apart from its mode: a kit found with any mode other than 0600 (say 0644 after a
// copy) is reset to 0600 either way. A symlink or other non-regular file at the path is refused.
func Write(dir, code, env string, t Trust, h Hub) (string, error) {
	path, err := Path(dir, code, env)
	if err != nil {
		return "", err
	}
	existing, mode, exists, err := readKit(path)
	if err != nil {
		return "", err
	}
	out, err := Render(existing, t, h)
	if err != nil {
		return "", fmt.Errorf("kit %s: %w", path, err)
	}
	if exists && bytes.Equal(existing, out) {
		if mode != FileMode {
			if err := os.Chmod(path, FileMode); err != nil {
				return "", fmt.Errorf("kit %s: set mode 0600: %w", path, err)
			}
		}
		return path, nil
	}
	if err := WriteAtomic(path, out); err != nil {
		return "", fmt.Errorf("kit %s: %w", path, err)
	}
	return path, nil
}

// readKit returns the current kit and its permission bits, refusing anything but a regular file.
func readKit(path string) (data []byte, mode fs.FileMode, exists bool, err error) {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0, false, nil
	}
	if err != nil {
		return nil, 0, false, fmt.Errorf("kit %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, 0, false, fmt.Errorf("kit %s: %w (%s)", path, ErrNotRegular, fi.Mode().Type())
	}
	data, err = os.ReadFile(path)
	if err != nil {
		return nil, 0, false, fmt.Errorf("kit %s: %w", path, err)
	}
	return data, fi.Mode().Perm(), true, nil
}

// WriteAtomic replaces path with data through a 0600 temporary file in the same directory, so a
// reader sees the old file or the new one, never part of one: every file holding trust
// credentials (kits, trust packages) is written this way.
func WriteAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("temporary file: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	// CreateTemp already uses 0600; set it explicitly so nothing (umask, ACL defaults) can widen it.
	if err := tmp.Chmod(FileMode); err != nil {
		return fmt.Errorf("temporary file mode: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("write temporary file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("sync temporary file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close temporary file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("replace %s: %w", path, err)
	}
	// Make the rename durable; a directory that cannot be synced is not worth failing the write for.
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}
