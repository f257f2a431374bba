package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"gati.dev/gati"
	"gati.dev/gati/gatitest"
)

// TestHello serves the app in memory, as main does but without a socket.
func TestHello(t *testing.T) {
	t.Parallel()
	srv := startApp(t)
	tests := []struct{ query, want string }{
		{"?name=Ada", `{"message":"Hello, Ada!"}`},
		{"?name=", `{"message":"Hello, world!"}`},
		{"", `{"message":"Hello, world!"}`},
		{"?name=%C3%89mile", `{"message":"Hello, Émile!"}`},
	}
	for _, tt := range tests {
		status, hdr, body := get(t, srv.URL+"/hello"+tt.query)
		if status != http.StatusOK || body != tt.want || hdr.Get("Content-Type") != "application/json" {
			t.Errorf("GET /hello%s = %d %s %q, want 200 application/json %s", tt.query, status, hdr.Get("Content-Type"), body, tt.want)
		}
	}
}

// TestRoutesPointAtDirectives guards the hand-maintained gati_gen.go: every
// route's source position must be the line of its //gati:route directive.
func TestRoutesPointAtDirectives(t *testing.T) {
	t.Parallel()
	app := gati.New(gati.WithEnv("test"), gati.WithLogOutput(io.Discard))
	gatiRegister(app)
	if err := app.Err(); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range app.Routes() {
		file, line, _ := strings.Cut(r.Source, ":")
		want := "//gati:route " + r.Pattern
		if got := lineOf(t, file, line); got != want {
			t.Errorf("route %q: %s is %q, want %q", r.Pattern, r.Source, got, want)
		}
		n++
	}
	if n != 1 {
		t.Errorf("%d routes registered, want 1", n)
	}
}

// TestBinary builds the example, runs it as a production process would,
// talks to it over HTTP and stops it with SIGTERM.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	if runtime.GOOS == "windows" {
		t.Skip("needs SIGTERM")
	}
	t.Parallel()
	p := gatitest.Start(t, exec.Command(gatitest.Build(t, ".")))

	status, _, body := get(t, p.URL+"/hello")
	if status != 200 || body != `{"message":"Hello, world!"}` {
		t.Errorf("GET /hello = %d %s", status, body)
	}
	status, hdr, body := get(t, p.URL+"/hello?name=Ada")
	// Successes carry no X-Request-Id unless the client sent one (see
	// server.request_id_header); errors do.
	if status != 200 || body != `{"message":"Hello, Ada!"}` || hdr.Get("X-Request-Id") != "" {
		t.Errorf("GET /hello?name=Ada = %d %s %v", status, body, hdr)
	}

	status, hdr, body = get(t, p.URL+"/nope")
	prob := problem(t, hdr, body)
	if status != 404 || prob.Status != 404 || prob.Code != "not_found" || prob.Type != gati.ProblemTypeBase+"not_found" ||
		prob.Instance != "/nope" || prob.RequestID == "" || prob.RequestID != hdr.Get("X-Request-Id") {
		t.Errorf("GET /nope = %d %s", status, body)
	}

	resp, err := http.Post(p.URL+"/hello", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	prob = problem(t, resp.Header, string(b))
	if resp.StatusCode != 405 || resp.Header.Get("Allow") != "GET, HEAD" || prob.Code != "method_not_allowed" {
		t.Errorf("POST /hello = %d Allow=%q %s", resp.StatusCode, resp.Header.Get("Allow"), b)
	}

	p.Stop(t)
	logs := p.Logs()
	for _, want := range []string{`"msg":"listening"`, `"env":"production"`, `"msg":"shutting down"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %s:\n%s", want, logs)
		}
	}
	if strings.Contains(logs, `"msg":"request"`) {
		t.Errorf("production logged access lines, which are on in development only:\n%s", logs)
	}
}

// startApp starts the app in the test environment behind an httptest server.
func startApp(t *testing.T) *httptest.Server {
	t.Helper()
	app := gati.New(gati.WithEnv("test"), gati.WithLogOutput(io.Discard))
	gatiRegister(app)
	return gatitest.Serve(t, app)
}

func get(t *testing.T, url string) (int, http.Header, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

// problem decodes an RFC 9457 body, failing when the content type is not
// problem+json.
func problem(t *testing.T, hdr http.Header, body string) gati.Problem {
	t.Helper()
	var p gati.Problem
	if ct := hdr.Get("Content-Type"); ct != gati.ProblemContentType {
		t.Errorf("Content-Type %q, want %s", ct, gati.ProblemContentType)
		return p
	}
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Errorf("problem %q: %v", body, err)
	}
	return p
}

// lineOf returns the trimmed text of line (1-based, as a string) of file.
func lineOf(t *testing.T, file, line string) string {
	t.Helper()
	n, err := strconv.Atoi(line)
	if err != nil {
		t.Fatalf("bad line %q", line)
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for i := 1; sc.Scan(); i++ {
		if i == n {
			return strings.TrimSpace(sc.Text())
		}
	}
	return ""
}
