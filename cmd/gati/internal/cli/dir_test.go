package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEveryCommandNamesAMissingDir checks the one [dir] / --dir
// convention: every command that works on an app takes --dir, those whose
// arguments leave room take [dir] too, and a directory that does not
// exist is an error that names it.
func TestEveryCommandNamesAMissingDir(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "nope")
	tests := [][]string{
		{"dev", missing},
		{"dev", "--dir", missing},
		{"build", missing},
		{"build", "--dir", missing},
		{"routes", missing},
		{"routes", "--dir", missing},
		{"version", "snapshot", missing},
		{"version", "snapshot", "--dir", missing},
		{"version", "list", missing},
		{"version", "list", "--dir", missing},
		{"version", "history", missing},
		{"version", "new", missing},
		{"version", "diff", "--dir", missing},
		{"version", "deprecate", "2025-01-01", "--sunset", "2099-01-01", "--dir", missing},
		{"version", "rollback", "--clear", "--dir", missing},
	}
	for _, args := range tests {
		_, err := run(t.Context(), t, args...)
		if err == nil || !strings.Contains(err.Error(), "directory "+missing+" does not exist") {
			t.Errorf("gati %s: err = %v, want one naming the missing directory", strings.Join(args, " "), err)
		}
	}
}

func TestDirArgumentAndFlagMustAgree(t *testing.T) {
	t.Parallel()
	_, err := run(t.Context(), t, "routes", ".", "--dir", t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "not both") {
		t.Fatalf("err = %v", err)
	}
}

// TestDevPortFromConfig: gati dev listens on server.port from gati.yaml,
// and $PORT wins over it. Not parallel: it sets $PORT.
func TestDevPortFromConfig(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "gati.yaml"), []byte("server:\n  port: 9123\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PORT", "")
	if got := configPort(dir); got != 9123 {
		t.Errorf("configPort = %d, want server.port 9123", got)
	}
	t.Setenv("PORT", "9200")
	if got := configPort(dir); got != 9200 {
		t.Errorf("configPort = %d, want $PORT 9200", got)
	}
	t.Setenv("PORT", "")
	if got := configPort(t.TempDir()); got != 0 {
		t.Errorf("configPort without gati.yaml = %d, want 0 (the default)", got)
	}
}
