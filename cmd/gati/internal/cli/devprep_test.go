package cli

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"gati.dev/gati/cmd/gati/analyze"
	"gati.dev/gati/manifest"
)

const byeGo = `package main

import "gati.dev/gati"

//gati:route GET /bye
func Bye(gctx *gati.Global, lctx *gati.Local, in struct{}) (GreetOutput, error) {
	return GreetOutput{Greeting: "bye"}, nil
}
`

const linesGo = `package main

import "gati.dev/gati"

func helper() string {
	return "one"
}

//gati:route GET /lines
func Lines(gctx *gati.Global, lctx *gati.Local, in struct{}) (GreetOutput, error) {
	return GreetOutput{Greeting: helper()}, nil
}
`

// TestDevAnalyzesOnlyWhatChanged runs gati dev and edits the app: an edit
// inside a handler's body is served without analysis, leaving gati_gen.go
// and the manifest untouched; one that adds a line moves the routes after
// it; a directive or signature edit regenerates
// them; a deleted route disappears; a type error is reported with its
// file and line. After each step the manifest is what gati build writes.
func TestDevAnalyzesOnlyWhatChanged(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "demo")
	if out, err := run(t.Context(), t, "create", dir); err != nil {
		t.Fatalf("gati create: %v\n%s", err, out)
	}
	greet, bye := filepath.Join(dir, "greet.go"), filepath.Join(dir, "bye.go")
	writeFile(t, greet, greetGo)
	writeFile(t, bye, byeGo)
	writeFile(t, filepath.Join(dir, "lines.go"), linesGo)
	port := freePort(t)
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	out := startDev(t, dir, "--port", strconv.Itoa(port), "--timings")
	waitGet(t, base+"/greet", `"greeting":"hi"`)
	out.WaitFor(t, "ready in", time.Minute)
	gen := snapshot(t, filepath.Join(dir, analyze.GenFile))
	man := snapshot(t, manifest.Path(dir))

	writeFile(t, greet, strings.Replace(greetGo, `"hi"`, `"hey"`, 1))
	waitGet(t, base+"/greet", `"greeting":"hey"`)
	out.WaitFor(t, "prepare skipped", time.Minute)
	gen.unchanged(t)
	man.unchanged(t)
	sameManifest(t, dir)

	gen.contains(t, `gati.Source("lines.go", 9)`)
	writeFile(t, filepath.Join(dir, "lines.go"), strings.Replace(linesGo, `return "one"`, "x := \"two\"\n\treturn x", 1))
	waitGet(t, base+"/lines", `"greeting":"two"`)
	gen.contains(t, `gati.Source("lines.go", 10)`)
	sameManifest(t, dir)

	writeFile(t, greet, strings.Replace(greetGo, "GET /greet", "GET /greet2", 1))
	waitGet(t, base+"/greet2", `"greeting":"hi"`)
	gen.contains(t, `"GET /greet2"`)
	sameManifest(t, dir)

	writeFile(t, greet, strings.ReplaceAll(greetGo, "Greet(", "Salute("))
	waitGet(t, base+"/greet", `"greeting":"hi"`)
	gen.contains(t, "gati.Typed(Salute)")
	sameManifest(t, dir)

	if err := os.Remove(bye); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, base+"/bye", http.StatusNotFound)
	if gen.read(t); strings.Contains(gen.data, "/bye") {
		t.Errorf("gati_gen.go still registers /bye:\n%s", gen.data)
	}
	sameManifest(t, dir)

	writeFile(t, greet, strings.Replace(greetGo, `"hi"`, `1`, 1))
	out.WaitFor(t, "greet.go:11", time.Minute)
	waitGet(t, base+"/greet", `"greeting":"hi"`) // the last good build serves on
}

// fileState is a file's content and modification time at some point.
type fileState struct {
	path string
	data string
	mod  time.Time
}

func snapshot(t *testing.T, path string) *fileState {
	t.Helper()
	f := &fileState{path: path}
	f.read(t)
	return f
}

func (f *fileState) read(t *testing.T) {
	t.Helper()
	info, err := os.Stat(f.path)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(f.path)
	if err != nil {
		t.Fatal(err)
	}
	f.data, f.mod = string(data), info.ModTime()
}

func (f *fileState) unchanged(t *testing.T) {
	t.Helper()
	was := *f
	if f.read(t); f.data != was.data || !f.mod.Equal(was.mod) {
		t.Errorf("%s was rewritten (modified %v, then %v)", filepath.Base(f.path), was.mod, f.mod)
	}
}

func (f *fileState) contains(t *testing.T, want string) {
	t.Helper()
	if f.read(t); !strings.Contains(f.data, want) {
		t.Errorf("%s lacks %s:\n%s", filepath.Base(f.path), want, f.data)
	}
}

// sameManifest checks that the manifest on disk is the one a full
// analysis of the app's source gives, as gati build would write it.
func sameManifest(t *testing.T, dir string) {
	t.Helper()
	m, err := analyze.Load(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	want, err := manifest.Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(manifest.Path(dir))
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("the manifest is not what gati build writes (%v):\n%s\nwant:\n%s", err, got, want)
	}
}

// waitStatus polls url until it answers with status code.
func waitStatus(t *testing.T, url string, code int) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	last := 0
	for time.Now().Before(deadline) {
		if res, err := http.Get(url); err == nil {
			res.Body.Close()
			if last = res.StatusCode; last == code {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("GET %s: status %d, want %d", url, last, code)
}
