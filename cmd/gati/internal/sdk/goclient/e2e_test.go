package goclient

import (
	"bytes"
	"go/format"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gati.dev/gati/cmd/gati/internal/api"
	"gati.dev/gati/gatitest"
)

// module writes a Go module example.com/client with no dependencies into
// a temporary directory: each package of pkgs in its directory, and the
// extra files, paths relative to the module.
func module(t *testing.T, pkgs map[string]map[string][]byte, extra map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	writeFiles(t, dir, map[string][]byte{"go.mod": []byte("module example.com/client\n\ngo 1.26\n")})
	for sub, files := range pkgs {
		writeFiles(t, filepath.Join(dir, sub), files)
	}
	for path, data := range extra {
		writeFiles(t, filepath.Join(dir, filepath.Dir(path)), map[string][]byte{filepath.Base(path): data})
	}
	return dir
}

// goIn runs the go command in dir, outside the workspace, with env added.
func goIn(t *testing.T, dir string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), append([]string{"GOWORK=off", "GOFLAGS=-mod=mod", "GOTOOLCHAIN=local"}, env...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func readTestdata(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", path))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestGeneratedCodeCompiles vets the golden clients, each a package of
// one module that has no dependencies: the standard library suffices. It
// also runs the synthetic client against a fake server
// (testdata/e2e/synthetic_test.go).
func TestGeneratedCodeCompiles(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go vet")
	}
	t.Parallel()
	pkgs := map[string]map[string][]byte{}
	for _, gd := range goldens {
		pkgs[strings.ReplaceAll(gd.name, "@", "_")] = gd.generate(t)
	}
	dir := module(t, pkgs, map[string][]byte{"synthetic/synthetic_test.go": readTestdata(t, "e2e/synthetic_test.go")})
	goIn(t, dir, nil, "vet", "./...")
	t.Log(goIn(t, dir, nil, "test", "-count=1", "-v", "./synthetic"))
}

// TestDeterministic guards that generating twice gives the same bytes,
// gofmt'd, each file with the generated-code header.
func TestDeterministic(t *testing.T) {
	t.Parallel()
	for _, gd := range goldens {
		first := gd.generate(t)
		for range 3 {
			again := gd.generate(t)
			if !maps.EqualFunc(first, again, bytes.Equal) {
				t.Fatalf("%s: a second run generated other files", gd.name)
			}
		}
		for name, src := range first {
			formatted, err := format.Source(src)
			if err != nil || !bytes.Equal(formatted, src) {
				t.Errorf("%s/%s is not gofmt'd (%v)", gd.name, name, err)
			}
			if !bytes.HasPrefix(src, []byte(header+"\n")) {
				t.Errorf("%s/%s does not start with %q", gd.name, name, header)
			}
		}
	}
}

// startExample builds the example app and runs it as production would,
// with env, until the test ends.
func startExample(t *testing.T, app string, env ...string) *gatitest.Process {
	t.Helper()
	dir := filepath.Join(examplesDir, app)
	cmd := exec.Command(gatitest.Build(t, dir))
	cmd.Dir, cmd.Env = dir, append(os.Environ(), env...)
	return gatitest.Start(t, cmd)
}

// TestTasksEndToEnd calls every route of the tasks example, running, through
// its generated client, from a test in a module of its own
// (testdata/e2e/tasks_test.go).
func TestTasksEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the example")
	}
	t.Parallel()
	const token = "e2e-token"
	p := startExample(t, "tasks", "TASKS_TOKEN="+token)
	client := goldenClient{app: "tasks", version: api.Head, pkg: "tasks"}.generate(t)
	dir := module(t, map[string]map[string][]byte{"tasks": client},
		map[string][]byte{"tasks/e2e_test.go": readTestdata(t, "e2e/tasks_test.go")})
	out := goIn(t, dir, []string{"E2E_URL=" + p.URL, "E2E_TOKEN=" + token}, "test", "-count=1", "-v", "./...")
	t.Log(out)
}

// TestVersionPinning runs clients of two versions of the versioned-api
// example against the head server (testdata/e2e/versions_test.go): the
// 2025-01-01 client creates and reads users in that version's shape and
// sees the version's deprecation.
func TestVersionPinning(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the example")
	}
	t.Parallel()
	p := startExample(t, "versioned-api")
	pkgs := map[string]map[string][]byte{
		"v20250101": goldenClient{app: "versioned-api", version: "2025-01-01", pkg: "users"}.generate(t),
		"head":      goldenClient{app: "versioned-api", version: api.Head, pkg: "users"}.generate(t),
	}
	dir := module(t, pkgs, map[string][]byte{"e2e/versions_test.go": readTestdata(t, "e2e/versions_test.go")})
	out := goIn(t, dir, []string{"E2E_URL=" + p.URL}, "test", "-count=1", "-v", "./...")
	t.Log(out)
}
