package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/spf13/cobra"

	"gati.dev/gati/manifest"
)

// fixtureModFiles are the go.mod and go.sum of the analyzer's fixture
// apps, which require only gati, replaced by the working tree: tidied once.
var fixtureModFiles = sync.OnceValues(func() (map[string][]byte, error) {
	root, err := filepath.Abs("../../../..")
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "gati-cli-fixture-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	files := map[string]string{
		"go.mod":  fmt.Sprintf("module example.com/fixture\n\ngo 1.26.0\n\nrequire gati.dev/gati v0.0.0\n\nreplace gati.dev/gati => %s\n", root),
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

// fixtureApp copies the analyzer's fixture app testdata/<name> into a
// temporary directory, with extra files on top, and returns the directory.
func fixtureApp(t *testing.T, name string, extra map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("..", "..", "analyze", "testdata", name))); err != nil {
		t.Fatal(err)
	}
	mod, err := fixtureModFiles()
	if err != nil {
		t.Fatal(err)
	}
	files := maps.Clone(mod)
	for name, data := range extra {
		files[name] = []byte(data)
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// execute runs cmd with args and returns its standard output and error.
func execute(ctx context.Context, cmd *cobra.Command, args ...string) (stdout, stderr string, err error) {
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(args)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err = cmd.ExecuteContext(ctx)
	return out.String(), errOut.String(), err
}

func TestRoutesTable(t *testing.T) {
	t.Parallel()
	dir := fixtureApp(t, "good", nil)
	out, _, err := execute(t.Context(), newRoutesCmd(), dir)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"METHOD", "PATH", "HANDLER", "KIND", "SOURCE"},
		{"DELETE", "/admin/users/{id}", "admin/users.Delete", "raw", "admin/users/users.go:9"},
		{"GET", "/files/{path...}", "users.File", "typed", "users/users.go:86"},
		{"GET", "/hello", "main.Hello", "raw", "hello.go:7"},
		{"GET", "/users", "users.List", "typed", "users/users.go:65"},
		{"POST", "/users", "users.Create", "typed", "users/users.go:38"},
		{"GET", "/users/{id}", "users.Get", "typed", "users/users.go:50"},
		{"HEAD", "/users/{id}", "users.Get", "typed", "users/users.go:51"},
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != len(want) {
		t.Fatalf("gati routes printed %d lines, want %d:\n%s", len(lines), len(want), out)
	}
	cols := columnStarts(lines[0])
	for i, line := range lines {
		for j, field := range want[i] {
			if !strings.HasPrefix(line[cols[j]:], field) {
				t.Errorf("line %d column %d = %q, want %q aligned with the header:\n%s", i, j, line[cols[j]:], field, out)
			}
		}
	}
}

// columnStarts returns the offsets of the words of a tabwriter header.
func columnStarts(header string) []int {
	var starts []int
	for _, m := range regexp.MustCompile(`\S+`).FindAllStringIndex(header, -1) {
		starts = append(starts, m[0])
	}
	return starts
}

func TestRoutesJSON(t *testing.T) {
	t.Parallel()
	dir := fixtureApp(t, "good", nil)
	out, _, err := execute(t.Context(), newRoutesCmd(), "--json", dir)
	if err != nil {
		t.Fatal(err)
	}
	var routes []manifest.Route
	if err := json.Unmarshal([]byte(out), &routes); err != nil {
		t.Fatalf("%v in\n%s", err, out)
	}
	if len(routes) != 7 || routes[4].Pattern != "POST /users" || routes[4].Request.Name != "CreateIn" {
		t.Errorf("routes --json = %+v", routes)
	}
	if _, err := os.Stat(manifest.Path(dir)); !os.IsNotExist(err) {
		t.Errorf("gati routes wrote %s (err %v); it must write no files", manifest.Path(dir), err)
	}
}

func TestRoutesErrors(t *testing.T) {
	t.Parallel()
	bad := fixtureApp(t, "bad", nil)
	empty := t.TempDir()
	tests := []struct {
		name   string
		args   []string
		err    string
		stderr []string
	}{
		{"no go.mod", []string{empty}, empty + " has no go.mod: run gati routes in an app's directory", nil},
		{"bad directives", []string{bad}, "routes: 33 problems in " + bad, []string{
			filepath.Join(bad, "routes.go") + ":5:1: unknown directive //gati:rout",
			filepath.Join(bad, "conflict", "b.go") + `:5:1: route "GET /users/{name}" conflicts with "GET /users/{id}" declared at conflict/a.go:6`,
			"fix the problems above and run gati routes again\n",
		}},
		{"two dirs", []string{bad, empty}, "accepts at most 1 arg(s)", nil},
		{"unknown flag", []string{"--yaml"}, "unknown flag: --yaml", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, stderr, err := execute(t.Context(), newRoutesCmd(), tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("gati routes %v = %v, want an error containing %q", tt.args, err, tt.err)
			}
			for _, want := range tt.stderr {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr)
				}
			}
		})
	}
}

func TestRoutesRelativeDiagnostics(t *testing.T) {
	bad := fixtureApp(t, "bad", nil)
	t.Chdir(filepath.Dir(bad))
	_, stderr, _ := execute(t.Context(), newRoutesCmd(), filepath.Base(bad))
	want := filepath.Join(filepath.Base(bad), "typed.go") + ":10:1: path parameter {id}"
	if !strings.Contains(stderr, want) {
		t.Errorf("stderr lacks %q (file relative to the working directory):\n%s", want, stderr)
	}
}

func TestHelpHasExamples(t *testing.T) {
	t.Parallel()
	for _, cmd := range []*cobra.Command{newRoutesCmd(), newBuildCmd()} {
		out, _, err := execute(t.Context(), cmd, "--help")
		if err != nil || !strings.Contains(out, "Examples:") || !strings.Contains(out, "gati "+cmd.Name()) {
			t.Errorf("gati %s --help = %v:\n%s", cmd.Name(), err, out)
		}
	}
}

// TestRoutesShowsMissingGoSum: with go.sum emptied, gati routes shows the
// go command's "missing go.sum entry" instead of "invalid type".
func TestRoutesShowsMissingGoSum(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "demo")
	if out, err := run(t.Context(), t, "create", dir); err != nil {
		t.Fatalf("gati create: %v\n%s", err, out)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.sum"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := run(t.Context(), t, "routes", dir)
	if err == nil || !strings.Contains(err.Error(), "missing go.sum entry") || strings.Contains(out, "invalid type") {
		t.Fatalf("err = %v, want Go's missing go.sum entry; output:\n%s", err, out)
	}
}
