package bench_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"gati.dev/gati"
)

// BenchmarkMetrics compares gati's metrics core with client_golang on the
// operations an app does: a request's observation (one histogram observe
// and one counter increment on children looked up beforehand, which is
// what gati's pipeline does), a labelled lookup, and one scrape of 20
// routes' request metrics. The root module's BenchmarkMetrics measures
// gati's internal hot path itself.
func BenchmarkMetrics(b *testing.B) {
	b.Run("observe/gati", func(b *testing.B) {
		c, h := gatiRoute(gati.New(gati.WithEnv("test"), gati.WithLogOutput(io.Discard)).Global().Metrics())
		b.ReportAllocs()
		for b.Loop() {
			h.Observe((3 * time.Millisecond).Seconds())
			c.Inc()
		}
	})
	b.Run("observe/client_golang", func(b *testing.B) {
		c, h := promRoute(prometheus.NewRegistry())
		b.ReportAllocs()
		for b.Loop() {
			h.Observe((3 * time.Millisecond).Seconds())
			c.Inc()
		}
	})
	b.Run("observe-parallel/gati", func(b *testing.B) {
		c, h := gatiRoute(gati.New(gati.WithEnv("test"), gati.WithLogOutput(io.Discard)).Global().Metrics())
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				h.Observe(0.003)
				c.Inc()
			}
		})
	})
	b.Run("observe-parallel/client_golang", func(b *testing.B) {
		c, h := promRoute(prometheus.NewRegistry())
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				h.Observe(0.003)
				c.Inc()
			}
		})
	})
	b.Run("with-label-values/gati", func(b *testing.B) {
		m := gati.New(gati.WithEnv("test"), gati.WithLogOutput(io.Discard)).Global().Metrics()
		c := m.Counter("lookups_total", "", "cache", "result")
		b.ReportAllocs()
		for b.Loop() {
			c.WithLabelValues("users", "hit").Inc()
		}
	})
	b.Run("with-label-values/client_golang", func(b *testing.B) {
		c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "lookups_total", Help: "h"}, []string{"cache", "result"})
		prometheus.NewRegistry().MustRegister(c)
		b.ReportAllocs()
		for b.Loop() {
			c.WithLabelValues("users", "hit").Inc()
		}
	})
	// The scrape includes each library's Go runtime and process metrics.
	b.Run("expose/gati", func(b *testing.B) {
		app := gati.New(gati.WithEnv("test"), gati.WithLogOutput(io.Discard))
		gatiRoutes(app.Global().Metrics(), 20)
		benchScrape(b, app, gati.PathMetrics)
	})
	b.Run("expose/client_golang", func(b *testing.B) {
		reg := prometheus.NewRegistry()
		reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
		promRoutes(reg, 20)
		benchScrape(b, promhttp.HandlerFor(reg, promhttp.HandlerOpts{}), "/metrics")
	})
}

// The same families in both libraries: gati's request metrics' shapes.
func gatiFamilies(m *gati.Metrics) (*gati.CounterVec, *gati.HistogramVec) {
	return m.Counter("bench_requests_total", "Requests.", "method", "route", "status"),
		m.Histogram("bench_request_duration_seconds", "Durations.", nil, "method", "route")
}

func promFamilies(reg *prometheus.Registry) (*prometheus.CounterVec, *prometheus.HistogramVec) {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "bench_requests_total", Help: "Requests."}, []string{"method", "route", "status"})
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "bench_request_duration_seconds", Help: "Durations.", Buckets: prometheus.DefBuckets}, []string{"method", "route"})
	reg.MustRegister(c, h)
	return c, h
}

func gatiRoute(m *gati.Metrics) (*gati.Counter, *gati.Histogram) {
	c, h := gatiFamilies(m)
	return c.WithLabelValues("GET", "/items/{id}", "200"), h.WithLabelValues("GET", "/items/{id}")
}

func promRoute(reg *prometheus.Registry) (prometheus.Counter, prometheus.Observer) {
	c, h := promFamilies(reg)
	return c.WithLabelValues("GET", "/items/{id}", "200"), h.WithLabelValues("GET", "/items/{id}")
}

func gatiRoutes(m *gati.Metrics, n int) {
	c, h := gatiFamilies(m)
	for i := range n {
		route := "/route/" + strconv.Itoa(i) + "/{id}"
		for _, status := range []string{"200", "404", "500"} {
			c.WithLabelValues("GET", route, status).Inc()
			h.WithLabelValues("GET", route).Observe(float64(i) / 1000)
		}
	}
}

func promRoutes(reg *prometheus.Registry, n int) {
	c, h := promFamilies(reg)
	for i := range n {
		route := "/route/" + strconv.Itoa(i) + "/{id}"
		for _, status := range []string{"200", "404", "500"} {
			c.WithLabelValues("GET", route, status).Inc()
			h.WithLabelValues("GET", route).Observe(float64(i) / 1000)
		}
	}
}

func benchScrape(b *testing.B, h http.Handler, path string) {
	if app, ok := h.(*gati.App); ok {
		if err := app.Start(b.Context()); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = app.Stop(b.Context()) })
	}
	req := httptest.NewRequest(http.MethodGet, path, nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		clear(w.h)
		h.ServeHTTP(w, req)
	}
	b.ReportMetric(float64(rec.Body.Len()), "bytes/scrape")
}
