// Command chi-glue is chi-hello with the glue a service built on chi adds
// to have what Gati's hello-world has on by default (see package glue),
// for scripts/bench-http --glue: chi's Recoverer middleware, the request
// timeout and the Prometheus request metrics.
//
//	GET /hello?name=Ada -> {"message":"Hello, Ada!"}
//
// It listens on $HOST:$PORT (port 8080 by default).
package main

import (
	"net/http"

	"gati.dev/gati/bench/internal/glue"
	"gati.dev/gati/bench/internal/hello"
	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
)

func main() {
	m := glue.NewMetrics()
	r := chi.NewRouter()
	r.Use(middleware.Recoverer, requestMetrics(m))
	r.Get("/hello", hello.Serve)
	r.Method(http.MethodGet, "/metrics", m.Handler())
	glue.ListenAndServe(r)
}

// requestMetrics records every request under its route pattern, which
// chi knows once the request has been routed.
func requestMetrics(m *glue.Metrics) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := m.Begin()
			defer m.Done()
			ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
			next.ServeHTTP(ww, r)
			m.Observe(r.Method, chi.RouteContext(r.Context()).RoutePattern(), ww.Status(), start)
		})
	}
}
