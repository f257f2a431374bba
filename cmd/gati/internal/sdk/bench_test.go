package sdk

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"gati.dev/gati/cmd/gati/analyze"
	"gati.dev/gati/cmd/gati/internal/api"
)

// syntheticRoutes is the size of the app the generation benchmarks use:
// the 1,000 typed routes in one package.
const syntheticRoutes = 1000

// syntheticApp writes, once per test binary, an app of n typed routes in
// one package, each with its own request (a path and a query parameter
// and a body) and response types, and returns its directory.
var syntheticApp = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "gati-sdk-bench-")
	if err != nil {
		return "", err
	}
	syntheticDir = dir
	root, err := filepath.Abs(filepath.Join("..", "..", "..", ".."))
	if err != nil {
		return "", err
	}
	files := map[string]string{
		"go.mod":  fmt.Sprintf("module example.com/synth\n\ngo 1.26.0\n\nrequire gati.dev/gati v0.0.0\n\nreplace gati.dev/gati => %s\n", root),
		"main.go": "package main\n\nimport \"gati.dev/gati\"\n\nfunc main() { gati.New().Main() }\n",
	}
	for f := 0; f*100 < syntheticRoutes; f++ {
		var b bytes.Buffer
		b.WriteString("package main\n\nimport \"gati.dev/gati\"\n")
		for i := f * 100; i < min(syntheticRoutes, (f+1)*100); i++ {
			fmt.Fprintf(&b, `
type In%04[1]d struct {
	ID    string `+"`path:\"id\"`"+`
	Limit int    `+"`query:\"limit\" minimum:\"1\" maximum:\"100\"`"+`
	Title string `+"`json:\"title\" maxLength:\"200\"`"+`
	Tags  []string `+"`json:\"tags,omitempty\"`"+`
}

// Out%04[1]d is route %[1]d's answer.
type Out%04[1]d struct {
	ID    string  `+"`json:\"id\"`"+`
	Title string  `+"`json:\"title\"`"+`
	Score *float64 `+"`json:\"score\"`"+`
}

// Route%04[1]d answers route %[1]d.
//
//gati:route POST /r%04[1]d/{id}
func Route%04[1]d(g *gati.Global, l *gati.Local, in In%04[1]d) (Out%04[1]d, error) {
	return Out%04[1]d{ID: in.ID, Title: in.Title}, nil
}
`, i)
		}
		files[fmt.Sprintf("routes_%02d.go", f)] = b.String()
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			return "", err
		}
	}
	cmd := exec.Command("go", "mod", "tidy")
	cmd.Dir, cmd.Env = dir, append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go mod tidy: %v\n%s", err, out)
	}
	return dir, nil
})

func loadSynthetic(b *testing.B) *api.API {
	b.Helper()
	dir, err := syntheticApp()
	if err != nil {
		b.Fatal(err)
	}
	m, err := analyze.Load(b.Context(), dir)
	if err != nil {
		b.Fatal(err)
	}
	a, err := api.Load(dir, m, api.Head)
	if err != nil {
		b.Fatal(err)
	}
	if len(a.Operations) != syntheticRoutes {
		b.Fatalf("%d operations, want %d", len(a.Operations), syntheticRoutes)
	}
	return a
}

// BenchmarkGenerate1000 measures gati generate's own work on the
// synthetic app, all three targets, from the analyzed manifest: the API
// model, OpenAPI, TypeScript and Go. ns/route is the figure the issue
// asks for (goal: under 2 ms per route).
func BenchmarkGenerate1000(b *testing.B) {
	a := loadSynthetic(b)
	dir := syntheticDir
	m, err := analyze.Load(b.Context(), dir)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var files Files
	for b.Loop() {
		model, err := api.Load(dir, m, api.Head)
		if err != nil {
			b.Fatal(err)
		}
		if files, _, err = Generate(model, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(a.Operations)), "ns/route")
	var size int
	for _, f := range files {
		size += len(f)
	}
	b.ReportMetric(float64(size), "output-bytes")
}

// BenchmarkAnalyze1000 measures the analysis gati generate runs first on
// the same app (go/packages loading and type-checking included), reported
// apart from generation.
func BenchmarkAnalyze1000(b *testing.B) {
	dir, err := syntheticApp()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := analyze.Load(b.Context(), dir); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/syntheticRoutes, "ns/route")
}

// syntheticDir is the synthetic app's directory once made, removed by
// TestMain.
var syntheticDir string

func TestMain(m *testing.M) {
	code := m.Run()
	if syntheticDir != "" {
		os.RemoveAll(syntheticDir)
	}
	os.Exit(code)
}
