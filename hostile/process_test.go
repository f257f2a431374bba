package hostile_test

import (
	"bufio"
	"errors"
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

	"gati.dev/gati"
	"gati.dev/gati/gatitest"
)

// bound is every short timeout the probes configure, and slack how many
// times it a probe may take: generous for a loaded 2-core CI machine, but
// a bound.
const (
	bound = 300 * time.Millisecond
	slack = 5
)

// shortTimeouts is the server section of the probes' gati.yaml: every
// bound a client can run into is short, except write_timeout. The
// connection's write deadline is the request's start plus request_timeout
// plus write_timeout, and on a machine loaded enough to delay the answer
// given at the request deadline by more than write_timeout, that answer
// is lost and the client sees the connection close instead (see
// writeBound). The probes of slow readers set it short themselves.
const shortTimeouts = `server:
  request_timeout: 300ms
  read_timeout: 300ms
  write_timeout: 3s
  read_header_timeout: 300ms
  drain_delay: 1ms
`

// writeBound is shortTimeouts with write_timeout 300ms too, for the
// probes of clients that do not read.
var writeBound = strings.Replace(shortTimeouts, "write_timeout: 3s", "write_timeout: 300ms", 1)

// app is a binary under test running as a child process.
type app struct {
	name   string
	addr   string // 127.0.0.1:port
	url    string
	cmd    *exec.Cmd
	logs   gatitest.Buffer
	exited chan struct{}
	err    error // the exit status, set before exited closes
}

// spawn runs bin in a new working directory holding config as its
// gati.yaml (or in dir when config is empty and dir is not), on a free
// loopback port, in production, with env added. It does not wait for
// readiness; the process is killed when the test ends.
func spawn(t *testing.T, bin, dir, config string, env ...string) *app {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "gati.yaml"), []byte(config), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	port := gatitest.FreePort(t)
	a := &app{name: filepath.Base(bin), addr: "127.0.0.1:" + port, exited: make(chan struct{})}
	a.url = "http://" + a.addr
	a.cmd = exec.Command(bin)
	a.cmd.Dir = dir
	a.cmd.Env = append(cleanEnv(), append([]string{"PORT=" + port, "GATI_HOST=127.0.0.1", "GATI_ENV=production"}, env...)...)
	a.cmd.Stdout, a.cmd.Stderr = &a.logs, &a.logs
	if err := a.cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	go func() {
		a.err = a.cmd.Wait()
		close(a.exited)
	}()
	t.Cleanup(func() {
		a.kill()
		if t.Failed() {
			t.Logf("%s logs:\n%s", a.name, a.logs.String())
		}
	})
	return a
}

// cleanEnv is the test's environment without what would change the apps'
// configuration: a CI runner inside Kubernetes must not get a drain delay.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if k == "PORT" || k == "TASKS_TOKEN" || strings.HasPrefix(k, "GATI_") || strings.HasPrefix(k, "KUBERNETES_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// start is spawn and waits until the app is ready.
func start(t *testing.T, bin, config string, env ...string) *app {
	t.Helper()
	a := spawn(t, bin, "", config, env...)
	a.waitReady(t)
	return a
}

