// Command echo-glue is echo-hello with the glue a service built on Echo
// adds to have what Gati's hello-world has on by default (see package
// glue), for scripts/bench-http --glue: Echo's Recover middleware, the
// request timeout and the Prometheus request metrics.
//
//	GET /hello?name=Ada -> {"message":"Hello, Ada!"}
//
// It listens on $HOST:$PORT (port 8080 by default).
package main

import (
	"net/http"

	"gati.dev/gati/bench/internal/glue"
	"gati.dev/gati/bench/internal/hello"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

func main() {
	m := glue.NewMetrics()
	e := echo.New()
	e.Use(middleware.Recover(), requestMetrics(m))
	e.GET("/hello", func(c echo.Context) error {
		return c.JSON(http.StatusOK, hello.Greeting(c.QueryParam("name")))
	})
	e.GET("/metrics", echo.WrapHandler(m.Handler()))
	glue.ListenAndServe(e)
}

// requestMetrics records every request under its route pattern.
func requestMetrics(m *glue.Metrics) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := m.Begin()
			defer m.Done()
			if err := next(c); err != nil {
				c.Error(err) // write the error now, so its status is counted
			}
			m.Observe(c.Request().Method, c.Path(), c.Response().Status, start)
			return nil
		}
	}
}
