package openapi

import (
	"bytes"
	"context"
	"path/filepath"
	"sync"
	"testing"

	"gati.dev/gati/cmd/gati/internal/golden"

	"gati.dev/gati/cmd/gati/analyze"
	"gati.dev/gati/cmd/gati/internal/api"
	"gati.dev/gati/manifest"
)

// examplesDir holds the example apps, from this package's directory.
const examplesDir = "../../../../../examples"

// goldens are the documents kept in testdata: each example's current API,
// versioned-api's deprecated first version, and a synthetic API with what
// the examples lack.
var goldens = []struct {
	file    string
	example string // "" for the synthetic API
	version string
}{
	{"hello-world.json", "hello-world", api.Head},
	{"tasks.json", "tasks", api.Head},
	{"versioned-api.json", "versioned-api", api.Head},
	{"versioned-api@2025-01-01.json", "versioned-api", "2025-01-01"},
	{"synthetic.json", "", ""},
}

// TestGolden compares each document with its file in testdata, or
// rewrites the file with -update: a change to the generator, or to an
// example, shows up as a diff to review.
func TestGolden(t *testing.T) {
	t.Parallel()
	for _, g := range goldens {
		t.Run(g.file, func(t *testing.T) {
			t.Parallel()
			a := goldenAPI(t, g.example, g.version)
			got, err := Document(a)
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata", g.file), got)
		})
	}
}

// TestDeterministic guards byte-identical output: two documents of the
// same API, and of the same app loaded twice, are the same bytes.
func TestDeterministic(t *testing.T) {
	t.Parallel()
	for _, g := range goldens {
		t.Run(g.file, func(t *testing.T) {
			t.Parallel()
			first, err := Document(goldenAPI(t, g.example, g.version))
			if err != nil {
				t.Fatal(err)
			}
			for range 3 {
				again, err := Document(goldenAPI(t, g.example, g.version))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(first, again) {
					t.Fatalf("two documents differ:\n%s", golden.LineDiff(string(first), string(again)))
				}
			}
		})
	}
	t.Run("reloaded", func(t *testing.T) {
		t.Parallel()
		m := manifestOf(t, "tasks")
		var docs [2][]byte
		for i := range docs {
			a, err := api.Load(filepath.Join(examplesDir, "tasks"), m, api.Head)
			if err != nil {
				t.Fatal(err)
			}
			if docs[i], err = Document(a); err != nil {
				t.Fatal(err)
			}
		}
		if !bytes.Equal(docs[0], docs[1]) {
			t.Fatalf("two loads give different documents:\n%s", golden.LineDiff(string(docs[0]), string(docs[1])))
		}
	})
}

// goldenAPI returns the API of example at version, or the synthetic API
// when example is "".
func goldenAPI(t *testing.T, example, version string) *api.API {
	t.Helper()
	if example == "" {
		return syntheticAPI()
	}
	a, err := api.Load(filepath.Join(examplesDir, example), manifestOf(t, example), version)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// manifests caches each example's analysis, the slow part, for the
// whole test binary.
var manifests sync.Map // example name → func() (*manifest.Manifest, error)

func manifestOf(t *testing.T, example string) *manifest.Manifest {
	t.Helper()
	load, _ := manifests.LoadOrStore(example, sync.OnceValues(func() (*manifest.Manifest, error) {
		return analyze.Load(context.Background(), filepath.Join(examplesDir, example))
	}))
	m, err := load.(func() (*manifest.Manifest, error))()
	if err != nil {
		t.Fatalf("analyzing %s: %v", example, err)
	}
	return m
}
