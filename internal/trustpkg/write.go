package trustpkg

import (
	"fmt"
	"os"
	"path/filepath"
)

// writeAtomic replaces path with data through a 0600 temporary file in the same directory, so a
// reader sees the old archive or the new one, never part of one.
func writeAtomic(path string, data []byte) (err error) {
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
	if err := tmp.Chmod(fileMode); err != nil {
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
		return fmt.Errorf("replace archive: %w", err)
	}
	// Make the rename durable; a directory that cannot be synced is not worth failing the write for.
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}
