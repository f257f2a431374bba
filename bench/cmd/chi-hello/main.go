// Command chi-hello is the hello endpoint with chi, without middleware,
// for scripts/bench-http --peers.
//
//	GET /hello?name=Ada -> {"message":"Hello, Ada!"}
//
// It listens on $HOST:$PORT (port 8080 by default).
package main

import (
	"encoding/json"
	"net/http"

	"gati.dev/gati/bench/internal/hello"
	"gati.dev/gati/bench/internal/server"
	"github.com/go-chi/chi/v5"
)

func main() {
	r := chi.NewRouter()
	r.Get("/hello", func(w http.ResponseWriter, r *http.Request) {
		body, err := json.Marshal(hello.Greeting(r.URL.Query().Get("name")))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})
	server.ListenAndServe(r)
}
