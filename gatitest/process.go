package gatitest

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"gati.dev/gati"
)

// Timeout bounds each wait: for the app to become ready, and to exit
// after SIGTERM.
var Timeout = 10 * time.Second

// Build compiles the main package in dir into a binary in a temporary
// directory and returns its path.
func Build(tb testing.TB, dir string) string {
	tb.Helper()
	abs, err := filepath.Abs(dir)
	if err != nil {
		tb.Fatalf("gatitest: %v", err)
	}
	bin := filepath.Join(tb.TempDir(), filepath.Base(abs))
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("gatitest: go build in %s: %v\n%s", dir, err, out)
	}
	return bin
}

// Process is an app running as a child process, as in production.
type Process struct {
	// URL is the app's base URL, such as "http://127.0.0.1:40123".
	URL string

	cmd    *exec.Cmd
	logs   Buffer
	exited chan struct{}
	err    error // set before exited closes
}

// Start runs cmd as an app: on a free loopback port ($PORT and
// $GATI_HOST), in production unless cmd.Env sets GATI_ENV, with its output
// collected (see Logs). It returns once /healthz/ready answers 200, and
// kills the process when the test ends if it is still running.
func Start(tb testing.TB, cmd *exec.Cmd) *Process {
	tb.Helper()
	port := FreePort(tb)
	env := cmd.Env
	if env == nil {
		env = os.Environ()
	}
	env = append(env, "PORT="+port, "GATI_HOST=127.0.0.1")
	if !slices.ContainsFunc(env, func(kv string) bool { return strings.HasPrefix(kv, "GATI_ENV=") }) {
		env = append(env, "GATI_ENV=production")
	}
	p := &Process{URL: "http://127.0.0.1:" + port, cmd: cmd, exited: make(chan struct{})}
	cmd.Env, cmd.Stdout, cmd.Stderr = env, &p.logs, &p.logs
	if err := cmd.Start(); err != nil {
		tb.Fatalf("gatitest: starting %s: %v", cmd.Path, err)
	}
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	tb.Cleanup(p.kill)
	p.waitReady(tb)
	return p
}

func (p *Process) waitReady(tb testing.TB) {
	tb.Helper()
	deadline := time.Now().Add(Timeout)
	for time.Now().Before(deadline) {
		select {
		case <-p.exited:
			tb.Fatalf("gatitest: the app exited before it was ready (%v):\n%s", p.err, p.Logs())
		default:
		}
		if resp, err := http.Get(p.URL + gati.PathReady); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	tb.Fatalf("gatitest: the app was not ready within %s:\n%s", Timeout, p.Logs())
}

// Logs returns everything the app has written so far.
func (p *Process) Logs() string { return p.logs.String() }

// Exited is closed when the process has exited.
func (p *Process) Exited() <-chan struct{} { return p.exited }

// Stop sends SIGTERM and fails the test unless the app exits with status
// 0 within Timeout, as a graceful shutdown must.
func (p *Process) Stop(tb testing.TB) {
	tb.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		tb.Fatalf("gatitest: sending SIGTERM: %v", err)
	}
	select {
	case <-p.exited:
		if p.err != nil {
			tb.Fatalf("gatitest: exit after SIGTERM: %v, want status 0\n%s", p.err, p.Logs())
		}
	case <-time.After(Timeout):
		tb.Fatalf("gatitest: the app did not exit within %s of SIGTERM:\n%s", Timeout, p.Logs())
	}
}

func (p *Process) kill() {
	select {
	case <-p.exited:
	default:
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}
