package analyze

import (
	"bytes"
	"fmt"
	"go/token"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"

	"gati.dev/gati/manifest"
)

// importSet names the packages gati_gen.go imports, aliasing one only when
// its name is taken.
type importSet struct {
	mainPath string            // the main package: its names need no import
	names    map[string]string // import path to the name used in the file
	real     map[string]string // import path to package name, from the manifest
	taken    map[string]bool
	enums    bool // gatiRegister registers enums: import reflect and schema
}

func newImportSet(m *manifest.Manifest) *importSet {
	s := &importSet{
		mainPath: mainImportPath(m),
		names:    map[string]string{},
		real:     map[string]string{},
		taken:    map[string]bool{"gati": true, "app": true}, // the import and gatiRegister's parameter
	}
	for _, p := range m.Packages {
		s.real[p.Path] = p.Name
	}
	if len(registeredEnums(m)) > 0 {
		s.enums = true
		s.taken["reflect"], s.taken["schema"] = true, true
	}
	for _, p := range usedPackages(m) {
		s.add(p)
	}
	return s
}

func mainImportPath(m *manifest.Manifest) string {
	if m.MainDir == "" || m.MainDir == "." {
		return m.Module
	}
	return path.Join(m.Module, m.MainDir)
}

// usedPackages returns the sorted import paths gati_gen.go refers to.
func usedPackages(m *manifest.Manifest) []string {
	var paths []string
	used := map[string]bool{}
	for _, r := range m.Routes {
		paths = append(paths, r.Handler.Package)
		for _, name := range r.Middleware {
			used[name] = true
		}
	}
	for _, mw := range m.Middleware {
		if mw.Global || used[mw.Name] {
			paths = append(paths, mw.Package)
		}
	}
	for _, e := range registeredEnums(m) {
		paths = append(paths, e.Package)
	}
	slices.Sort(paths)
	return slices.Compact(paths)
}

// add picks a name for the package at importPath: its own, or its own with
// a number when that is taken.
func (s *importSet) add(importPath string) {
	if importPath == s.mainPath {
		return
	}
	base := s.real[importPath]
	if base == "" {
		base = identFrom(path.Base(importPath))
	}
	name := base
	for i := 2; s.taken[name]; i++ {
		name = base + strconv.Itoa(i)
	}
	s.taken[name] = true
	s.names[importPath] = name
}

// identFrom turns a path element into an identifier: "go-redis" → "goredis".
func identFrom(elem string) string {
	id := strings.Map(func(r rune) rune {
		if r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' {
			return r
		}
		return -1
	}, elem)
	if !token.IsIdentifier(id) {
		id = "pkg" + id
	}
	return id
}

// qualify returns the expression naming fn of the package at importPath.
func (s *importSet) qualify(importPath, fn string) string {
	if importPath == s.mainPath {
		return fn
	}
	name, ok := s.names[importPath]
	if !ok { // not listed in the manifest's middleware or routes
		s.add(importPath)
		name = s.names[importPath]
	}
	return name + "." + fn
}

// write writes the import block.
func (s *importSet) write(w *bytes.Buffer) {
	w.WriteString("import (\n")
	if s.enums {
		w.WriteString("\t\"reflect\"\n\n\t\"gati.dev/gati/schema\"\n")
	}
	w.WriteString("\t\"gati.dev/gati\"\n")
	for _, p := range slices.Sorted(maps.Keys(s.names)) {
		if name := s.names[p]; name != s.real[p] {
			fmt.Fprintf(w, "\t%s %q\n", name, p)
		} else {
			fmt.Fprintf(w, "\t%q\n", p)
		}
	}
	w.WriteString(")\n\n")
}
