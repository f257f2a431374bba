package gati_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"gati.dev/gati"
	"gati.dev/gati/gatitest"
)

// requestIDApp serves a success, an empty success, a handler error, an
// error status written directly, a panic and a handler that overruns its
// timeout, and records the request id each handler saw.
func requestIDApp(t *testing.T, mode gati.RequestIDMode, logs *gatitest.Buffer) (*gati.App, func() string) {
	t.Helper()
	on := true
	app := gati.New(gati.WithEnv("test"), gati.WithLogOutput(logs), gati.WithConfig(&gati.Config{
		Server: gati.ServerConfig{RequestIDHeader: mode},
		Log:    gati.LogConfig{Format: "json", Access: &on},
	}))
	var mu sync.Mutex
	var seen string
	see := func(l *gati.Local) {
		mu.Lock()
		seen = l.RequestID()
		mu.Unlock()
	}
	app.HandleFunc("GET /ok", func(_ *gati.Request, res *gati.Response, _ *gati.Global, l *gati.Local) error {
		see(l)
		return res.JSON(200, greetOut{Message: "hi"})
	})
	app.HandleFunc("DELETE /ok", func(_ *gati.Request, res *gati.Response, _ *gati.Global, l *gati.Local) error {
		see(l)
		return res.NoContent()
	})
	app.HandleFunc("GET /fail", func(_ *gati.Request, _ *gati.Response, _ *gati.Global, l *gati.Local) error {
		see(l)
		return gati.NewError(409, "conflict", "taken")
	})
	app.HandleFunc("GET /teapot", func(_ *gati.Request, res *gati.Response, _ *gati.Global, l *gati.Local) error {
		see(l)
		return res.Text(418, "short and stout")
	})
	app.HandleFunc("GET /boom", func(_ *gati.Request, _ *gati.Response, _ *gati.Global, l *gati.Local) error {
		see(l)
		panic("kaboom")
	})
	app.HandleFunc("GET /stuck", func(_ *gati.Request, _ *gati.Response, _ *gati.Global, l *gati.Local) error {
		see(l)
		time.Sleep(300 * time.Millisecond) // ignores its context: the watchdog answers
		return nil
	}, gati.Timeout(20*time.Millisecond))
	return app, func() string {
		mu.Lock()
		defer mu.Unlock()
		return seen
	}
}

// TestRequestIDHeaderOnErrorsByDefault guards the default of
// server.request_id_header: successes go without X-Request-Id (net/http
// would spend a sorted, escaped header line on each), every error
// response carries it, equal to its problem's request_id, and handlers
// and logs have the id either way.
func TestRequestIDHeaderOnErrorsByDefault(t *testing.T) {
	t.Parallel()
	var logs gatitest.Buffer
	app, seen := requestIDApp(t, "", &logs)
	srv := start(t, app)

	for _, method := range []string{"GET", "DELETE"} {
		r := do(t, srv, method, "/ok", "")
		if r.status >= 300 || r.header.Values("X-Request-Id") != nil {
			t.Errorf("%s /ok: %d with X-Request-Id %q, want a success without it", method, r.status, r.header.Values("X-Request-Id"))
		}
		if len(seen()) != 16 {
			t.Errorf("%s /ok: the handler saw request id %q, want a generated one", method, seen())
		}
		id := seen()
		logs.WaitFor(t, `"request_id":"`+id+`"`, 5*time.Second) // the access log line names it
	}

	for _, tc := range []struct {
		method, path string
		status       int
		problem      bool
	}{
		{"GET", "/nope", 404, true},
		{"POST", "/ok", 405, true},
		{"GET", "/fail", 409, true},
		{"GET", "/teapot", 418, false},
		{"GET", "/boom", 500, true},
		{"GET", "/stuck", 503, true},
	} {
		r := do(t, srv, tc.method, tc.path, "")
		id := r.header.Get("X-Request-Id")
		if r.status != tc.status || id == "" {
			t.Errorf("%s %s: %d with X-Request-Id %q, want %d with the header", tc.method, tc.path, r.status, id, tc.status)
			continue
		}
		if tc.problem && r.problem.RequestID != id {
			t.Errorf("%s %s: problem request_id %q, header %q", tc.method, tc.path, r.problem.RequestID, id)
		}
		if tc.path != "/nope" && tc.method != "POST" && seen() != id {
			t.Errorf("%s %s: the handler saw %q, the client got %q", tc.method, tc.path, seen(), id)
		}
	}
}

