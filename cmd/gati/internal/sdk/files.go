// Package sdk writes what gati generate produces for one API version: the
// OpenAPI document, the TypeScript client and the Go client, each from the
// one API model (internal/api), into an output directory, all or nothing.
package sdk

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Files are generated files by slash-separated path relative to an output
// directory.
type Files map[string][]byte

// Paths returns the paths of f, sorted.
func (f Files) Paths() []string {
	paths := make([]string, 0, len(f))
	for p := range f {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	return paths
}

// add puts every file of g under dir.
func (f Files) add(dir string, g map[string][]byte) {
	for p, b := range g {
		f[pathJoin(dir, p)] = b
	}
}

func pathJoin(dir, p string) string {
	if dir == "" || dir == "." {
		return p
	}
	return dir + "/" + p
}

// Owned lists the directories whose whole content a generator owns: a
// file in one of them that the generator no longer writes is stale and is
// removed. Files outside them are only ever overwritten.
type Owned []string

// Stale compares f with what dir holds and lists the files that differ,
// are missing, or are left over in an owned directory, sorted; none means
// dir is current.
func Stale(dir string, f Files, owned Owned) ([]string, error) {
	var stale []string
	for _, p := range f.Paths() {
		have, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		if err != nil || !bytes.Equal(have, f[p]) {
			stale = append(stale, p)
		}
	}
	extra, err := leftovers(dir, f, owned)
	if err != nil {
		return nil, err
	}
	stale = append(stale, extra...)
	slices.Sort(stale)
	return stale, nil
}

// leftovers lists the files of the owned directories that f does not hold.
func leftovers(dir string, f Files, owned Owned) ([]string, error) {
	var out []string
	for _, o := range owned {
		root := filepath.Join(dir, filepath.FromSlash(o))
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			if err != nil || d.IsDir() {
				return err
			}
			rel, err := filepath.Rel(dir, p)
			if err != nil {
				return err
			}
			if rel = filepath.ToSlash(rel); f[rel] == nil {
				out = append(out, rel)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Write makes dir hold f: every file is written to a temporary file beside
// its target first, and only when all of them are written are they renamed
// into place, so a failure (a full disk) leaves the previous generation
// whole. Files left over in the owned directories are removed afterwards.
// It returns the paths that changed.
func Write(dir string, f Files, owned Owned) ([]string, error) {
	changed, err := Stale(dir, f, owned)
	if err != nil {
		return nil, err
	}
	var temps []string
	cleanup := func() {
		for _, t := range temps {
			_ = os.Remove(t)
		}
	}
	type move struct{ from, to string }
	var moves []move
	for _, p := range changed {
		b, ok := f[p]
		if !ok {
			continue // a leftover, removed below
		}
		target := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			cleanup()
			return nil, err
		}
		tmp, err := writeTemp(target, b)
		if err != nil {
			cleanup()
			return nil, err
		}
		temps = append(temps, tmp)
		moves = append(moves, move{tmp, target})
	}
	for _, m := range moves {
		if err := os.Rename(m.from, m.to); err != nil {
			cleanup()
			return nil, err
		}
	}
	for _, p := range changed {
		if _, ok := f[p]; !ok {
			if err := os.Remove(filepath.Join(dir, filepath.FromSlash(p))); err != nil {
				return nil, err
			}
		}
	}
	return changed, nil
}

func writeTemp(target string, b []byte) (string, error) {
	t, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".*.tmp")
	if err != nil {
		return "", err
	}
	_, werr := t.Write(b)
	cerr := t.Close()
	if err := errors.Join(werr, cerr); err != nil {
		_ = os.Remove(t.Name())
		return "", fmt.Errorf("writing %s: %w", target, err)
	}
	return t.Name(), nil
}

// Summary describes f for a progress line: "openapi.json, ts/ (3 files),
// goclient/ (1 file)".
func Summary(f Files) string {
	counts := map[string]int{}
	var order []string
	for _, p := range f.Paths() {
		top, _, nested := strings.Cut(p, "/")
		key := top
		if nested {
			key += "/"
		}
		if counts[key] == 0 {
			order = append(order, key)
		}
		counts[key]++
	}
	parts := make([]string, len(order))
	for i, k := range order {
		switch {
		case !strings.HasSuffix(k, "/"):
			parts[i] = k
		case counts[k] == 1:
			parts[i] = k + " (1 file)"
		default:
			parts[i] = fmt.Sprintf("%s (%d files)", k, counts[k])
		}
	}
	return strings.Join(parts, ", ")
}
