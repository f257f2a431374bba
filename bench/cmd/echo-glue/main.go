// Command echo-glue is echo-hello with the glue a service built on Echo
// adds to have what Gati's hello-world has on by default, for
// scripts/bench-http --glue:
//
//   - panic recovery (Echo's Recover middleware);
//   - a request timeout answered with 503 when the handler overruns it,
//     even a handler that ignores its context (net/http's TimeoutHandler
//     around Echo, 30 s like Gati's default request_timeout);
//   - Prometheus request metrics from client_golang: requests by method,
//     route and status, a latency histogram by method and route, and the
//     requests in flight, served on /metrics.
//
// What Gati has and this does not: request-smuggling framing checks,
// connection tracking for a lossless drain, problem+json errors, and
// request ids. GET /hello?name=Ada -> {"message":"Hello, Ada!"}. It
// listens on $HOST:$PORT (port 8080 by default).
package main

import (
	"net/http"
	"strconv"
	"time"

	"gati.dev/gati/bench/internal/hello"
	"gati.dev/gati/bench/internal/server"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

func main() {
	reg := prometheus.NewRegistry()
	e := echo.New()
	e.Use(middleware.Recover(), requestMetrics(reg))
	e.GET("/hello", func(c echo.Context) error {
		return c.JSON(http.StatusOK, hello.Greeting(c.QueryParam("name")))
	})
	e.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(reg, promhttp.HandlerOpts{})))
	server.ListenAndServe(http.TimeoutHandler(e, 30*time.Second, `{"title":"request timed out"}`))
}

// requestMetrics records what Gati's pipeline records for every request,
// the way a hand-written Echo middleware (or echo-contrib's) does it:
// labelled children looked up per request.
func requestMetrics(reg prometheus.Registerer) echo.MiddlewareFunc {
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "http_requests_total", Help: "Requests answered, by method, route and status.",
	}, []string{"method", "route", "status"})
	duration := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "http_request_duration_seconds", Help: "Time to answer a request, by method and route.",
		Buckets: prometheus.DefBuckets,
	}, []string{"method", "route"})
	inFlight := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "http_requests_in_flight", Help: "Requests being answered.",
	})
	reg.MustRegister(requests, duration, inFlight)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			inFlight.Inc()
			defer inFlight.Dec()
			start := time.Now()
			err := next(c)
			if err != nil {
				c.Error(err) // write the error now, so its status is counted
			}
			method, route := c.Request().Method, c.Path()
			duration.WithLabelValues(method, route).Observe(time.Since(start).Seconds())
			requests.WithLabelValues(method, route, strconv.Itoa(c.Response().Status)).Inc()
			return nil
		}
	}
}