// TestRequestIDEchoed guards the client's side of the default: an id the
// client sent comes back on every response, successes included, and is
// the id handlers, problems and logs use. An unusable one is replaced and
// not echoed.
func TestRequestIDEchoed(t *testing.T) {
	t.Parallel()
	var logs gatitest.Buffer
	app, seen := requestIDApp(t, gati.RequestIDOnErrors, &logs)
	srv := start(t, app)

	for _, tc := range []struct {
		method, path string
		status       int
	}{
		{"GET", "/ok", 200},
		{"DELETE", "/ok", 204},
		{"GET", "/fail", 409},
		{"GET", "/nope", 404},
		{"GET", "/boom", 500},
		{"GET", "/stuck", 503},
	} {
		sent := "client-" + strings.ToLower(tc.method) + strings.ReplaceAll(tc.path, "/", "-")
		r := do(t, srv, tc.method, tc.path, "", "X-Request-Id", sent)
		if r.status != tc.status || r.header.Get("X-Request-Id") != sent {
			t.Errorf("%s %s: %d with X-Request-Id %q, want %d echoing %q", tc.method, tc.path, r.status, r.header.Get("X-Request-Id"), tc.status, sent)
		}
		if r.status >= 400 && r.problem.RequestID != sent {
			t.Errorf("%s %s: problem request_id %q, want %q", tc.method, tc.path, r.problem.RequestID, sent)
		}
		if tc.path != "/nope" && seen() != sent {
			t.Errorf("%s %s: the handler saw %q, want %q", tc.method, tc.path, seen(), sent)
		}
	}
	logs.WaitFor(t, `"request_id":"client-get-ok"`, 5*time.Second)

	r := do(t, srv, "GET", "/ok", "", "X-Request-Id", "has space")
	if r.status != 200 || r.header.Values("X-Request-Id") != nil || seen() == "has space" {
		t.Errorf("an unusable id: %d, X-Request-Id %q, the handler saw %q; want a new id, not echoed", r.status, r.header.Values("X-Request-Id"), seen())
	}
	r = do(t, srv, "GET", "/fail", "", "X-Request-Id", "has space")
	if id := r.header.Get("X-Request-Id"); id == "" || id == "has space" || r.problem.RequestID != id {
		t.Errorf("an unusable id on an error: header %q, problem %q; want the new id in both", id, r.problem.RequestID)
	}
}

// TestRequestIDHeaderAlways guards server.request_id_header: always, the
// behaviour before the default changed: every response carries the id.
func TestRequestIDHeaderAlways(t *testing.T) {
	t.Parallel()
	var logs gatitest.Buffer
	app, seen := requestIDApp(t, gati.RequestIDAlways, &logs)
	srv := start(t, app)
	for _, tc := range []struct {
		method, path string
		status       int
	}{{"GET", "/ok", 200}, {"DELETE", "/ok", 204}, {"GET", "/fail", 409}, {"GET", "/stuck", 503}} {
		r := do(t, srv, tc.method, tc.path, "")
		if id := r.header.Get("X-Request-Id"); r.status != tc.status || id == "" || id != seen() {
			t.Errorf("%s %s: %d with X-Request-Id %q (the handler saw %q), want %d with the header", tc.method, tc.path, r.status, id, seen(), tc.status)
		}
	}
	r := do(t, srv, "GET", "/ok", "", "X-Request-Id", "mine")
	if r.header.Get("X-Request-Id") != "mine" {
		t.Errorf("the client's id: header %q, want mine", r.header.Get("X-Request-Id"))
	}
}

// TestRequestIDHeaderSettingIsChecked guards the setting's values: a
// mistake in gati.yaml names the file and line, one given in code fails
// Start.
func TestRequestIDHeaderSettingIsChecked(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"errors", "always"} {
		cfg, err := gati.LoadConfig(writeConfig(t, "server:\n  request_id_header: "+v+"\n"), "production")
		if err != nil || string(cfg.Server.RequestIDHeader) != v {
			t.Errorf("%s: got %q, %v", v, cfg.Server.RequestIDHeader, err)
		}
	}
	p := writeConfig(t, "server:\n  port: 80\n  request_id_header: sometimes\n")
	for name, err := range map[string]error{"LoadConfig": loadErr(p), "ValidateConfig": gati.ValidateConfig(p)} {
		if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "line 3") ||
			!strings.Contains(err.Error(), `request_id_header "sometimes": use errors or always`) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	app := newApp(gati.WithConfig(&gati.Config{Server: gati.ServerConfig{RequestIDHeader: "Always"}}))
	err := app.Start(context.Background())
	if err == nil || !strings.Contains(err.Error(), `server.request_id_header "Always": use errors or always`) {
		t.Errorf("Start: err = %v", err)
	}
	if err == nil {
		_ = app.Stop(context.Background())
	}
}

func loadErr(path string) error {
	_, err := gati.LoadConfig(path, "production")
	return err
}
