// Command echo-hello is the hello endpoint with echo, without middleware,
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
	"github.com/labstack/echo/v4"
)

func main() {
	e := echo.New()
	e.GET("/hello", func(c echo.Context) error {
		return c.JSON(http.StatusOK, hello.Greeting(c.QueryParam("name")))
	})
	server.ListenAndServe(e)
}
