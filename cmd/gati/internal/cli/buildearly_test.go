package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBuildBesideAnalysis builds an app twice: first with a route that
// gati_gen.go does not register yet, so the compile started beside the
// analysis must not be the one kept; then unchanged, so it is.
func TestBuildBesideAnalysis(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "demo")
	if out, err := run(t.Context(), t, "create", dir); err != nil {
		t.Fatalf("gati create: %v\n%s", err, out)
	}
	writeFile(t, filepath.Join(dir, "greet.go"), greetGo)
	bin := filepath.Join(dir, "bin", "demo")

	_, stderr, err := execute(t.Context(), newBuildCmd(), dir)
	if err != nil {
		t.Fatalf("gati build: %v\n%s", err, stderr)
	}
	if strings.Contains(stderr, "beside the analysis") {
		t.Errorf("the first build kept the compile of the stale gati_gen.go:\n%s", stderr)
	}
	if data, err := os.ReadFile(bin); err != nil || !bytes.Contains(data, []byte("GET /greet")) {
		t.Errorf("the binary does not register GET /greet (%v)", err)
	}

	_, stderr, err = execute(t.Context(), newBuildCmd(), dir)
	if err != nil || !strings.Contains(stderr, "beside the analysis") {
		t.Errorf("gati build of an unchanged app: %v; want the compile beside the analysis kept:\n%s", err, stderr)
	}
	if data, err := os.ReadFile(bin); err != nil || !bytes.Contains(data, []byte("GET /greet")) {
		t.Errorf("the binary does not register GET /greet (%v)", err)
	}
	if tmp, _ := filepath.Glob(bin + ".gati-*"); len(tmp) > 0 {
		t.Errorf("temporary binaries left: %v", tmp)
	}
}
