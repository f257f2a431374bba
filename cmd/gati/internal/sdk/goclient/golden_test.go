package goclient

import (
	"context"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"gati.dev/gati/cmd/gati/internal/golden"

	"gati.dev/gati/cmd/gati/analyze"
	"gati.dev/gati/cmd/gati/internal/api"
	"gati.dev/gati/manifest"
)

// examplesDir holds the example apps of the repository.
const examplesDir = "../../../../../examples"

// goldenClient is one client generated from an example app for the golden,
// compile and end-to-end tests.
type goldenClient struct {
	name    string // its directory in testdata/golden
	app     string // the example
	version string // api.Head or a recorded version
	pkg     string
	// api, when set, is the API instead of the app's.
	api func() *api.API
}

var goldens = []goldenClient{
	{"hello-world", "hello-world", api.Head, "hello", nil},
	{"tasks", "tasks", api.Head, "tasks", nil},
	{"versioned-api", "versioned-api", api.Head, "users", nil},
	{"versioned-api@2025-01-01", "versioned-api", "2025-01-01", "users", nil},
	{name: "synthetic", pkg: "shop", api: synthetic},
}

// manifests analyzes each example once per test binary.
var manifests sync.Map // app → func() (*manifest.Manifest, error)

func manifestOf(t *testing.T, app string) *manifest.Manifest {
	t.Helper()
	load, _ := manifests.LoadOrStore(app, sync.OnceValues(func() (*manifest.Manifest, error) {
		return analyze.Load(context.Background(), filepath.Join(examplesDir, app))
	}))
	m, err := load.(func() (*manifest.Manifest, error))()
	if err != nil {
		t.Fatalf("analyzing %s: %v", app, err)
	}
	return m
}

// load returns the API gd is a client of.
func (gd goldenClient) load(t *testing.T) *api.API {
	t.Helper()
	if gd.api != nil {
		return gd.api()
	}
	a, err := api.Load(filepath.Join(examplesDir, gd.app), manifestOf(t, gd.app), gd.version)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// generate returns the client of gd.
func (gd goldenClient) generate(t *testing.T) map[string][]byte {
	t.Helper()
	files, err := Generate(gd.load(t), gd.pkg)
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestGolden compares the clients of the examples with testdata/golden;
// -update rewrites it. A difference means the generator's output changed:
// check the diff, then update.
func TestGolden(t *testing.T) {
	t.Parallel()
	for _, gd := range goldens {
		t.Run(gd.name, func(t *testing.T) {
			t.Parallel()
			files := gd.generate(t)
			if gd.name != "tasks" {
				// The runtime files are base/ with another package clause
				// (TestRuntimeIsBase): tasks' golden shows them once.
				for name := range files {
					if _, err := fs.Stat(runtime, "base/"+name); err == nil {
						delete(files, name)
					}
				}
			}
			dir := filepath.Join("testdata", "golden", gd.name)
			if golden.Updating() {
				if err := os.RemoveAll(dir); err != nil {
					t.Fatal(err)
				}
				writeFiles(t, dir, files)
				return
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			var want []string
			for _, e := range entries {
				want = append(want, e.Name())
			}
			if got := slices.Sorted(maps.Keys(files)); !slices.Equal(got, want) {
				t.Fatalf("files %v, golden %v (run go test -update)", got, want)
			}
			for name, got := range files {
				golden.Check(t, filepath.Join(dir, name), got)
			}
		})
	}
}

func writeFiles(t *testing.T, dir string, files map[string][]byte) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestRuntimeIsBase guards the runtime files of a generated client: each
// is base/'s file after the generated-code header, with the client's
// package clause instead of base's.
func TestRuntimeIsBase(t *testing.T) {
	t.Parallel()
	files := goldens[0].generate(t)
	for name, got := range files {
		src, err := fs.ReadFile(runtime, "base/"+name)
		if err != nil {
			continue // not a runtime file
		}
		body, _ := strings.CutPrefix(string(src), "package base\n")
		_, gotBody, _ := strings.Cut(string(got), "\npackage "+goldens[0].pkg+"\n")
		if body == "" || body != gotBody {
			t.Errorf("%s is not base/%s under package %s", name, name, goldens[0].pkg)
		}
	}
}
