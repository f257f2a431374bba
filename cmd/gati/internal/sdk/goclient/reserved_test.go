package goclient

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"slices"
	"testing"
)

// TestReservedNames guards the list of names the API's types must not
// take: every exported name the runtime declares at package level is on
// it, so that a schema named like one (Event, Response) is renamed rather
// than clash.
func TestReservedNames(t *testing.T) {
	t.Parallel()
	names, err := fs.Glob(runtime, "base/*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range names {
		src, _ := runtime.ReadFile(name)
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			var idents []*ast.Ident
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					idents = append(idents, d.Name)
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						idents = append(idents, s.Name)
					case *ast.ValueSpec:
						idents = append(idents, s.Names...)
					}
				}
			}
			for _, id := range idents {
				if id.IsExported() && !slices.Contains(reserved, id.Name) {
					t.Errorf("%s declares %s, which is not in reserved", name, id.Name)
				}
			}
		}
	}
}
