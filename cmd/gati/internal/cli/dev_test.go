package cli

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"gati.dev/gati/gatitest"
)

const greetGo = `package main

import "gati.dev/gati"

type GreetOutput struct {
	Greeting string ` + "`json:\"greeting\"`" + `
}

//gati:route GET /greet
func Greet(gctx *gati.Global, lctx *gati.Local, in struct{}) (GreetOutput, error) {
	return GreetOutput{Greeting: "hi"}, nil
}
`

// TestDevRegeneratesRoutes runs gati dev with the real analyzer and adds
// a route in a new file: it must be registered and served after the
// reload. A type error must then be reported, by the analyzer, while the
// last good build serves on.
func TestDevRegeneratesRoutes(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "demo")
	if out, err := run(t.Context(), t, "create", dir); err != nil {
		t.Fatalf("gati create: %v\n%s", err, out)
	}
	port := freePort(t)
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	out := startDev(t, dir, "--port", strconv.Itoa(port))

	waitGet(t, base+"/hello", "Hello, world!")
	out.WaitFor(t, "ready in", time.Minute)
	writeFile(t, filepath.Join(dir, "greet.go"), greetGo)
	waitGet(t, base+"/greet", `"greeting":"hi"`)
	gen, err := os.ReadFile(filepath.Join(dir, "gati_gen.go"))
	if err != nil || !strings.Contains(string(gen), `"GET /greet"`) {
		t.Errorf("gati_gen.go does not register GET /greet:\n%s", gen)
	}
	if _, err := os.Stat(filepath.Join(dir, ".gati", "manifest.json")); err != nil {
		t.Errorf("no manifest written: %v", err)
	}

	writeFile(t, filepath.Join(dir, "greet.go"), strings.Replace(greetGo, `"hi"`, `1`, 1))
	out.WaitFor(t, "greet.go:11", time.Minute)
	waitGet(t, base+"/greet", `"greeting":"hi"`) // the last good build serves on
}

func TestDevRequiresApp(t *testing.T) {
	t.Parallel()
	_, err := run(t.Context(), t, "dev", t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "no go.mod") {
		t.Fatalf("err = %v, want one about go.mod", err)
	}
}

// startDev runs gati dev with args until the test ends.
func startDev(t *testing.T, dir string, args ...string) *gatitest.Buffer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &gatitest.Buffer{}
	root := newRootCmd("dev", "unknown")
	root.SetOut(out)
	root.SetErr(out)
	root.SetArgs(append([]string{"dev", dir}, args...))
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("gati dev: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("gati dev did not stop 30s after its context ended")
		}
		if t.Failed() {
			t.Logf("gati dev output:\n%s", out.String())
		}
	})
	return out
}

// waitGet polls url until it answers 200 with want in the body.
func waitGet(t *testing.T, url, want string) {
	t.Helper()
	client := &http.Client{Timeout: 3 * time.Minute}
	deadline := time.Now().Add(3 * time.Minute)
	var last string
	for time.Now().Before(deadline) {
		res, err := client.Get(url)
		if err == nil {
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			last = res.Status + " " + string(body)
			if res.StatusCode == http.StatusOK && strings.Contains(string(body), want) {
				return
			}
		} else {
			last = err.Error()
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("GET %s: no 200 with %q; last: %s", url, want, last)
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
