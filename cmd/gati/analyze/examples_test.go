package analyze_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"gati.dev/gati/cmd/gati/analyze"
)

// TestExamplesGeneratedCodeIsCurrent fails when an example's committed
// gati_gen.go differs from what the generator writes for it today, the
// way connect's checkgenerate keeps generated code honest.
func TestExamplesGeneratedCodeIsCurrent(t *testing.T) {
	dirs, err := filepath.Glob("../../../examples/*/gati_gen.go")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no examples found (%v)", err)
	}
	for _, gen := range dirs {
		dir := filepath.Dir(gen)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			m, err := analyze.Load(t.Context(), dir)
			if err != nil {
				t.Fatalf("analyzing %s: %v", dir, err)
			}
			want, err := analyze.Render(m)
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(gen)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s is stale; regenerate it with `go run ./cmd/gati build %s`.\n--- committed\n%s\n--- generated\n%s", gen, dir, got, want)
			}
		})
	}
}
