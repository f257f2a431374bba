package bench_test

import (
	"context"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"gati.dev/gati"
	"gati.dev/gati/bench"
)

// discardWriter is a minimal ResponseWriter, as in gati's own
// bench_test.go, so the benchmarks measure the frameworks, not
// httptest.ResponseRecorder.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(int)             {}

// peers are the handlers compared, the baseline first.
var peers = []struct {
	name string
	new  func(testing.TB) http.Handler
}{
	{"nethttp", func(testing.TB) http.Handler { return bench.NetHTTP() }},
	{"gati", newGati},
	{"gin", func(testing.TB) http.Handler { return bench.Gin() }},
	{"echo", func(testing.TB) http.Handler { return bench.Echo() }},
	{"chi", func(testing.TB) http.Handler { return bench.Chi() }},
}

func newGati(tb testing.TB) http.Handler {
	app := bench.Gati(gati.WithEnv("production"), gati.WithLogOutput(io.Discard))
	if err := app.Start(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return app
}

// TestPeersAgree checks that every peer gives the same answers, so the
// benchmarks compare the same work.
func TestPeersAgree(t *testing.T) {
	cases := []struct{ target, body string }{
		{"/hello?name=Ada", `{"message":"Hello, Ada!"}`},
		{"/hello", `{"message":"Hello, world!"}`},
		{"/users/42", `{"id":"42"}`},
	}
	for _, p := range peers {
		h := p.new(t)
		for _, c := range cases {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest("GET", c.target, nil))
			body := strings.TrimSuffix(w.Body.String(), "\n") // echo's encoder appends one
			ct, _, _ := mime.ParseMediaType(w.Header().Get("Content-Type"))
			if w.Code != http.StatusOK || body != c.body || ct != "application/json" {
				t.Errorf("%s: GET %s = %d %q %q, want 200 application/json %q",
					p.name, c.target, w.Code, w.Header().Get("Content-Type"), body, c.body)
			}
		}
	}
}

func benchServe(b *testing.B, h http.Handler, target string) {
	req := httptest.NewRequest("GET", target, nil)
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		h.ServeHTTP(w, req)
	}
}

// BenchmarkHello serves GET /hello?name=Ada through each framework.
func BenchmarkHello(b *testing.B) {
	for _, p := range peers {
		b.Run(p.name, func(b *testing.B) { benchServe(b, p.new(b), "/hello?name=Ada") })
	}
}

// BenchmarkParam serves GET /users/42, a one-parameter route.
func BenchmarkParam(b *testing.B) {
	for _, p := range peers {
		b.Run(p.name, func(b *testing.B) { benchServe(b, p.new(b), "/users/42") })
	}
}
