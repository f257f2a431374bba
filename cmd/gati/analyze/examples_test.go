package analyze_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"gati.dev/gati/cmd/gati/analyze"
	"gati.dev/gati/manifest"
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

// TestStreamingHandlersAreRecognized guards the stream kinds the SDK
// generators rely on: examples/tasks has a WebSocket route (ws.Handler)
// and a Server-Sent Events route (Response.SSE); its other raw routes
// and the typed ones stream nothing.
func TestStreamingHandlersAreRecognized(t *testing.T) {
	t.Parallel()
	m, err := analyze.Load(t.Context(), "../../../examples/tasks")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]manifest.StreamKind{
		"GET /tasks/events": manifest.StreamWebSocket,
		"GET /tasks/stream": manifest.StreamSSE,
	}
	for _, r := range m.Routes {
		if got := r.Handler.Stream; got != want[r.Pattern] {
			t.Errorf("%s: stream %q, want %q", r.Pattern, got, want[r.Pattern])
		}
		if r.Doc == "" {
			t.Errorf("%s: no doc comment recorded", r.Pattern)
		}
	}
}