// waitReady polls readiness, at most 10 seconds.
func (a *app) waitReady(t *testing.T) time.Duration {
	t.Helper()
	began := time.Now()
	for time.Since(began) < 10*time.Second {
		select {
		case <-a.exited:
			t.Fatalf("%s exited before it was ready: %v\n%s", a.name, a.err, a.logs.String())
		default:
		}
		if r, err := tryExchange(a.addr, "GET "+gati.PathReady+" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"); err == nil && r.status == 200 {
			return time.Since(began)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s was not ready within 10s:\n%s", a.name, a.logs.String())
	return 0
}

func (a *app) kill() {
	select {
	case <-a.exited:
	default:
		_ = a.cmd.Process.Kill()
		<-a.exited
	}
}

// terminate sends SIGTERM.
func (a *app) terminate(t *testing.T) {
	t.Helper()
	if err := a.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM: %v", err)
	}
}

// dial opens a raw connection to the app, closed when the test ends.
func (a *app) dial(t *testing.T) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", a.addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// response is what came back for a raw request.
type response struct {
	status int
	header http.Header
	body   string
	close  bool // the server announced Connection: close
	took   time.Duration
}

// problem decodes the body as problem+json, failing otherwise.
func (r response) problem(t *testing.T) gati.Problem {
	t.Helper()
	resp := &http.Response{StatusCode: r.status, Header: r.header, Body: io.NopCloser(strings.NewReader(r.body))}
	return gatitest.DecodeProblem(t, resp)
}

// pointers lists the JSON pointers a problem names.
func pointers(p gati.Problem) []string {
	var out []string
	for _, e := range p.Errors {
		out = append(out, e.Pointer)
	}
	return out
}

// exchange writes raw on c and reads one response (to a HEAD when method
// says so), failing the test if none comes within the limit.
func exchange(t *testing.T, c net.Conn, br *bufio.Reader, method, raw string, limit time.Duration) response {
	t.Helper()
	r, err := exchangeOn(c, br, method, raw, limit)
	if err != nil {
		t.Fatalf("%q: %v", firstLine(raw), err)
	}
	return r
}

func exchangeOn(c net.Conn, br *bufio.Reader, method, raw string, limit time.Duration) (response, error) {
	began := time.Now()
	_ = c.SetDeadline(began.Add(limit))
	defer c.SetDeadline(time.Time{})
	if _, err := io.WriteString(c, raw); err != nil {
		return response{}, err
	}
	resp, err := http.ReadResponse(br, &http.Request{Method: method})
	if err != nil {
		return response{}, fmt.Errorf("no response within %v: %w", limit, err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return response{}, fmt.Errorf("reading the body: %w (read %q)", err, b)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(b), close: resp.Close, took: time.Since(began)}, nil
}

// tryExchange sends raw on a new connection and reads one response.
func tryExchange(addr, raw string) (response, error) {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return response{}, err
	}
	defer c.Close()
	return exchangeOn(c, bufio.NewReader(c), strings.Fields(raw)[0], raw, 5*time.Second)
}

// roundTrip sends raw on a new connection and reads one response.
func (a *app) roundTrip(t *testing.T, raw string) response {
	t.Helper()
	c := a.dial(t)
	method := strings.Fields(raw)[0]
	return exchange(t, c, bufio.NewReader(c), method, raw, 5*time.Second)
}

// get is a GET on a new connection.
func (a *app) get(t *testing.T, target string, header ...string) response {
	t.Helper()
	return a.roundTrip(t, "GET "+target+" HTTP/1.1\r\nHost: x\r\n"+strings.Join(header, "")+"Connection: close\r\n\r\n")
}

// post sends body with a Content-Length on a new connection.
func (a *app) post(t *testing.T, target, body string, header ...string) response {
	t.Helper()
	return a.roundTrip(t, fmt.Sprintf("POST %s HTTP/1.1\r\nHost: x\r\n%sContent-Length: %d\r\nConnection: close\r\n\r\n%s",
		target, strings.Join(header, ""), len(body), body))
}

// closedWithin reads c until the server closes it (or resets it),
// failing the test if that takes longer than limit. It returns what was
// read and when the close came, measured from since.
func closedWithin(t *testing.T, c net.Conn, r io.Reader, since time.Time, limit time.Duration) (string, time.Duration) {
	t.Helper()
	_ = c.SetReadDeadline(since.Add(limit))
	b, err := io.ReadAll(r)
	took := time.Since(since)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the server kept the connection open for %v; read %q", limit, clip(b))
	}
	return string(b), took
}

// clip shortens what a failure message quotes.
func clip(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "..."
	}
	return string(b)
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\r\n")
	return line
}

// metric scrapes /metrics and returns the value of series, "" if absent.
func (a *app) metric(t *testing.T, series string) string {
	t.Helper()
	r := a.get(t, gati.PathMetrics)
	for _, line := range strings.Split(r.body, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			return v
		}
	}
	return ""
}

// eventually polls cond every 20ms until it holds, failing after limit.
func eventually(t *testing.T, limit time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	began := time.Now()
	for !cond() {
		if time.Since(began) > limit {
			t.Fatalf("%s: not within %v", what, limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return time.Since(began)
}

// readResponse reads one response to a request of method.
func readResponse(br *bufio.Reader, method string) (*http.Response, error) {
	return http.ReadResponse(br, &http.Request{Method: method})
}
