package main_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
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

	port := freePort(t)
	cmd := exec.Command(bin)
	cmd.Dir = app
	cmd.Env = append(os.Environ(), "PORT="+port, "GATI_HOST=127.0.0.1", "GATI_ENV=production")
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	base := "http://127.0.0.1:" + port
	waitFor(t, base+"/healthz/ready")

	var got struct{ Message string }
	getJSON(t, base+"/hello?name=Ada", &got)
	if got.Message != "Hello, Ada!" {
		t.Fatalf("GET /hello?name=Ada = %+v", got)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("app exited with %v; logs:\n%s", err, logs.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("app did not stop within 10s of SIGTERM; logs:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), `"msg":"listening"`) {
		t.Errorf("no JSON 'listening' log line in production:\n%s", logs.String())
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

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
}

func waitFor(t *testing.T, url string) {
	t.Helper()
	for i := 0; i < 300; i++ {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s never answered 200", url)
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
