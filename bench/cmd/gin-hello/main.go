// Command gin-hello is the hello endpoint with gin, without middleware,
// for scripts/bench-http --peers.
//
//	GET /hello?name=Ada -> {"message":"Hello, Ada!"}
//
// It listens on $HOST:$PORT (port 8080 by default).
package main

import (
	"log"
	"net"
	"net/http"
	"os"

	"github.com/gin-gonic/gin"
)

type helloOutput struct {
	Message string `json:"message"`
}

func greeting(name string) helloOutput {
	if name == "" {
		name = "world"
	}
	return helloOutput{Message: "Hello, " + name + "!"}
}

func main() {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New() // gin.Default would add the logger and recovery middleware
	r.GET("/hello", func(c *gin.Context) {
		c.JSON(http.StatusOK, greeting(c.Query("name")))
	})
	log.Fatal(http.ListenAndServe(addr(), r))
}

func addr() string {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	return net.JoinHostPort(os.Getenv("HOST"), port)
}
