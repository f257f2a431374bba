// Package glue is what the -glue peer servers of scripts/bench-http --glue
// add to a bare framework to have what Gati's hello-world has on by
// default, written the way a service on that framework commonly does:
//
//   - a request timeout answered with 503 when the handler overruns it,
//     even a handler that ignores its context (net/http's TimeoutHandler,
//     30 s like Gati's default request_timeout);
//   - Prometheus request metrics from client_golang: requests by method,
//     route and status, a latency histogram by method and route, and the
//     requests in flight, served on /metrics, with the labelled children
//     looked up per request as hand-written middleware (or the
//     frameworks' contrib packages) does.
//
// Panic recovery is each framework's own middleware. What Gati has and
// these servers do not: request-smuggling framing checks, connection
// tracking for a lossless drain, problem+json errors, and request ids.
//
// $GLUE_PARTS, a comma-separated list of timeout and metrics (both by
// default), keeps only the parts it names, to tell what each costs:
// GLUE_PARTS=metrics scripts/bench-http --pairs 20 --against echo-glue.
package glue

import (
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"gati.dev/gati/bench/internal/server"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// RequestTimeout is Gati's default request_timeout.
const RequestTimeout = 30 * time.Second

// has reports whether $GLUE_PARTS keeps part.
func has(part string) bool {
	parts, set := os.LookupEnv("GLUE_PARTS")
	return !set || strings.Contains(","+parts+",", ","+part+",")
}

// Metrics are the request metrics Gati's pipeline records.
type Metrics struct {
	off      bool // $GLUE_PARTS leaves metrics out: recording does nothing
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inFlight prometheus.Gauge
}

// NewMetrics registers the request metrics in a registry of their own.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "http_requests_total", Help: "Requests answered, by method, route and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "http_request_duration_seconds", Help: "Time to answer a request, by method and route.",
			Buckets: prometheus.DefBuckets,
		}, []string{"method", "route"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "http_requests_in_flight", Help: "Requests being answered.",
		}),
	}
	m.reg.MustRegister(m.requests, m.duration, m.inFlight)
	m.off = !has("metrics")
	return m
}

// Begin counts a request in flight and returns when it began; defer Done
// right after it, so that a request whose handler panics leaves flight
// too.
func (m *Metrics) Begin() time.Time {
	if m.off {
		return time.Time{}
	}
	m.inFlight.Inc()
	return time.Now()
}

// Done counts a request out of flight.
func (m *Metrics) Done() {
	if !m.off {
		m.inFlight.Dec()
	}
}

// Observe records a request that began at start and was answered status.
func (m *Metrics) Observe(method, route string, status int, start time.Time) {
	if m.off {
		return
	}
	m.duration.WithLabelValues(method, route).Observe(time.Since(start).Seconds())
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
}

// Handler serves the metrics in Prometheus' text format.
func (m *Metrics) Handler() http.Handler { return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}) }

// ListenAndServe serves h behind the request timeout, with the server
// settings every bench server has.
func ListenAndServe(h http.Handler) {
	if has("timeout") {
		h = http.TimeoutHandler(h, RequestTimeout, `{"title":"request timed out"}`)
	}
	server.ListenAndServe(h)
}
