package main_test

import (
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"gati.dev/gati/gatitest"
)

// TestInstallAndCreateOffline is the newcomer's path on a machine with no
// checkout around and no network: go install the CLI from a copy of the
// checkout into a fresh GOPATH (its module cache seeded from this one's,
// offline), delete the copy, then with GOPROXY=off gati create an app in a
// fresh directory, go build, go test and go vet it, gati build it and
// serve a request through gati dev.
func TestInstallAndCreateOffline(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: installs the CLI into a fresh GOPATH")
	}
	tmp := t.TempDir()
	env := offlineEnv(t, tmp)

	src := filepath.Join(tmp, "checkout")
	copyCheckout(t, filepath.Join("..", ".."), src)
	gobin := filepath.Join(tmp, "gobin")
	step(t, src, append(env, "GOBIN="+gobin, "GOPROXY="+seedProxy(t), "GOSUMDB=off"), "go", "install", "./cmd/gati")
	if err := os.RemoveAll(src); err != nil {
		t.Fatal(err)
	}

	env = append(env, "GOPROXY=off")
	gati := filepath.Join(gobin, "gati")
	work := filepath.Join(tmp, "work")
	if err := os.Mkdir(work, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(gati, "--version").Output(); err != nil || !strings.Contains(string(out), "\nruntime gati.dev/gati v") {
		t.Errorf("gati --version = %q, %v; want the embedded runtime's version", out, err)
	}
	step(t, work, env, gati, "create", "x")
	app := filepath.Join(work, "x")
	if gomod, _ := os.ReadFile(filepath.Join(app, "go.mod")); strings.Contains(string(gomod), "replace") {
		t.Fatalf("go.mod has a replace directive:\n%s", gomod)
	}
	step(t, app, env, "go", "build", "./...")
	step(t, app, env, "go", "test", "./...")
	step(t, app, env, "go", "vet", "./...")
	step(t, app, env, gati, "build")
	serveDev(t, app, env, gati)
}

// offlineEnv is the environment of a fresh machine: its own GOPATH and
// module cache, no workspace, no toolchain download. The build cache is
// shared, which only saves time.
func offlineEnv(t *testing.T, tmp string) []string {
	gopath := filepath.Join(tmp, "gopath")
	return append(os.Environ(),
		"GOPATH="+gopath, "GOMODCACHE="+filepath.Join(gopath, "pkg", "mod"),
		"GOFLAGS=-modcacherw", "GOTOOLCHAIN=local", "GOWORK=")
}

// seedProxy serves this machine's module cache as a GOPROXY, offline.
func seedProxy(t *testing.T) string {
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "cache", "download")
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(dir)}).String()
}

// copyCheckout copies the checkout at from to to, without .git, built
// binaries and generated state.
func copyCheckout(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "bin" || d.Name() == ".gati") {
			return filepath.SkipDir
		}
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// step runs a command and logs how long it took.
func step(t *testing.T, dir string, env []string, name string, args ...string) {
	t.Helper()
	start := time.Now()
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.CombinedOutput()
	line := filepath.Base(name) + " " + strings.Join(args, " ")
	if err != nil {
		t.Fatalf("%s: %v\n%s", line, err, out)
	}
	t.Logf("%s: %s", line, time.Since(start).Round(10*time.Millisecond))
}

// serveDev runs gati dev on a free port until GET /hello answers, bounded.
func serveDev(t *testing.T, app string, env []string, gati string) {
	t.Helper()
	port := freePort(t)
	cmd := exec.Command(gati, "dev", "--port", fmt.Sprint(port))
	cmd.Dir, cmd.Env = app, env
	logs := &gatitest.Buffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}()
	url := fmt.Sprintf("http://127.0.0.1:%d/hello?name=Ada", port)
	client := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(5 * time.Minute)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for range tick.C {
		if resp, err := client.Get(url); err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 && strings.Contains(string(body), "Hello, Ada!") {
				t.Logf("gati dev served GET /hello after %s", time.Since(start).Round(10*time.Millisecond))
				return
			}
		}
		select {
		case err := <-done:
			t.Fatalf("gati dev exited: %v\n%s", err, logs)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("gati dev did not serve GET /hello within 5m:\n%s", logs)
		}
	}
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
