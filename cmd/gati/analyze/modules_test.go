package analyze_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gati.dev/gati/cmd/gati/analyze"
)

// TestLoadShowsModuleErrors: when the go command cannot resolve a module,
// the report is its own text, not "invalid type" or "no main package".
func TestLoadShowsModuleErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		break_ func(t *testing.T, dir string)
		want   string
	}{
		{"unknown module", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "extra.go"), "package main\n\nimport _ \"example.com/nothere\"\n")
		}, "no required module provides package example.com/nothere"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := fixture(t, "good")
			tt.break_(t, dir)
			_, err := analyze.Load(t.Context(), dir)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want Go's %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "invalid type") {
				t.Errorf("err shows the symptom:\n%v", err)
			}
		})
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
