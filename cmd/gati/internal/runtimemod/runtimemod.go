// Package runtimemod carries the Gati runtime this CLI was built with, the
// gati.dev/gati module, as a Go module zip, and installs it into the Go
// module cache, so that an app made by gati create builds offline and with
// no replace directive: its go.mod requires [Version] and its go.sum holds
// [Sums].
//
// The zip is generated (go generate ./internal/runtimemod) from the root
// module's files and committed; TestZipIsCurrent fails when it is stale.
//
// # Versions
//
// [Version] is a pseudo-version v0.0.0-<time>-<12 hex of the content
// hash>, so two different runtimes never share a version in a module
// cache, or the release tag the generator was given (-version v1.2.0).
package runtimemod

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/module"
	"golang.org/x/mod/sumdb/dirhash"
	modzip "golang.org/x/mod/zip"
)

//go:generate go run ./gen

// Path is the module path of the Gati runtime.
const Path = "gati.dev/gati"

// ZipName is the name of the embedded zip, next to this file.
const ZipName = "gati.zip"

// skipFiles are files of the root directory that are not the module's:
// the workspace files tie the checkout's modules together for development.
var skipFiles = []string{"go.work", "go.work.sum"}

// Files lists the files of the module rooted at root, slash-separated and
// sorted, as the module zip holds them: everything except nested modules
// (directories with a go.mod), entries whose name starts with "." or "_",
// the workspace files, and what .gitignore keeps out of the repository
// (bin/ directories, *.test and *.prof files).
func Files(root string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil || rel == "." {
			return err
		}
		rel = filepath.ToSlash(rel)
		name := d.Name()
		if d.IsDir() {
			if skipDir(p, name) {
				return filepath.SkipDir
			}
			return nil
		}
		if skipFile(rel, name) || !d.Type().IsRegular() {
			return nil
		}
		files = append(files, rel)
		return nil
	})
	slices.Sort(files)
	return files, err
}

func skipDir(p, name string) bool {
	if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "bin" {
		return true
	}
	_, err := os.Stat(filepath.Join(p, "go.mod"))
	return err == nil
}

func skipFile(rel, name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") ||
		slices.Contains(skipFiles, rel) || path.Ext(name) == ".test" || path.Ext(name) == ".prof"
}

// HashFiles is the h1: hash of the files Files lists: it changes exactly
// when the module's content does, whatever its version.
func HashFiles(root string, files []string) (string, error) {
	return dirhash.Hash1(files, func(name string) (io.ReadCloser, error) {
		return os.Open(filepath.Join(root, filepath.FromSlash(name)))
	})
}

// PseudoVersion returns v0.0.0-<t in UTC>-<12 hex of contentHash>.
func PseudoVersion(t time.Time, contentHash string) (string, error) {
	sum, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(contentHash, "h1:"))
	if err != nil || len(sum) != sha256.Size {
		return "", fmt.Errorf("runtimemod: %q is not an h1: hash", contentHash)
	}
	return module.PseudoVersion("", "", t.UTC(), hex.EncodeToString(sum)[:12]), nil
}

// Zip writes the module zip of the files at version.
func Zip(w io.Writer, root, version string, files []string) error {
	zf := make([]modzip.File, len(files))
	for i, f := range files {
		zf[i] = dirFile{root: root, rel: f}
	}
	return modzip.Create(w, module.Version{Path: Path, Version: version}, zf)
}

// dirFile is a file of the module for modzip.Create.
type dirFile struct{ root, rel string }

func (f dirFile) Path() string { return f.rel }

func (f dirFile) Lstat() (fs.FileInfo, error) { return os.Lstat(f.abs()) }

func (f dirFile) Open() (io.ReadCloser, error) { return os.Open(f.abs()) }

func (f dirFile) abs() string { return filepath.Join(f.root, filepath.FromSlash(f.rel)) }

// FindRoot returns the directory of the gati.dev/gati checkout that holds
// dir, looking upwards.
func FindRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.HasPrefix(data, []byte("module "+Path+"\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("runtimemod: no gati.dev/gati checkout above the working directory")
		}
		dir = parent
	}
}

// zipFile returns the content of name (relative to the module root) in
// the embedded zip.
func zipFile(name string) ([]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(zipData), int64(len(zipData)))
	if err != nil {
		return nil, err
	}
	f, err := zr.Open(Path + "@" + Version + "/" + name)
	if err != nil {
		return nil, fmt.Errorf("runtimemod: embedded zip: %w", err)
	}
	defer f.Close()
	return io.ReadAll(f)
}

// File returns the content of name, slash-separated and relative to the
// module root, in the runtime the CLI carries: the source of the
// gati.dev/gati it scaffolds apps with.
func File(name string) ([]byte, error) { return zipFile(name) }
