package gati_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"gati.dev/gati"
	"gati.dev/gati/gatitest"
)

// start starts app and serves it from an httptest server, stopping both
// when the test ends.
func start(t *testing.T, app *gati.App) *httptest.Server { return gatitest.Serve(t, app) }

// newApp returns an app in the test environment with logs discarded.
func newApp(opts ...gati.Option) *gati.App {
	return gati.New(append([]gati.Option{gati.WithEnv("test"), gati.WithLogOutput(io.Discard)}, opts...)...)
}

type result struct {
	status  int
	header  http.Header
	body    string
	problem gati.Problem
}

func do(t *testing.T, srv *httptest.Server, method, path, body string, hdr ...string) result {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body == "" {
		req.Body = http.NoBody
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := result{status: resp.StatusCode, header: resp.Header, body: string(b)}
	if resp.Header.Get("Content-Type") == gati.ProblemContentType {
		if err := json.Unmarshal(b, &r.problem); err != nil {
			t.Fatalf("problem body %q: %v", b, err)
		}
	}
	return r
}

type greetIn struct {
	Name string `query:"name"`
}

type greetOut struct {
	Message string `json:"message"`
}

func greet(_ *gati.Global, _ *gati.Local, in greetIn) (greetOut, error) {
	if in.Name == "" {
		in.Name = "world"
	}
	return greetOut{Message: "Hello, " + in.Name + "!"}, nil
}

func TestTypedHandlerQuery(t *testing.T) {
	t.Parallel()
	app := newApp()
	app.Handle("GET /hello", gati.Typed(greet))
	srv := start(t, app)

	r := do(t, srv, "GET", "/hello?name=Ada", "")
	if r.status != 200 || r.body != `{"message":"Hello, Ada!"}` {
		t.Fatalf("got %d %q", r.status, r.body)
	}
	if r.header.Get("Content-Type") != "application/json" { // X-Request-Id: see requestid_test.go
		t.Fatalf("headers %v", r.header)
	}
}

func TestNotFoundAndMethodNotAllowed(t *testing.T) {
	t.Parallel()
	app := newApp()
	app.Handle("GET /items/{id}", gati.Typed(greet))
	app.Handle("DELETE /items/{id}", gati.Typed(greet))
	srv := start(t, app)

	r := do(t, srv, "GET", "/nope", "")
	if r.status != 404 || r.problem.Code != "not_found" || r.problem.RequestID == "" {
		t.Fatalf("404: got %d %+v", r.status, r.problem)
	}
	r = do(t, srv, "POST", "/items/7", "")
	if r.status != 405 || r.header.Get("Allow") != "DELETE, GET, HEAD" {
		t.Fatalf("405: got %d Allow=%q", r.status, r.header.Get("Allow"))
	}
	if r.problem.RequestID == "" || r.problem.RequestID != r.header.Get("X-Request-Id") {
		t.Fatalf("problem request id %q != header %q", r.problem.RequestID, r.header.Get("X-Request-Id"))
	}
}

type createIn struct {
	Tenant string `path:"tenant"`
	Name   string `json:"name"`
	Age    int    `json:"age"`
}

func (in createIn) Validate() error {
	if in.Name == "" {
		return gati.Invalid(gati.FieldError{Pointer: "/name", Detail: "is required"})
	}
	return nil
}

func create(_ *gati.Global, _ *gati.Local, in createIn) (createIn, error) { return in, nil }

func TestTypedBodyErrors(t *testing.T) {
	t.Parallel()
	app := newApp()
	app.Handle("POST /t/{tenant}/users", gati.Typed(create), gati.Status(201), gati.BodyLimit(64))
	srv := start(t, app)

	tests := []struct {
		name, body string
		status     int
		code, has  string
	}{
		{"ok", `{"name":"Ada","age":36}`, 201, "", `"Tenant":"acme"`},
		{"malformed", "{\n  \"name\": \"Ada\",,\n}", 400, "malformed_json", "line 2, column 17"},
		{"truncated", `{"name":`, 400, "malformed_json", "unexpected end"},
		{"wrong type", `{"name":"Ada","age":"old"}`, 422, "validation_failed", `{"pointer":"/age","detail":"must be an integer"}`},
		{"every violation", `{"age":-1.5}`, 422, "validation_failed", `"errors":[{"pointer":"/age","detail":"must be an integer"},{"pointer":"/name","detail":"is required"}]`},
		{"no body", ``, 422, "validation_failed", `{"pointer":"/age","detail":"is required"}`},
		{"too large", `{"name":"` + strings.Repeat("x", 100) + `"}`, 413, "body_too_large", "64 bytes"},
		{"invalid", `{"age":3}`, 422, "validation_failed", "/name"},
		{"body cannot set path", `{"name":"Ada","age":1,"Tenant":"evil"}`, 201, "", `"Tenant":"acme"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, srv, "POST", "/t/acme/users", tt.body, "Content-Type", "application/json")
			if r.status != tt.status || r.problem.Code != tt.code || !strings.Contains(r.body, tt.has) {
				t.Fatalf("got %d %s; want %d %s containing %q", r.status, r.body, tt.status, tt.code, tt.has)
			}
		})
	}
}

func TestPanicIsContained(t *testing.T) {
	t.Parallel()
	app := newApp()
	app.HandleFunc("GET /boom", func(*gati.Request, *gati.Response, *gati.Global, *gati.Local) error {
		panic("kaboom")
	})
	app.Handle("GET /hello", gati.Typed(greet))
	srv := start(t, app)

	r := do(t, srv, "GET", "/boom", "", "X-Request-Id", "req-123")
	if r.status != 500 || r.problem.RequestID != "req-123" || r.problem.Code != "panic" {
		t.Fatalf("got %d %+v", r.status, r.problem)
	}
	if strings.Contains(r.body, "kaboom") || r.problem.Stack != "" {
		t.Fatalf("panic details leaked outside development: %s", r.body)
	}
	if r := do(t, srv, "GET", "/hello", ""); r.status != 200 {
		t.Fatalf("next request: %d", r.status)
	}
}

func TestPanicShowsStackInDevelopment(t *testing.T) {
	t.Parallel()
	app := newApp(gati.WithEnv("development"))
	app.HandleFunc("GET /boom", func(*gati.Request, *gati.Response, *gati.Global, *gati.Local) error {
		panic("kaboom")
	})
	srv := start(t, app)
	r := do(t, srv, "GET", "/boom", "")
	if r.status != 500 || !strings.Contains(r.problem.Detail, "kaboom") || !strings.Contains(r.problem.Stack, "goroutine") {
		t.Fatalf("got %d %+v", r.status, r.problem)
	}
}

func TestConflictingRoutesNameBothLocations(t *testing.T) {
	t.Parallel()
	app := newApp()
	app.Handle("GET /users/{id}", gati.Typed(greet), gati.Source("users.go", 10))
	app.Handle("GET /users/{name}", gati.Typed(greet), gati.Source("admin.go", 20))
	err := app.Start(context.Background())
	if err == nil || !strings.Contains(err.Error(), "users.go:10") || !strings.Contains(err.Error(), "admin.go:20") {
		t.Fatalf("err = %v", err)
	}
}

func TestHealthEndpoints(t *testing.T) {
	t.Parallel()
	app := newApp()
	srv := start(t, app)
	for _, p := range []string{gati.PathLive, gati.PathReady, gati.PathStartup} {
		if r := do(t, srv, "GET", p, ""); r.status != 200 {
			t.Errorf("%s: %d %s", p, r.status, r.body)
		}
	}
	do(t, srv, "GET", "/nope", "")
	r := do(t, srv, "GET", gati.PathMetrics, "")
	if r.status != 200 || !strings.Contains(r.body, `gati_http_requests_total{method="",route="unmatched",status="404"} 1`) {
		t.Fatalf("metrics: %d\n%s", r.status, r.body)
	}
}

type created struct {
	Location string `header:"Location" json:"-"`
	ID       string `json:"id"`
}

func TestTypedOutputHeaders(t *testing.T) {
	t.Parallel()
	app := newApp()
	app.Handle("POST /things", gati.Typed(func(_ *gati.Global, _ *gati.Local, _ struct{}) (*created, error) {
		return &created{Location: "/things/7", ID: "7"}, nil
	}), gati.Status(201))
	srv := start(t, app)
	r := do(t, srv, "POST", "/things", "")
	if r.status != 201 || r.header.Get("Location") != "/things/7" || r.body != `{"id":"7"}` {
		t.Fatalf("got %d %v %s", r.status, r.header, r.body)
	}
}

func TestTypedRejectsBadOutputHeaderField(t *testing.T) {
	t.Parallel()
	type bad struct {
		Location string `header:"Location"` // would also land in the body
	}
	defer func() {
		if v := recover(); v == nil || !strings.Contains(fmt.Sprint(v), `json:"-"`) {
			t.Fatalf("panic = %v", v)
		}
	}()
	gati.Typed(func(*gati.Global, *gati.Local, struct{}) (bad, error) { return bad{}, nil })
}
