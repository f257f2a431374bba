// Package atomicfile writes files so that readers see the old content or
// the new, never a half-written file: what Gati's tools write under an
// app (manifest, generated code) is read concurrently by the go command
// and the dev server.
package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
)

// Write writes data to path through a temporary file in the same directory
// and a rename, with mode 0644. The temporary name starts with a dot, so
// the go command ignores it meanwhile; it is removed on failure.
func Write(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	err = errors.Join(err, f.Chmod(0o644), f.Close())
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
	}
	return err
}
