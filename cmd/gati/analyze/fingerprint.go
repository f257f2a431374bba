package analyze

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"gati.dev/gati/manifest"
)

// fingerprintVersion changes whenever the analysis starts reading
// something Fingerprint leaves out (a function body, say), so that no
// fingerprint taken before matches one taken after.
const fingerprintVersion = "gati-analyze-fingerprint/2"

// Fingerprint sums up what Load reads from the app's own source, in two
// parts: the shape, a hash of everything but positions and the bodies of
// plain funcs, and the anchors, the lines of each file's directives and
// top-level declarations. Equal fingerprints mean Load would return the
// same manifest, for the same dependencies outside the app's directory,
// which Fingerprint does not read. Equal shapes with other anchors mean
// the same manifest but for the positions: see [Reposition].
type Fingerprint struct {
	shape   [sha256.Size]byte
	anchors map[string][]int // by file, relative and slash-separated
}

// Equal reports whether f and g describe the same source.
func (f *Fingerprint) Equal(g *Fingerprint) bool {
	return f.shape == g.shape && maps.EqualFunc(f.anchors, g.anchors, slices.Equal)
}

// TakeFingerprint sums up the inputs of Load in dir: go.mod, go.sum and
// vendor/modules.txt as they are; every Go file of the module except
// tests and gati_gen.go, with the bodies of plain funcs (not methods)
// left out; the Go version and the analyzer's. Load reads no plain
// func's body (a directive inside one is an error, so a body mentioning
// "gati:" is kept), and what it reports of positions are the lines of
// directives and declarations, the anchors. So an edit inside a handler's
// body leaves the fingerprint as it was, unless it adds or removes lines:
// then only the anchors after it move.
//
// To know which source a manifest describes, take it before and after
// Load: when the two differ, a file was saved during Load.
func TakeFingerprint(dir string) (*Fingerprint, error) {
	dir = filepath.Clean(dir)
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00", fingerprintVersion, runtime.Version())
	files, err := fingerprintFiles(dir)
	if err != nil {
		return nil, fmt.Errorf("analyze: %w", err)
	}
	fp := &Fingerprint{anchors: map[string][]int{}}
	for _, rel := range files {
		src, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			return nil, fmt.Errorf("analyze: %w", err)
		}
		rel = filepath.ToSlash(rel)
		if strings.HasSuffix(rel, ".go") {
			src, fp.anchors[rel] = shapeOfFile(src)
		}
		fmt.Fprintf(h, "%s\x00%d\x00", rel, len(src))
		h.Write(src)
	}
	h.Sum(fp.shape[:0])
	return fp, nil
}

// fingerprintFiles lists, sorted, the files of the module in dir that the
// go command reads for ./...: it skips what go skips (directories named
// testdata or starting with . or _, nested modules) and vendor, but for
// its modules.txt.
func fingerprintFiles(dir string) ([]string, error) {
	files := []string{"go.mod", "go.sum", "vendor/modules.txt"}
	files = slices.DeleteFunc(files, func(f string) bool {
		_, err := os.Stat(filepath.Join(dir, f))
		return err != nil
	})
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path == dir {
				return nil
			}
			if name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") || path == filepath.Join(dir, GenFile) {
			return nil
		}
		rel, err := filepath.Rel(dir, path)
		files = append(files, rel)
		return err
	})
	slices.Sort(files)
	return files, err
}

// shapeOfFile returns src without the bodies of its plain funcs, unless
// a body mentions "gati:", and the anchors' lines. A file that does not
// parse comes back whole, its anchors nil: it can be compared, not
// repositioned.
func shapeOfFile(src []byte) ([]byte, []int) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return src, nil
	}
	out := make([]byte, 0, len(src))
	last := 0
	var anchors []token.Pos
	for _, d := range f.Decls {
		anchors = append(anchors, declNames(d)...)
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Recv != nil || fd.Body == nil {
			continue
		}
		start, end := fset.Position(fd.Body.Lbrace).Offset+1, fset.Position(fd.Body.Rbrace).Offset
		if bytes.Contains(bytes.ToLower(src[start:end]), []byte("gati:")) {
			continue
		}
		out = append(out, src[last:start]...)
		last = end
	}
	for _, cg := range f.Comments {
		for _, c := range cg.List {
			if strings.HasPrefix(c.Text, directivePrefix) {
				anchors = append(anchors, c.Slash)
			}
		}
	}
	slices.Sort(anchors)
	lines := make([]int, len(anchors))
	for i, p := range anchors {
		lines[i] = fset.Position(p).Line
	}
	return append(out, src[last:]...), lines
}

// declNames returns the positions of the names d declares.
func declNames(d ast.Decl) []token.Pos {
	switch d := d.(type) {
	case *ast.FuncDecl:
		return []token.Pos{d.Name.Pos()}
	case *ast.GenDecl:
		var ps []token.Pos
		for _, s := range d.Specs {
			switch s := s.(type) {
			case *ast.TypeSpec:
				ps = append(ps, s.Name.Pos())
			case *ast.ValueSpec:
				for _, n := range s.Names {
					ps = append(ps, n.Pos())
				}
			}
		}
		return ps
	}
	return nil
}

// Reposition returns a copy of m, the manifest Load returned for the
// source fingerprinted as old, with the positions it holds moved to where
// the source fingerprinted as now has them: what Load would return for
// it, when both have the same shape. It returns false when the shapes
// differ or an entry of m is at no anchor of old.
func Reposition(m *manifest.Manifest, old, now *Fingerprint) (*manifest.Manifest, bool) {
	if old.shape != now.shape {
		return nil, false
	}
	c := *m
	c.Routes, c.Middleware = slices.Clone(m.Routes), slices.Clone(m.Middleware)
	c.Modules, c.Enums = slices.Clone(m.Modules), slices.Clone(m.Enums)
	ok := true
	move := func(file string, line *int) {
		was, in := old.anchors[file]
		if !in { // not a file of the app: it did not change
			return
		}
		i, found := slices.BinarySearch(was, *line)
		if !found || len(now.anchors[file]) != len(was) {
			ok = false
			return
		}
		*line = now.anchors[file][i]
	}
	for i := range c.Routes {
		move(c.Routes[i].File, &c.Routes[i].Line)
	}
	for i := range c.Middleware {
		move(c.Middleware[i].File, &c.Middleware[i].Line)
	}
	for i := range c.Modules {
		move(c.Modules[i].File, &c.Modules[i].Line)
	}
	for i := range c.Enums {
		move(c.Enums[i].File, &c.Enums[i].Line)
	}
	return &c, ok
}
