package gatitest_test

import (
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gati.dev/gati"
	"gati.dev/gati/gatitest"
)

func TestServeAndDecodeProblem(t *testing.T) {
	app := gati.New(gati.WithEnv("test"), gati.WithLogOutput(io.Discard))
	app.HandleFunc("GET /teapot", func(*gati.Request, *gati.Response, *gati.Global, *gati.Local) error {
		return gati.NewError(418, "teapot", "short and stout")
	})
	srv := gatitest.Serve(t, app)
	resp, err := srv.Client().Get(srv.URL + "/teapot")
	if err != nil {
		t.Fatal(err)
	}
	if p := gatitest.DecodeProblem(t, resp); p.Status != 418 || p.Code != "teapot" || p.RequestID == "" {
		t.Fatalf("problem = %+v", p)
	}
}

const mainGo = `package main

import "gati.dev/gati"

func main() {
	app := gati.New()
	app.HandleFunc("GET /ping", func(_ *gati.Request, res *gati.Response, _ *gati.Global, _ *gati.Local) error {
		return res.Text(200, "pong")
	})
	app.Main()
}
`

func TestBuildStartStop(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	dir := t.TempDir()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	gomod := "module ping\n\ngo 1.26.0\n\nrequire gati.dev/gati v0.0.0\n\nreplace gati.dev/gati => " + root + "\n"
	write(t, filepath.Join(dir, "go.mod"), gomod)
	write(t, filepath.Join(dir, "main.go"), mainGo)
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "go.sum"), string(sum))
	t.Setenv("GOWORK", "off")
	t.Setenv("GOFLAGS", "-mod=mod")

	p := gatitest.Start(t, exec.Command(gatitest.Build(t, dir)))
	resp, err := http.Get(p.URL + "/ping")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "pong" {
		t.Fatalf("GET /ping = %q", body)
	}
	p.Stop(t)
	if !strings.Contains(p.Logs(), `"msg":"shutting down"`) {
		t.Fatalf("logs:\n%s", p.Logs())
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
