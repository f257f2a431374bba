package main_test

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gati.dev/gati/gatitest"
)

// TestCreateBuildRun is the end-to-end path a new user takes: build the
// gati CLI, `gati create` an app in a temp dir, `gati build` it into a
// static binary, run the binary on $PORT, call it over HTTP and stop it
// with SIGTERM.
func TestCreateBuildRun(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds the CLI and an app")
	}
	tmp := t.TempDir()
	cli := filepath.Join(tmp, "gati")
	run(t, ".", "go", "build", "-o", cli, ".")

	run(t, tmp, cli, "create", "demo")
	app := filepath.Join(tmp, "demo")
	out := run(t, app, cli, "build")
	bin := filepath.Join(app, "bin", "demo")
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("gati build printed %q but made no binary: %v", out, err)
	}
	run(t, app, cli, "routes")

	cmd := exec.Command(bin)
	cmd.Dir = app
	p := gatitest.Start(t, cmd)
	var got struct{ Message string }
	getJSON(t, p.URL+"/hello?name=Ada", &got)
	if got.Message != "Hello, Ada!" {
		t.Fatalf("GET /hello?name=Ada = %+v", got)
	}
	p.Stop(t)
	if !strings.Contains(p.Logs(), `"msg":"listening"`) {
		t.Errorf("no JSON 'listening' log line in production:\n%s", p.Logs())
	}
}
func run(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, out)
	}
	return string(out)
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || json.Unmarshal(body, v) != nil {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, body)
	}
}
