package gati

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"
)

// discard is a ResponseWriter that keeps nothing, so the exposition
// benchmarks measure the exposition, not a recorder.
type discard struct{ h http.Header }

func (w *discard) Header() http.Header         { return w.h }
func (w *discard) Write(p []byte) (int, error) { return len(p), nil }
func (w *discard) WriteHeader(int)             {}

// benchRoutes registers the request metrics of n routes, each having
// answered three status codes: the families a busy app serves.
func benchRoutes(m *Metrics, n int) *httpMetrics {
	h := newHTTPMetrics(m)
	for i := range n {
		rm := h.forRoute("GET", "/route/"+strconv.Itoa(i)+"/{id}")
		for _, status := range []int{200, 404, 500} {
			rm.observe(status, time.Duration(i)*time.Millisecond)
		}
	}
	return h
}

// BenchmarkMetrics measures the request hot path (what the pipeline calls
// once per request), a labelled lookup, and one scrape of 20 routes'
// metrics. bench/metrics_test.go measures the same with client_golang.
func BenchmarkMetrics(b *testing.B) {
	b.Run("observe", func(b *testing.B) {
		rm := benchRoutes(newBareMetrics(), 1).forRoute("GET", "/route/0/{id}")
		b.ReportAllocs()
		for b.Loop() {
			rm.observe(200, 3*time.Millisecond)
		}
	})
	b.Run("observe-parallel", func(b *testing.B) {
		rm := benchRoutes(newBareMetrics(), 1).forRoute("GET", "/route/0/{id}")
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				rm.observe(200, 3*time.Millisecond)
			}
		})
	})
	b.Run("with-label-values", func(b *testing.B) {
		c := newBareMetrics().Counter("lookups_total", "", "cache", "result")
		b.ReportAllocs()
		for b.Loop() {
			c.WithLabelValues("users", "hit").Inc()
		}
	})
	b.Run("expose", func(b *testing.B) {
		m := newBareMetrics()
		benchRoutes(m, 20)
		benchExpose(b, m.handler())
	})
	b.Run("expose-with-runtime", func(b *testing.B) {
		m := newMetrics()
		benchRoutes(m, 20)
		benchExpose(b, m.handler())
	})
}

func benchExpose(b *testing.B, h http.Handler) {
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	w := &discard{h: http.Header{}}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	body, _ := io.ReadAll(rec.Body)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		h.ServeHTTP(w, req)
	}
	b.ReportMetric(float64(len(body)), "bytes/scrape")
}
