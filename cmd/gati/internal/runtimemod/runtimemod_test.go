package runtimemod

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/module"
)

// TestZipIsCurrent fails when the root module's files changed since the
// embedded zip was generated, as connect's checkgenerate does for
// generated code.
func TestZipIsCurrent(t *testing.T) {
	t.Parallel()
	root, err := FindRoot(".")
	if err != nil {
		t.Skip("not in a gati.dev/gati checkout:", err)
	}
	files, err := Files(root)
	if err != nil {
		t.Fatal(err)
	}
	hash, err := HashFiles(root, files)
	if err != nil {
		t.Fatal(err)
	}
	if hash != ContentHash {
		t.Fatalf("the embedded runtime is stale (content %s, embedded %s): run go generate ./internal/runtimemod in cmd/gati and commit gati.zip and %s", hash, ContentHash, GenFile)
	}
	sum, err := os.ReadFile(filepath.Join(root, CLISumSource))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(sum, cliSum) {
		t.Fatalf("%s differs from %s: run go generate ./internal/runtimemod in cmd/gati", CLISumName, CLISumSource)
	}
	var fresh bytes.Buffer
	if err := Zip(&fresh, root, Version, files); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fresh.Bytes(), zipData) {
		t.Fatalf("%s differs from the zip of the same files at %s: regenerate it", ZipName, Version)
	}
}

func TestFilesLeavesOutWhatIsNotTheModule(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	for _, f := range []string{
		"go.mod", "go.work", "go.work.sum", "a.go", "docs/x.md", ".gitignore", "_old/x.go",
		"bin/app", "x.test", "cpu.prof", "cmd/tool/go.mod", "cmd/tool/main.go", ".gati/manifest.json",
		"cmd/other.go",
	} {
		p := filepath.Join(root, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	files, err := Files(root)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(files, " "), "a.go cmd/other.go docs/x.md go.mod"; got != want {
		t.Errorf("Files = %s, want %s", got, want)
	}
}

func TestVersionIsContentDerived(t *testing.T) {
	t.Parallel()
	if err := module.Check(Path, Version); err != nil {
		t.Fatal(err)
	}
	if module.IsPseudoVersion(Version) {
		rev, err := module.PseudoVersionRev(Version)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := PseudoVersion(generatedAt, ContentHash)
		if Version != want {
			t.Errorf("Version = %s, want %s (from the content hash, rev %s)", Version, want, rev)
		}
	}
}

func TestSumsCoverTheRuntimeAndItsDependencies(t *testing.T) {
	t.Parallel()
	sums, err := Sums()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(sums), "\n")
	if !strings.HasPrefix(lines[0], Path+" "+Version+" h1:") || !strings.HasPrefix(lines[1], Path+" "+Version+"/go.mod h1:") {
		t.Errorf("go.sum does not start with the runtime's lines:\n%s", sums)
	}
	if !strings.Contains(string(sums), "go.yaml.in/yaml/v3 ") {
		t.Errorf("go.sum lacks the runtime's dependencies:\n%s", sums)
	}
}

// TestInstall installs the runtime into an empty module cache, twice (the
// second time it is there already), with no network.
func TestInstall(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("GOMODCACHE", cache)
	t.Setenv("GOFLAGS", "-modcacherw")
	for range 2 {
		if err := Install(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(filepath.Join(cache, Path+"@"+Version, "go.mod")); err != nil {
		t.Fatal(err)
	}
}
