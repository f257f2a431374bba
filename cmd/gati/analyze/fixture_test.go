package analyze_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"gati.dev/gati/cmd/gati/internal/golden"

	"gati.dev/gati/cmd/gati/analyze"
	"gati.dev/gati/manifest"
)

// modFiles are the go.mod and go.sum every fixture app gets: tidied once,
// since all fixtures require only gati, replaced by the working tree.
var modFiles = sync.OnceValues(func() (map[string][]byte, error) {
	root, err := filepath.Abs("../../..")
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "gati-fixture-mod-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	gomod := fmt.Sprintf("module example.com/fixture\n\ngo 1.26.0\n\nrequire gati.dev/gati v0.0.0\n\nreplace gati.dev/gati => %s\n", root)
	files := map[string]string{
		"go.mod":  gomod,
		"main.go": "package main\n\nimport _ \"gati.dev/gati\"\n\nfunc main() {}\n",
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			return nil, err
		}
	}
	cmd := exec.Command("go", "mod", "tidy")
	cmd.Dir, cmd.Env = dir, append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go mod tidy: %v\n%s", err, out)
	}
	out := map[string][]byte{}
	for _, name := range []string{"go.mod", "go.sum"} {
		if out[name], err = os.ReadFile(filepath.Join(dir, name)); err != nil {
			return nil, err
		}
	}
	return out, nil
})

// fixture copies testdata/<name> to a temporary app directory with a
// go.mod and go.sum, and returns that directory.
func fixture(t *testing.T, name string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("testdata", name))); err != nil {
		t.Fatal(err)
	}
	writeModFiles(t, dir)
	return dir
}

// app writes an app from a map of file names to contents.
func app(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeModFiles(t, dir)
	return dir
}

func writeModFiles(t *testing.T, dir string) {
	t.Helper()
	files, err := modFiles()
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// loadAndGenerate analyzes the app in dir, writes its registration and
// returns the manifest and the generated source.
func loadAndGenerate(t *testing.T, dir string) (*manifest.Manifest, string) {
	t.Helper()
	m, err := analyze.Load(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := analyze.Generate(dir, m); err != nil {
		t.Fatal(err)
	}
	gen, err := os.ReadFile(filepath.Join(dir, analyze.GenFile))
	if err != nil {
		t.Fatal(err)
	}
	return m, string(gen)
}

// checkGolden compares got with testdata/<name>, or rewrites it with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", name), got)
}
