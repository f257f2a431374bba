package gati

import (
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is a Prometheus metric namespace. The app's is unprefixed; each
// module's prefixes names with "<module>_". Everything registered is
// served at /metrics.
type Metrics struct {
	reg    *prometheus.Registry
	scoped prometheus.Registerer
}

func newMetrics() *Metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return &Metrics{reg: reg, scoped: reg}
}

// sub returns the namespace of one module.
func (m *Metrics) sub(module string) *Metrics {
	return &Metrics{reg: m.reg, scoped: prometheus.WrapRegistererWithPrefix(promName(module)+"_", m.scoped)}
}

// promName turns a module name into a valid metric name part.
func promName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c == '-' {
			b[i] = '_'
		}
	}
	return string(b)
}

// Registerer returns the registerer for collectors of this namespace.
func (m *Metrics) Registerer() prometheus.Registerer { return m.scoped }

// Counter registers and returns a counter vector.
func (m *Metrics) Counter(name, help string, labels ...string) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
	m.scoped.MustRegister(c)
	return c
}

// Gauge registers and returns a gauge vector.
func (m *Metrics) Gauge(name, help string, labels ...string) *prometheus.GaugeVec {
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, labels)
	m.scoped.MustRegister(g)
	return g
}

// Histogram registers and returns a histogram vector; nil buckets means
// prometheus.DefBuckets.
func (m *Metrics) Histogram(name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets}, labels)
	m.scoped.MustRegister(h)
	return h
}

// handler serves the Prometheus text exposition of every namespace.
func (m *Metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// httpMetrics are the framework's request metrics.
type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inflight atomic.Int64 // read at scrape time; an integer add is cheaper than a float gauge's CAS loop
	timeouts *prometheus.CounterVec
	// overrunning counts handlers still running after their request timed out.
	overrunning atomic.Int64
}

func newHTTPMetrics(m *Metrics) *httpMetrics {
	h := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gati_http_requests_total",
			Help: "HTTP requests served, by method, route pattern and status code."}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "gati_http_request_duration_seconds",
			Help: "Time from request start to handler return, by method and route pattern.", Buckets: prometheus.DefBuckets},
			[]string{"method", "route"}),
	}
	inflight := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "gati_http_requests_in_flight",
		Help: "Requests being served now."}, func() float64 { return float64(h.inflight.Load()) })
	h.timeouts = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gati_http_request_timeouts_total",
		Help: "Requests answered 503 because the handler overran its deadline."}, []string{"method", "route"})
	overrunning := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "gati_http_handlers_overrunning",
		Help: "Handlers still running after their request timed out."}, func() float64 { return float64(h.overrunning.Load()) })
	m.reg.MustRegister(h.requests, h.duration, inflight, h.timeouts, overrunning)
	return h
}

// routeMetrics caches one route's metric children so the hot path does
// no label hashing: the counter for each status code is looked up once.
type routeMetrics struct {
	method, route string
	duration      prometheus.Observer
	vec           *prometheus.CounterVec
	timeouts      *prometheus.CounterVec
	byStatus      [600]atomic.Pointer[counterBox]
}

type counterBox struct{ c prometheus.Counter }

func (h *httpMetrics) forRoute(method, route string) *routeMetrics {
	return &routeMetrics{method: method, route: route, vec: h.requests, timeouts: h.timeouts,
		duration: h.duration.WithLabelValues(method, route)}
}

func (rm *routeMetrics) observe(status int, took time.Duration) {
	rm.duration.Observe(took.Seconds())
	rm.counter(status).Inc()
}

func (rm *routeMetrics) counter(status int) prometheus.Counter {
	if status < 100 || status >= len(rm.byStatus) {
		return rm.vec.WithLabelValues(rm.method, rm.route, strconv.Itoa(status))
	}
	slot := &rm.byStatus[status]
	if b := slot.Load(); b != nil {
		return b.c
	}
	b := &counterBox{c: rm.vec.WithLabelValues(rm.method, rm.route, strconv.Itoa(status))}
	slot.Store(b)
	return b.c
}

func (rm *routeMetrics) timedOut() { rm.timeouts.WithLabelValues(rm.method, rm.route).Inc() }
