package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"gati.dev/gati/internal/atomicfile"
)

// Dir is the app's directory of generated and state files.
const Dir = ".gati"

// FileName is the manifest's name inside Dir.
const FileName = "manifest.json"

// Path returns the manifest's path for the app in appDir.
func Path(appDir string) string {
	return filepath.Join(appDir, Dir, FileName)
}

// Read reads the manifest of the app in appDir. A missing file is an error
// that matches fs.ErrNotExist; a file written by a newer format is
// rejected.
func Read(appDir string) (*Manifest, error) {
	path := Path(appDir)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	m, err := Decode(data)
	if err != nil {
		return nil, fmt.Errorf("manifest: %s: %w", path, err)
	}
	return m, nil
}

// ErrNewerFormat is wrapped by the error Read and Decode return for a
// manifest written by a newer gati than this one.
var ErrNewerFormat = errors.New("written by a newer gati")

// Decode parses a manifest and checks its schema version.
func Decode(data []byte) (*Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	switch {
	case m.SchemaVersion == 0:
		return nil, errors.New("schema_version is missing")
	case m.SchemaVersion > SchemaVersion:
		return nil, fmt.Errorf("%w: schema_version %d is newer than this gati supports (%d); upgrade gati", ErrNewerFormat, m.SchemaVersion, SchemaVersion)
	}
	return &m, nil
}

// Encode returns m as 2-space indented JSON with a trailing newline. Empty
// lists are written as [], not null. The schema version is always
// SchemaVersion.
func Encode(m *Manifest) ([]byte, error) {
	c := *m
	c.SchemaVersion = SchemaVersion
	c.Packages = nonNil(c.Packages)
	c.Routes = nonNil(c.Routes)
	c.Middleware = nonNil(c.Middleware)
	c.Modules = nonNil(c.Modules)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(&c); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Write writes m to the manifest of the app in appDir, creating Dir if
// needed. It writes a temporary file and renames it, so readers never see
// a partial manifest.
func Write(appDir string, m *Manifest) error {
	data, err := Encode(m)
	if err != nil {
		return fmt.Errorf("manifest: %w", err)
	}
	path := Path(appDir)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("manifest: %w", err)
	}
	if err := atomicfile.Write(path, data); err != nil {
		return fmt.Errorf("manifest: %w", err)
	}
	return nil
}
