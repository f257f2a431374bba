package devserver

import (
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestRelevant(t *testing.T) {
	t.Parallel()
	tests := []struct {
		path string
		want bool
	}{
		{"hello.go", true},
		{"internal/users/store.go", true},
		{"go.mod", true},
		{"go.sum", true},
		{"gati.yaml", true},
		{"hello_test.go", false},
		{"hello.go~", false},
		{".hello.go.swp", false},
		{"README.md", false},
		{"config/gati.yml", false},
	}
	for _, tt := range tests {
		if got := relevant(tt.path); got != tt.want {
			t.Errorf("relevant(%q) = %v, want %v", tt.path, got, tt.want)
		}
	}
}

func TestSkipDir(t *testing.T) {
	t.Parallel()
	for _, name := range []string{".git", ".gati", "bin", "node_modules", ".idea", "testdata", "_old"} {
		if !skipDir(name) {
			t.Errorf("skipDir(%q) = false", name)
		}
	}
	for _, name := range []string{"internal", "users", "cmd"} {
		if skipDir(name) {
			t.Errorf("skipDir(%q) = true", name)
		}
	}
}

func TestFileList(t *testing.T) {
	t.Parallel()
	tests := []struct {
		files []string
		want  string
	}{
		{[]string{"hello.go"}, "hello.go"},
		{[]string{"a.go", "b.go", "c.go"}, "a.go, b.go, c.go"},
		{[]string{"a.go", "b.go", "c.go", "d.go", "e.go"}, "a.go, b.go, c.go and 2 more"},
	}
	for _, tt := range tests {
		if got := fileList(tt.files); got != tt.want {
			t.Errorf("fileList(%v) = %q, want %q", tt.files, got, tt.want)
		}
	}
}

// TestWatcherReportsChanges edits files in a real directory tree,
// including a directory created after the watch began.
func TestWatcherReportsChanges(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write(t, filepath.Join(root, "main.go"), "package main")
	mkdir(t, filepath.Join(root, ".gati"))
	w, err := newWatcher(root, 20*time.Millisecond, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	go w.run()
	defer w.close()

	write(t, filepath.Join(root, "main.go"), "package main // edited")
	write(t, filepath.Join(root, ".gati", "manifest.json"), "{}")
	write(t, filepath.Join(root, "notes.txt"), "ignored")
	if got := waitKick(t, w); !slices.Equal(got, []string{"main.go"}) {
		t.Errorf("changes = %v, want [main.go]", got)
	}

	mkdir(t, filepath.Join(root, "users"))
	time.Sleep(50 * time.Millisecond) // let the watcher add the new directory
	write(t, filepath.Join(root, "users", "users.go"), "package users")
	if got := waitKick(t, w); !slices.Contains(got, "users/users.go") {
		t.Errorf("changes = %v, want users/users.go", got)
	}
}

// waitKick waits for the watcher's signal and returns the changes.
func waitKick(t *testing.T, w *watcher) []string {
	t.Helper()
	select {
	case <-w.kick:
	case <-time.After(10 * time.Second):
		t.Fatal("no change reported")
	}
	return w.take()
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mkdir(t *testing.T, path string) {
	t.Helper()
	if err := os.Mkdir(path, 0o755); err != nil {
		t.Fatal(err)
	}
}
