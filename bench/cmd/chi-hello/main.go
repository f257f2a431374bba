// Command chi-hello is the hello endpoint with chi, without middleware,
// for scripts/bench-http --peers.
//
//	GET /hello?name=Ada -> {"message":"Hello, Ada!"}
//
// It listens on $HOST:$PORT (port 8080 by default).
package main

import (
	"gati.dev/gati/bench/internal/hello"
	"gati.dev/gati/bench/internal/server"
	"github.com/go-chi/chi/v5"
)

func main() {
	r := chi.NewRouter()
	r.Get("/hello", hello.Serve)
	server.ListenAndServe(r)
}
