// Command gin-hello is the hello endpoint with gin, without middleware,
// for scripts/bench-http --peers.
//
//	GET /hello?name=Ada -> {"message":"Hello, Ada!"}
//
// It listens on $HOST:$PORT (port 8080 by default).
package main

import (
	"net/http"

	"gati.dev/gati/bench/internal/hello"
	"gati.dev/gati/bench/internal/server"
	"github.com/gin-gonic/gin"
)

func main() {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New() // gin.Default would add the logger and recovery middleware
	r.GET("/hello", func(c *gin.Context) {
		c.JSON(http.StatusOK, hello.Greeting(c.Query("name")))
	})
	server.ListenAndServe(r)
}
