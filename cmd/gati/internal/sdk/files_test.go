package sdk

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func readAll(t *testing.T, dir string) map[string]string {
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

// TestWriteReplacesGeneration guards a second generation: changed files
// are rewritten, unchanged ones reported as such, and files an owned
// directory no longer gets are removed, while files outside owned
// directories stay.
func TestWriteReplacesGeneration(t *testing.T) {
	dir := t.TempDir()
	owned := Owned{"ts"}
	first := Files{"openapi.json": []byte("{}\n"), "ts/index.ts": []byte("a"), "ts/old.ts": []byte("old")}
	if _, err := Write(dir, first, owned); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	second := Files{"openapi.json": []byte("{}\n"), "ts/index.ts": []byte("b")}
	changed, err := Write(dir, second, owned)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"ts/index.ts", "ts/old.ts"}; !slices.Equal(changed, want) {
		t.Errorf("changed %v, want %v", changed, want)
	}
	got := readAll(t, dir)
	want := map[string]string{"openapi.json": "{}\n", "ts/index.ts": "b", "notes.txt": "mine"}
	if len(got) != len(want) {
		t.Errorf("dir holds %v, want %v", got, want)
	}
	for p, w := range want {
		if got[p] != w {
			t.Errorf("%s = %q, want %q", p, got[p], w)
		}
	}
	if stale, err := Stale(dir, second, owned); err != nil || len(stale) != 0 {
		t.Errorf("after Write, Stale = %v, %v", stale, err)
	}
}

// TestWriteFailureKeepsPreviousGeneration guards all-or-nothing: when one
// file cannot be written, none of the new generation is, and no temporary
// file is left behind.
func TestWriteFailureKeepsPreviousGeneration(t *testing.T) {
	dir := t.TempDir()
	first := Files{"a.json": []byte("1"), "ts/index.ts": []byte("1")}
	if _, err := Write(dir, first, nil); err != nil {
		t.Fatal(err)
	}
	// "blocked" is a file, so blocked/x.ts cannot be created.
	if err := os.WriteFile(filepath.Join(dir, "blocked"), []byte("file"), 0o644); err != nil {
		t.Fatal(err)
	}
	second := Files{"a.json": []byte("2"), "ts/index.ts": []byte("2"), "blocked/x.ts": []byte("2")}
	if _, err := Write(dir, second, nil); err == nil {
		t.Fatal("Write succeeded with an unwritable path")
	}
	got := readAll(t, dir)
	want := map[string]string{"a.json": "1", "ts/index.ts": "1", "blocked": "file"}
	if len(got) != len(want) {
		t.Errorf("dir holds %v, want the previous generation %v", got, want)
	}
	for p, w := range want {
		if got[p] != w {
			t.Errorf("%s = %q, want %q (the previous generation)", p, got[p], w)
		}
	}
}

func TestSummary(t *testing.T) {
	f := Files{"openapi.json": nil, "ts/a.ts": nil, "ts/b.ts": nil, "goclient/client.go": nil}
	if got, want := Summary(f), "goclient/ (1 file), openapi.json, ts/ (2 files)"; got != want {
		t.Errorf("Summary = %q, want %q", got, want)
	}
}
