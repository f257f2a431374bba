package gati

import (
	"strconv"
	"sync/atomic"
	"time"
)

// httpMetrics are the framework's request metrics.
type httpMetrics struct {
	requests *CounterVec
	duration *HistogramVec
	timeouts *CounterVec
	// Read at scrape time: an integer add is cheaper than a float gauge's CAS loop.
	inflight    atomic.Int64
	overrunning atomic.Int64 // handlers still running after their request timed out
}

func newHTTPMetrics(m *Metrics) *httpMetrics {
	h := &httpMetrics{
		requests: m.Counter("gati_http_requests_total",
			"HTTP requests served, by method, route pattern and status code.", "method", "route", "status"),
		duration: m.Histogram("gati_http_request_duration_seconds",
			"Time from request start to handler return, by method and route pattern.", DefaultBuckets, "method", "route"),
		timeouts: m.Counter("gati_http_request_timeouts_total",
			"Requests answered 503 because the handler overran its deadline.", "method", "route"),
	}
	m.GaugeFunc("gati_http_requests_in_flight", "Requests being served now.",
		func() float64 { return float64(h.inflight.Load()) })
	m.GaugeFunc("gati_http_handlers_overrunning", "Handlers still running after their request timed out.",
		func() float64 { return float64(h.overrunning.Load()) })
	return h
}

// routeMetrics caches one route's metric children so the hot path does
// no label hashing: the counter for each status code is looked up once.
type routeMetrics struct {
	method, route string
	duration      *Histogram
	requests      *CounterVec
	timeouts      *CounterVec
	byStatus      [600]atomic.Pointer[Counter]
}

func (h *httpMetrics) forRoute(method, route string) *routeMetrics {
	return &routeMetrics{method: method, route: route, requests: h.requests, timeouts: h.timeouts,
		duration: h.duration.WithLabelValues(method, route)}
}

func (rm *routeMetrics) observe(status int, took time.Duration) {
	rm.duration.Observe(took.Seconds())
	rm.counter(status).Inc()
}

// timedOut counts a request answered 503 because its handler overran
// the deadline. It is rare, so the child is looked up each time.
func (rm *routeMetrics) timedOut() {
	rm.timeouts.WithLabelValues(rm.method, rm.route).Inc()
}

func (rm *routeMetrics) counter(status int) *Counter {
	if status < 100 || status >= len(rm.byStatus) {
		return rm.requests.WithLabelValues(rm.method, rm.route, strconv.Itoa(status))
	}
	slot := &rm.byStatus[status]
	if c := slot.Load(); c != nil {
		return c
	}
	c := rm.requests.WithLabelValues(rm.method, rm.route, strconv.Itoa(status))
	slot.Store(c)
	return c
}
