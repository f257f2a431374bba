package gati_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"gati.dev/gati"
)

// discardWriter is a minimal ResponseWriter so the benchmarks measure the
// pipeline, not httptest.ResponseRecorder.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(int)             {}

func benchServe(b *testing.B, h http.Handler, target string) {
	req := httptest.NewRequest("GET", target, nil)
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		clear(w.h)
		h.ServeHTTP(w, req)
	}
}

// BenchmarkHello compares the whole Gati pipeline serving a typed JSON
// handler with a net/http handler doing the same work by hand: read the
// query, build the message, encode JSON, set headers.
func BenchmarkHello(b *testing.B) {
	b.Run("nethttp", func(b *testing.B) {
		mux := http.NewServeMux()
		mux.HandleFunc("GET /hello", func(w http.ResponseWriter, r *http.Request) {
			name := r.URL.Query().Get("name")
			if name == "" {
				name = "world"
			}
			body, _ := json.Marshal(greetOut{Message: "Hello, " + name + "!"})
			w.Header().Set("Content-Type", "application/json")
			w.Write(body)
		})
		benchServe(b, mux, "/hello?name=Ada")
	})
	b.Run("gati", func(b *testing.B) {
		app := gati.New(gati.WithEnv("production"), gati.WithLogOutput(io.Discard))
		app.Handle("GET /hello", gati.Typed(greet))
		if err := app.Start(context.Background()); err != nil {
			b.Fatal(err)
		}
		benchServe(b, app, "/hello?name=Ada")
	})
}

// BenchmarkPathParam measures a one-parameter route returning JSON.
func BenchmarkPathParam(b *testing.B) {
	type in struct {
		ID string `path:"id"`
	}
	b.Run("nethttp", func(b *testing.B) {
		mux := http.NewServeMux()
		mux.HandleFunc("GET /users/{id}", func(w http.ResponseWriter, r *http.Request) {
			body, _ := json.Marshal(greetOut{Message: r.PathValue("id")})
			w.Header().Set("Content-Type", "application/json")
			w.Write(body)
		})
		benchServe(b, mux, "/users/42")
	})
	b.Run("gati", func(b *testing.B) {
		app := gati.New(gati.WithEnv("production"), gati.WithLogOutput(io.Discard))
		app.Handle("GET /users/{id}", gati.Typed(func(_ *gati.Global, _ *gati.Local, in in) (greetOut, error) {
			return greetOut{Message: in.ID}, nil
		}))
		if err := app.Start(context.Background()); err != nil {
			b.Fatal(err)
		}
		benchServe(b, app, "/users/42")
	})
}

// BenchmarkVersioned measures the version stage: resolving the header at
// the head version (no transformer), and a client pinned one version back
// (one downgrade hop: decode, rewrite, encode the response).
func BenchmarkVersioned(b *testing.B) {
	app := versionedApp(b, time.Time{})
	if err := app.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	create := httptest.NewRequest("POST", "/users", strings.NewReader(`{"first_name":"Ada","last_name":"Lovelace"}`))
	app.ServeHTTP(httptest.NewRecorder(), create)
	for _, bc := range []struct{ name, version string }{{"head", "2025-06-01"}, {"one-hop", "2025-01-01"}} {
		b.Run(bc.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", "/users/1", nil)
			req.Header.Set("X-API-Version", bc.version)
			w := &discardWriter{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				app.ServeHTTP(w, req)
			}
		})
	}
}

// BenchmarkLargeJSON measures a typed handler returning a large list: the
// bytes allocated per request show how many copies of the body it holds.
func BenchmarkLargeJSON(b *testing.B) {
	type row struct {
		ID    int    `json:"id"`
		Title string `json:"title"`
	}
	rows := make([]row, 20000)
	for i := range rows {
		rows[i] = row{ID: i, Title: strings.Repeat("x", 40)}
	}
	b.Run("nethttp", func(b *testing.B) {
		mux := http.NewServeMux()
		mux.HandleFunc("GET /rows", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(rows)
		})
		benchServe(b, mux, "/rows")
	})
	b.Run("gati", func(b *testing.B) {
		app := gati.New(gati.WithEnv("production"), gati.WithLogOutput(io.Discard))
		app.Handle("GET /rows", gati.Typed(func(_ *gati.Global, _ *gati.Local, _ struct{}) ([]row, error) { return rows, nil }))
		if err := app.Start(context.Background()); err != nil {
			b.Fatal(err)
		}
		benchServe(b, app, "/rows")
	})
}
