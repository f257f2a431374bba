package manifest_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gati.dev/gati/manifest"
)

func sample() *manifest.Manifest {
	return &manifest.Manifest{
		Module:    "example.com/demo",
		MainDir:   ".",
		GoVersion: "1.26.0",
		Packages:  []manifest.Package{{Path: "example.com/demo/users", Name: "users", Dir: "users"}},
		Routes: []manifest.Route{{
			Method: "POST", Path: "/users", Pattern: "POST /users",
			Handler: manifest.Handler{Package: "example.com/demo/users", Func: "Create", Kind: manifest.Typed},
			File:    "users/create.go", Line: 12, Status: 201, Name: "createUser", Middleware: []string{"Auth"},
			Request: &manifest.TypeRef{Package: "example.com/demo/users", Name: "CreateIn", Type: "users.CreateIn",
				Fields: []manifest.Field{{Name: "Name", Type: "string", JSON: "name", Source: manifest.SourceBody}}},
			Response: &manifest.TypeRef{Package: "example.com/demo/users", Name: "User", Type: "*users.User", Pointer: true},
		}},
		Middleware: []manifest.Middleware{{Name: "Auth", Kind: manifest.Native, Package: "example.com/demo/users",
			Func: "Auth", File: "users/auth.go", Line: 8}},
		Modules: []manifest.Module{{Package: "example.com/demo/users", Type: "Store", Pointer: true,
			File: "users/store.go", Line: 10, Implements: []string{"Initializer"}}},
	}
}

func TestWriteRead(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	m := sample()
	if err := manifest.Write(dir, m); err != nil {
		t.Fatal(err)
	}
	got, err := manifest.Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	m.SchemaVersion = manifest.SchemaVersion
	if !reflect.DeepEqual(got, m) {
		t.Errorf("read back\n%+v\nwant\n%+v", got, m)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, manifest.Dir))
	if len(entries) != 1 {
		t.Errorf("%s holds %d entries, want only the manifest (no temp files left)", manifest.Dir, len(entries))
	}
}

func TestEncodeFormat(t *testing.T) {
	t.Parallel()
	data, err := manifest.Encode(&manifest.Manifest{Module: "example.com/x", MainDir: ".", GoVersion: "1.26.0"})
	if err != nil {
		t.Fatal(err)
	}
	want := `{
  "schema_version": 1,
  "module": "example.com/x",
  "main_dir": ".",
  "go_version": "1.26.0",
  "packages": [],
  "routes": [],
  "middleware": [],
  "modules": []
}
`
	if string(data) != want {
		t.Errorf("Encode =\n%s\nwant\n%s", data, want)
	}
}

func TestEncodeDeterministic(t *testing.T) {
	t.Parallel()
	a, _ := manifest.Encode(sample())
	b, _ := manifest.Encode(sample())
	if string(a) != string(b) {
		t.Error("two encodings of the same manifest differ")
	}
	if strings.Contains(string(a), `\u003c`) || !strings.HasSuffix(string(a), "}\n") {
		t.Errorf("unexpected encoding:\n%s", a)
	}
}

func TestDecodeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, data, want string
	}{
		{"missing version", `{"module":"x"}`, "schema_version is missing"},
		{"newer version", `{"schema_version":2}`, "schema_version 2 is newer"},
		{"not json", `{`, "unexpected end"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := manifest.Decode([]byte(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Decode(%s) error = %v, want it to contain %q", tt.data, err, tt.want)
			}
		})
	}
}

func TestReadMissing(t *testing.T) {
	t.Parallel()
	_, err := manifest.Read(t.TempDir())
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Read of a missing manifest = %v, want fs.ErrNotExist", err)
	}
}

func TestPath(t *testing.T) {
	t.Parallel()
	if got, want := manifest.Path("/app"), filepath.FromSlash("/app/.gati/manifest.json"); got != want {
		t.Errorf("Path = %q, want %q", got, want)
	}
}
