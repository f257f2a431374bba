package analyze_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gati.dev/gati/cmd/gati/analyze"
	"gati.dev/gati/manifest"
)

const fpHandlers = `package main

import "gati.dev/gati"

type Out struct {
	Msg string ` + "`json:\"msg\"`" + `
}

//gati:route GET /a
func A(g *gati.Global, l *gati.Local, in struct{}) (Out, error) {
	return Out{Msg: "a"}, nil
}

type mod struct{}

func (mod) Init() error {
	return nil
}
`

// TestFingerprint checks which edits change the fingerprint: those that
// can change what Load returns do, an edit inside a plain func's body
// that keeps its lines does not.
func TestFingerprint(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(t *testing.T, dir string)
		same bool
	}{
		{"nothing", func(*testing.T, string) {}, true},
		{"handler body", fpReplace("h.go", `"a"`, `"b" + "c"`), true},
		{"handler body comment", fpReplace("h.go", `return Out`, "// why\n\treturn Out"), false}, // a line more
		{"handler body, same lines", fpReplace("h.go", `return Out`, "x := 1; _ = x; return Out"), true},
		{"body mentions gati:", fpReplace("h.go", `return Out`, "//gati:route GET /b\n\treturn Out"), false},
		{"directive", fpReplace("h.go", "GET /a", "GET /b"), false},
		{"signature", fpReplace("h.go", "in struct{}", "in Out"), false},
		{"type", fpReplace("h.go", "Msg string", "Msg int"), false},
		{"method body", fpReplace("h.go", "return nil", "return error(nil)"), false},
		{"blank line between decls", fpReplace("h.go", "type mod", "\ntype mod"), false},
		{"new file", fpWrite("b.go", "package main\n"), false},
		{"deleted file", fpRemove("h.go"), false},
		{"sub-package file", fpWrite("sub/s.go", "package sub\n"), false},
		{"test file", fpWrite("h_test.go", "package main\n"), true},
		{"gati_gen.go", fpWrite("gati_gen.go", "package main\n// changed\n"), true},
		{"testdata", fpWrite("testdata/x.go", "package x\n"), true},
		{"hidden dir", fpWrite(".gati/x.go", "package x\n"), true},
		{"nested module", func(t *testing.T, dir string) {
			fpWrite("nested/go.mod", "module nested\n")(t, dir)
			fpWrite("nested/n.go", "package nested\n")(t, dir)
		}, true},
		{"go.mod", fpReplace("go.mod", "go 1.26", "go 1.26.1"), false},
		{"go.sum", fpWrite("go.sum", "x v1.0.0 h1:abc=\n"), false},
		{"not parsing", fpWrite("h.go", fpHandlers+"func ("), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			fpWrite("go.mod", "module demo\n\ngo 1.26\n")(t, dir)
			fpWrite("h.go", fpHandlers)(t, dir)
			fpWrite("gati_gen.go", "package main\n")(t, dir)
			before := fingerprint(t, dir)
			tt.edit(t, dir)
			if same := fingerprint(t, dir).Equal(before); same != tt.same {
				t.Errorf("fingerprint unchanged = %v, want %v", same, tt.same)
			}
		})
	}
}

func fingerprint(t *testing.T, dir string) *analyze.Fingerprint {
	t.Helper()
	fp, err := analyze.TakeFingerprint(dir)
	if err != nil {
		t.Fatal(err)
	}
	return fp
}

func fpWrite(name, content string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		t.Helper()
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func fpReplace(name, old, new string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		t.Helper()
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !strings.Contains(string(data), old) {
			t.Fatalf("%s has no %q (%v)", name, old, err)
		}
		fpWrite(name, strings.Replace(string(data), old, new, 1))(t, dir)
	}
}

func fpRemove(name string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		t.Helper()
		if err := os.Remove(filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
}

// TestReposition adds lines at the top of every plain func's body in the
// fixtures: the manifest Reposition derives from the one before must be
// the one Load returns after.
func TestReposition(t *testing.T) {
	t.Parallel()
	funcLine := regexp.MustCompile(`(?m)^(func [A-Za-z]\w*\(.*\{)$`)
	for _, name := range []string{"good", "enums"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := fixture(t, name)
			before := fingerprint(t, dir)
			m, err := analyze.Load(t.Context(), dir)
			if err != nil {
				t.Fatal(err)
			}
			edits := 0
			err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
					return err
				}
				data, err := os.ReadFile(path)
				if err != nil {
					return err
				}
				moved := funcLine.ReplaceAll(data, []byte("$1\n\t// a line\n\t// and another"))
				if !bytes.Equal(moved, data) {
					edits++
				}
				return os.WriteFile(path, moved, 0o644)
			})
			if err != nil || edits == 0 {
				t.Fatalf("editing the fixture: %v (%d files edited)", err, edits)
			}
			after := fingerprint(t, dir)
			if after.Equal(before) {
				t.Fatal("the fingerprint did not change")
			}
			got, ok := analyze.Reposition(m, before, after)
			if !ok {
				t.Fatal("Reposition failed")
			}
			want, err := analyze.Load(t.Context(), dir)
			if err != nil {
				t.Fatal(err)
			}
			gotJSON, _ := manifest.Encode(got)
			wantJSON, _ := manifest.Encode(want)
			oldJSON, _ := manifest.Encode(m)
			if !bytes.Equal(gotJSON, wantJSON) {
				t.Errorf("Reposition gave\n%s\nwant\n%s", gotJSON, wantJSON)
			}
			if name == "good" && bytes.Equal(oldJSON, wantJSON) {
				t.Error("no position moved: the test does not test Reposition")
			}
		})
	}
}

func TestRepositionOtherShape(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fpWrite("go.mod", "module demo\n\ngo 1.26\n")(t, dir)
	fpWrite("h.go", fpHandlers)(t, dir)
	before := fingerprint(t, dir)
	fpReplace("h.go", "GET /a", "GET /b")(t, dir)
	if _, ok := analyze.Reposition(&manifest.Manifest{}, before, fingerprint(t, dir)); ok {
		t.Error("Reposition accepted a directive edit")
	}
}
