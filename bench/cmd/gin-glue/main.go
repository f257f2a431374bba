// Command gin-glue is gin-hello with the glue a service built on Gin adds
// to have what Gati's hello-world has on by default (see package glue),
// for scripts/bench-http --glue: Gin's Recovery middleware, the request
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
	"github.com/gin-gonic/gin"
)

func main() {
	gin.SetMode(gin.ReleaseMode)
	m := glue.NewMetrics()
	r := gin.New()
	r.Use(gin.Recovery(), func(c *gin.Context) {
		start := m.Begin()
		defer m.Done()
		c.Next()
		m.Observe(c.Request.Method, c.FullPath(), c.Writer.Status(), start)
	})
	r.GET("/hello", func(c *gin.Context) {
		c.JSON(http.StatusOK, hello.Greeting(c.Query("name")))
	})
	r.GET("/metrics", gin.WrapH(m.Handler()))
	glue.ListenAndServe(r)
}
