package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// copyExample copies examples/<name> (its sources and .gati/versions)
// into a temporary directory that the test may write generated files to.
func copyExample(t *testing.T, name string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("..", "..", "..", "..", "examples", name))); err != nil {
		t.Fatal(err)
	}
	// The example's go.mod replaces gati.dev/gati with a relative path.
	mod := filepath.Join(dir, "go.mod")
	b, err := os.ReadFile(mod)
	if err != nil {
		t.Fatal(err)
	}
	root, err := filepath.Abs(filepath.Join("..", "..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	b = bytes.ReplaceAll(b, []byte("=> ../.."), []byte("=> "+root))
	if err := os.WriteFile(mod, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func snapshotDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestGenerateIsDeterministicAndChecked guards gati generate end to end on
// examples/versioned-api: every target is written, a second run changes
// nothing, --check passes on current files and fails, naming the file,
// once one is edited, and --all-versions adds each recorded version.
func TestGenerateIsDeterministicAndChecked(t *testing.T) {
	t.Parallel()
	dir := copyExample(t, "versioned-api")
	gen := filepath.Join(dir, ".gati", "generated")

	_, stderr, err := execute(t.Context(), newGenerateCmd(), dir)
	if err != nil {
		t.Fatalf("gati generate: %v\n%s", err, stderr)
	}
	first := snapshotDir(t, gen)
	for _, want := range []string{"openapi.json", "gati.schema.json", "ts/", "goclient/"} {
		found := false
		for p := range first {
			found = found || p == want || strings.HasPrefix(p, want) && strings.HasSuffix(want, "/")
		}
		if !found {
			t.Errorf("no %s generated; got %v", want, first)
		}
	}
	if !strings.Contains(stderr, "generated the current code (2025-06-01)") {
		t.Errorf("progress does not name the version:\n%s", stderr)
	}

	_, stderr, err = execute(t.Context(), newGenerateCmd(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr, "unchanged") {
		t.Errorf("second run reported changes:\n%s", stderr)
	}
	second := snapshotDir(t, gen)
	if len(second) != len(first) {
		t.Fatalf("second run wrote %d files, first %d", len(second), len(first))
	}
	for p, b := range first {
		if second[p] != b {
			t.Errorf("%s differs between two runs", p)
		}
	}

	if _, stderr, err := execute(t.Context(), newGenerateCmd(), "--check", dir); err != nil {
		t.Fatalf("--check on current files: %v\n%s", err, stderr)
	}
	doc := filepath.Join(gen, "openapi.json")
	if err := os.WriteFile(doc, []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err = execute(t.Context(), newGenerateCmd(), "--check", dir)
	if err == nil || !strings.Contains(err.Error(), "openapi.json") {
		t.Errorf("--check with an edited openapi.json: %v", err)
	}
	if b, _ := os.ReadFile(doc); string(b) != "{}\n" {
		t.Error("--check wrote files")
	}

	if _, stderr, err := execute(t.Context(), newGenerateCmd(), "--all-versions", "--targets", "openapi", dir); err != nil {
		t.Fatalf("--all-versions: %v\n%s", err, stderr)
	}
	for _, id := range []string{"2025-01-01", "2025-06-01"} {
		if _, err := os.Stat(filepath.Join(gen, "versions", id, "openapi.json")); err != nil {
			t.Errorf("version %s: %v", id, err)
		}
	}
}

// TestGenerateRejectsBadInput guards the errors that name what to fix.
func TestGenerateRejectsBadInput(t *testing.T) {
	t.Parallel()
	dir := copyExample(t, "versioned-api")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--version", "1999-01-01", dir}, "known: 2025-01-01, 2025-06-01"},
		{[]string{"--targets", "openapi,java", dir}, `unknown target "java"`},
		{[]string{"--go-package", "my-client", dir}, "not a Go package name"},
		{[]string{"--version", "2025-01-01", "--all-versions", dir}, "exclude each other"},
		{[]string{filepath.Join(dir, "missing")}, "does not exist"},
	} {
		_, _, err := execute(t.Context(), newGenerateCmd(), tt.args...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("gati generate %v: %v, want an error containing %q", tt.args, err, tt.want)
		}
	}
	newer := filepath.Join(dir, ".gati", "manifest.json")
	if err := os.WriteFile(newer, []byte(`{"schema_version": 99}`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := execute(t.Context(), newGenerateCmd(), dir)
	if err == nil || !strings.Contains(err.Error(), "newer than this gati supports") {
		t.Errorf("a manifest of a newer format: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, ".gati", "generated")); !os.IsNotExist(err) {
		t.Errorf("a failed generate wrote .gati/generated (%v)", err)
	}
}

// TestSDKPublishSaysWhatToDo guards gati sdk publish's errors before npm
// runs: no package built yet, and a registry that is not a URL.
func TestSDKPublishSaysWhatToDo(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	_, _, err := execute(t.Context(), newSDKPublishCmd(), "--dir", dir)
	if err == nil || !strings.Contains(err.Error(), "gati generate --npm") {
		t.Errorf("publish with no package: %v", err)
	}
	tgz := filepath.Join(dir, "sdk", "app-1.0.0.tgz")
	if err := os.MkdirAll(filepath.Dir(tgz), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tgz, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err = execute(t.Context(), newSDKPublishCmd(), "--dir", dir, "--registry", "ftp://x")
	if err == nil || !strings.Contains(err.Error(), "not an http(s) URL") {
		t.Errorf("publish to ftp://x: %v", err)
	}
}

// TestGenerateRejectsInterfaceFields guards types no client can express:
// an interface other than any in a response is reported at its field,
// with the field's Go path, and nothing is written; gati build, which
// validates with the same schema ({} for any value), still accepts it.
func TestGenerateRejectsInterfaceFields(t *testing.T) {
	t.Parallel()
	dir := fixtureApp(t, "good", map[string]string{"labels.go": `package main

import (
	"fmt"

	"gati.dev/gati"
)

type Label struct {
	Text fmt.Stringer ` + "`json:\"text\"`" + `
	Any  any          ` + "`json:\"any\"`" + `
}

// Labels lists labels.
//
//gati:route GET /labels
func Labels(g *gati.Global, l *gati.Local, in struct{}) ([]Label, error) { return nil, nil }
`})
	_, stderr, err := execute(t.Context(), newGenerateCmd(), dir)
	if err == nil || !strings.Contains(stderr, "labels.go:10:2: field main.Label.Text: interface type fmt.Stringer has no JSON shape") {
		t.Errorf("gati generate: %v\n%s", err, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, ".gati", "generated")); !os.IsNotExist(err) {
		t.Errorf("gati generate wrote files after a problem (%v)", err)
	}
	if _, stderr, err := execute(t.Context(), newRoutesCmd(), dir); err != nil {
		t.Errorf("gati routes rejects the interface field too: %v\n%s", err, stderr)
	}
}
