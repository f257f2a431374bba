package scaffold

import (
	"os"
	"path/filepath"
	"testing"
)

// Tests here set the environment, so they do not run in parallel.

func TestFindSourceFromCheckout(t *testing.T) {
	t.Setenv(SourceEnv, "")
	dir, err := FindSource()
	if err != nil {
		t.Fatal(err)
	}
	if modulePath(filepath.Join(dir, "go.mod")) != RuntimeModule {
		t.Fatalf("FindSource() = %s, whose go.mod is not %s", dir, RuntimeModule)
	}
}

func TestFindSourceFromEnv(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module gati.dev/gati\n\ngo 1.26.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(SourceEnv, dir)
	got, err := FindSource()
	if err != nil || got != dir {
		t.Fatalf("FindSource() = %q, %v; want %q", got, err, dir)
	}
}

func TestFindSourceRejectsWrongModule(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/other\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(SourceEnv, dir)
	if _, err := FindSource(); err == nil {
		t.Fatal("FindSource accepted a directory that is not gati.dev/gati")
	}
}
