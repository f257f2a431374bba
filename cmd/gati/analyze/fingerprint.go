package analyze

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
)

// fingerprintVersion changes whenever the analysis starts reading
// something Fingerprint leaves out (a function body, say), so that no
// fingerprint taken before matches one taken after.
const fingerprintVersion = "gati-analyze-fingerprint/1"

// Fingerprint is a hash of what Load reads from the app's own source.
// Two equal fingerprints mean Load would return the same manifest, for
// the same dependencies outside the app's directory: Fingerprint does
// not read those.
type Fingerprint [sha256.Size]byte

// TakeFingerprint hashes the inputs of Load in dir: go.mod, go.sum and
// vendor/modules.txt as they are; every Go file of the module except
// tests and gati_gen.go, with the bodies of plain funcs (not methods)
// blanked out; the Go version and the analyzer's. Load reads no plain
// func's body (a directive inside one is an error, so a body mentioning
// "gati:" is kept) and positions in the manifest are lines, which the
// newlines left in each blanked body keep: an edit inside a handler's
// body that adds no line leaves the fingerprint as it was.
//
// Take it before Load: a file saved during Load then makes the next
// fingerprint differ.
func TakeFingerprint(dir string) (Fingerprint, error) {
	dir = filepath.Clean(dir)
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00", fingerprintVersion, runtime.Version())
	files, err := fingerprintFiles(dir)
	if err != nil {
		return Fingerprint{}, fmt.Errorf("analyze: %w", err)
	}
	for _, rel := range files {
		src, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			return Fingerprint{}, fmt.Errorf("analyze: %w", err)
		}
		if strings.HasSuffix(rel, ".go") {
			src = withoutBodies(src)
		}
		fmt.Fprintf(h, "%s\x00%d\x00", filepath.ToSlash(rel), len(src))
		h.Write(src)
	}
	var f Fingerprint
	h.Sum(f[:0])
	return f, nil
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

// withoutBodies returns src with the body of every plain func replaced by
// the newlines it holds, unless the body mentions "gati:". A file that
// does not parse comes back whole.
func withoutBodies(src []byte) []byte {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", src, parser.SkipObjectResolution)
	if err != nil {
		return src
	}
	out := make([]byte, 0, len(src))
	last := 0
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Recv != nil || fd.Body == nil {
			continue
		}
		start, end := fset.Position(fd.Body.Lbrace).Offset+1, fset.Position(fd.Body.Rbrace).Offset
		body := src[start:end]
		if bytes.Contains(bytes.ToLower(body), []byte("gati:")) {
			continue
		}
		out = append(out, src[last:start]...)
		out = append(out, bytes.Repeat([]byte("\n"), bytes.Count(body, []byte("\n")))...)
		last = end
	}
	return append(out, src[last:]...)
}
