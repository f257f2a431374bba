package cli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gati.dev/gati/cmd/gati/analyze"
)

// TestCreateBuildsAndTests creates an app and runs its tests and vet, as
// a user would, outside any workspace.
func TestCreateBuildsAndTests(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "demo")
	out, err := run(t.Context(), t, "create", dir)
	if err != nil {
		t.Fatalf("gati create: %v\n%s", err, out)
	}
	if !strings.Contains(out, "cd "+dir+" && gati dev") {
		t.Errorf("output lacks the next steps:\n%s", out)
	}
	for _, file := range []string{"go.sum", "gati_gen.go", "hello_test.go", ".gitignore", "README.md"} {
		if _, err := os.Stat(filepath.Join(dir, file)); err != nil {
			t.Errorf("missing %s: %v", file, err)
		}
	}
	goCmd(t, dir, "test", "./...")
	goCmd(t, dir, "vet", "./...")
}

// TestCreateGeneratedIsCurrent checks that the committed gati_gen.go is
// exactly what the analyzer generates for the scaffold.
func TestCreateGeneratedIsCurrent(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "demo")
	if out, err := run(t.Context(), t, "create", dir); err != nil {
		t.Fatalf("gati create: %v\n%s", err, out)
	}
	m, err := analyze.Load(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	want, err := analyze.Render(m)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, analyze.GenFile))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("scaffold's gati_gen.go differs from the analyzer's:\n--- scaffold\n%s\n--- analyzer\n%s", got, want)
	}
}

func TestCreateModuleFlag(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "api")
	if out, err := run(t.Context(), t, "create", dir, "--module", "example.com/api"); err != nil {
		t.Fatalf("gati create: %v\n%s", err, out)
	}
	gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(gomod), "module example.com/api\n") {
		t.Errorf("go.mod:\n%s", gomod)
	}
}

func TestCreateRefusesNonEmptyDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := run(t.Context(), t, "create", dir)
	if err == nil || !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "choose another") {
		t.Fatalf("err = %v, want a refusal naming %s", err, dir)
	}
}

// goCmd runs the go command in dir outside any workspace.
func goCmd(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}
