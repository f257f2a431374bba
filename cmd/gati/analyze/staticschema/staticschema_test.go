package staticschema_test

import (
	"errors"
	"go/token"
	"go/types"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"

	"gati.dev/gati/cmd/gati/analyze/staticschema"
)

func loadCorpus(t *testing.T) (*token.FileSet, *types.Scope) {
	t.Helper()
	fset := token.NewFileSet()
	pkgs, err := packages.Load(&packages.Config{Context: t.Context(), Fset: fset, Mode: packages.NeedName | packages.NeedTypes}, corpusPath)
	if err != nil || len(pkgs) != 1 || len(pkgs[0].Errors) > 0 {
		t.Fatalf("loading %s: %v %v", corpusPath, err, pkgs)
	}
	return fset, pkgs[0].Types.Scope()
}

// TestErrorPosition checks that an error names and locates the field at
// fault, in the nested type.
func TestErrorPosition(t *testing.T) {
	fset, scope := loadCorpus(t)
	_, err := staticschema.For(scope.Lookup("BadNested").Type())
	e, ok := errors.AsType[*staticschema.Error](err)
	if !ok {
		t.Fatalf("For(BadNested) = %v, want a *staticschema.Error", err)
	}
	pos := fset.Position(e.Pos)
	if filepath.Base(pos.Filename) != "corpus.go" || e.Field != "Name" || e.Type != "corpus.BadMaxLength" ||
		e.Err.Error() != `tag maxLength:"x": invalid syntax` {
		t.Errorf("error at %v: field %s.%s: %v", pos, e.Type, e.Field, e.Err)
	}
	want := `schema: corpus.BadMaxLength.Name: tag maxLength:"x": invalid syntax (field corpus.BadNested.Inner)`
	if err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}

// TestConfigEnums checks that Config.Enums decides which packages' types
// with constants are enums.
func TestConfigEnums(t *testing.T) {
	_, scope := loadCorpus(t)
	status := scope.Lookup("Status").Type()
	none := &staticschema.Config{Enums: func(*types.Package) bool { return false }}
	tests := []struct {
		cfg  *staticschema.Config
		want string
	}{
		{&staticschema.Config{}, `{"$ref":"#/$defs/Status","$defs":{"Status":{"type":"string","enum":["todo","doing","done"]}}}`},
		{none, `{"type":"string"}`},
	}
	for _, tt := range tests {
		s, err := tt.cfg.For(status)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Canonical(); string(got) != tt.want {
			t.Errorf("For(Status) = %s, want %s", got, tt.want)
		}
	}
	// Standard-library types are never enums by default.
	month := scope.Lookup("Roots").Type().Underlying().(*types.Struct)
	for i := range month.NumFields() {
		f := month.Field(i)
		if f.Name() != "Month" && f.Name() != "Duration" {
			continue
		}
		s, err := staticschema.For(f.Type())
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Canonical(); !strings.HasPrefix(string(got), `{"type":"integer"`) {
			t.Errorf("For(%s) = %s, want an integer", f.Type(), got)
		}
	}
}
